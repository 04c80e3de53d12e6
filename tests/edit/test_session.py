"""EditSession: the GUI worker's step-by-step use of the edit engine."""

from __future__ import annotations

import json

import pytest

from engine.edit.session import EditSession
from engine.errors import InputError
from engine.registry import SEGMENTERS
from engine.settings import load_settings
from tests.edit.conftest import changed


def test_localise_mask_inpaint_accept(tiny_clip_dir, scene, tmp_path):
    settings = load_settings(user_path=tmp_path / "none.json")
    seg = SEGMENTERS.create("grabcut")
    seg.prepare(scene.image)
    session = EditSession(scene.image, settings, segmenter=seg, clip_model=str(tiny_clip_dir))
    loc = session.localise("crab")
    assert 0 <= loc.best[0] < scene.image.shape[1]
    mask = session.mask_from_localisation()
    assert mask.shape == scene.gt.shape and mask.any()
    steps = []
    result = session.inpaint(scene.gt, "remove it", {"inpainter": "opencv", "seed": 1}, progress=lambda i, n: steps.append(i))
    assert steps == [1] and result.scores is not None and session.pending is result
    assert not changed(result.edited, scene.image)[~result.inpaint.mask].any()
    paths = session.accept(tmp_path / "out")
    assert session.pending is None and paths["edited"].exists()
    data = json.loads(paths["json"].read_text())
    assert data["localisation"]["text"] == "crab" and data["mask_source"] == "annotation tool"
    with pytest.raises(InputError, match="inpaint first"):
        session.accept(tmp_path / "out")


def test_without_clip_inpaints_but_cannot_localise(scene, tmp_path):
    session = EditSession(scene.image, load_settings(user_path=tmp_path / "none.json"))
    with pytest.raises(InputError, match="CLIP model folder"):
        session.localise("crab")
    result = session.inpaint(scene.gt, "remove it")
    assert result.scores is None and result.inpaint.mask.sum() > scene.gt.sum()
    session.discard()
    assert session.pending is None
