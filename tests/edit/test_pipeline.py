"""The whole edit: tiny CLIP localises, grabcut masks from the CLIP points, an inpainter repaints,
CLIP scores; outputs written."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.edit.clip_model import load_clip
from engine.edit.inpainters.base import InpaintRequest, dilate
from engine.edit.outputs import write_edit_outputs
from engine.edit.pipeline import EditPipeline
from engine.errors import InputError
from engine.io.images import load_image, load_mask
from engine.registry import INPAINTERS, LOCALISERS, SEGMENTERS
from tests.edit.conftest import changed


def _pipeline(clip_dir, inpainter):
    localiser = LOCALISERS.create("clip", model_dir=str(clip_dir))
    return EditPipeline(inpainter, SEGMENTERS.create("grabcut"), localiser, load_clip(str(clip_dir)))


def test_pipeline_localise_segment_inpaint_score(tiny_clip_dir, tiny_sd_dir, scene, tmp_path):
    inp = INPAINTERS.create("sd", model_dir=str(tiny_sd_dir))
    res = _pipeline(tiny_clip_dir, inp).run(scene.image, "a red crab", target="crab",
                                             request=InpaintRequest("a red crab", steps=2, seed=3))
    assert res.localisation is not None and res.mask.any() and res.mask_source == "segmenter:grabcut"
    assert not changed(res.edited, scene.image)[~res.inpaint.mask].any()
    assert set(res.scores) == {"original", "edited"}
    assert {"localise", "segment", "inpaint", "score", "total"} <= set(res.timings)
    paths = write_edit_outputs(tmp_path / "out", res, extra={"image_path": "scene.png"})
    for name in ("original.png", "sam_mask.png", "edited.png", "edit.json", "clip_heatmap.png"):
        assert (tmp_path / "out" / name).exists()
    np.testing.assert_array_equal(load_image(paths["edited"]), res.edited)
    np.testing.assert_array_equal(load_mask(paths["mask"]), res.mask)
    data = json.loads(paths["json"].read_text())
    assert data["localisation"]["point"] == [round(res.localisation.best[0], 1), round(res.localisation.best[1], 1)]
    assert data["mask_area"] == int(res.mask.sum()) and data["inpaint"]["seed"] == 3
    assert data["clip_score"]["edited"]["whole"] >= 0 and data["models"]["inpainter"]["name"] == "sd"
    assert data["models"]["segmenter"]["name"] == "grabcut" and data["image_path"] == "scene.png"


def test_given_mask_skips_localisation_and_needs_no_weights(scene):
    res = EditPipeline(INPAINTERS.create("opencv")).run(scene.image, "remove it", mask=scene.gt)
    assert res.localisation is None and res.scores is None and set(res.timings) == {"inpaint", "total"}
    assert not changed(res.edited, scene.image)[~dilate(scene.gt, 8)].any()


def test_pipeline_without_localiser_or_with_bad_mask(scene):
    pipe = EditPipeline(INPAINTERS.create("opencv"))
    with pytest.raises(InputError, match="--clip-model"):
        pipe.run(scene.image, "x")
    with pytest.raises(InputError, match="empty"):
        pipe.run(scene.image, "x", mask=np.zeros(scene.gt.shape, bool))
