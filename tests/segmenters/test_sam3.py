"""sam3: a tiny facebook/sam3-layout folder (sam3_video: detector + tracker) with a real CLIP tokenizer, random
weights: the text prompt and find-all run end to end on a generated scene (shapes, types and flow, not quality),
clicks run through the tracker head sharing the detector's backbone, one ViT run per image."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import SEGMENTERS
from engine.segmenters.base import Prediction
from engine.segmenters.found import FoundObject, supports_text
from engine.types import Box, Point, PointLabel


def make(model_dir, **kw):
    kw.setdefault("disk_cache", False)
    return SEGMENTERS.create("sam3", model_dir=str(model_dir), **kw)


def test_tracker_shares_the_detector_backbone_and_has_every_weight(sam3_dir):
    import torch
    from safetensors.torch import load_file

    seg = make(sam3_dir)
    detector, tracker, _ = seg.model()
    assert tracker.vision_encoder.backbone is detector.vision_encoder.backbone
    saved = {k.replace("tracker_model.tracker_model.", "tracker_model."): v
             for k, v in load_file(str(sam3_dir / "model.safetensors")).items()}
    for key, value in tracker.state_dict().items():
        if key.startswith("vision_encoder.backbone."):
            continue
        src = "tracker_neck." + key[len("vision_encoder.neck."):] if key.startswith("vision_encoder.neck.") else "tracker_model." + key
        assert torch.equal(value, saved[src]), key
    for key, value in list(detector.state_dict().items())[:40]:
        assert torch.equal(value, saved["detector_model." + key]), key


def test_text_prompt_find_all_and_clicks_on_one_embedding(sam3_dir, scene):
    seg = make(sam3_dir, score_threshold=0.0, max_objects=5)
    assert supports_text(seg)
    calls = []
    detector, _, _ = seg.model()
    detector.vision_encoder.backbone.register_forward_hook(lambda *a: calls.append(1))
    found = seg.find_all(scene.image, "crab")
    assert 1 <= len(found) <= 5
    assert all(isinstance(f, FoundObject) and f.mask.shape == (240, 320) and f.mask.dtype == bool for f in found)
    assert all(0.0 <= f.score <= 1.0 and 0 <= f.box.x0 < f.box.x1 <= 320 + 1 for f in found)
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
    pred = seg.predict_text("crab")
    assert isinstance(pred, Prediction) and pred.masks.shape == (1, 240, 320) and pred.logits is None
    exemplar = seg.predict_text("crab", box=scene.box)
    assert exemplar.masks.shape == (1, 240, 320)
    click = seg.predict(scene.box, [Point(160, 120), Point(40, 40, PointLabel.NEG)])
    assert click.masks.shape == (1, 240, 320) and click.logits.shape[1] == click.logits.shape[2]
    again = seg.predict(scene.box, [Point(160, 120)], click.best_logits())
    assert again.masks.shape == (1, 240, 320)
    seg.find_all(scene.image, "stone")  # another label on the same image: no new ViT run
    assert len(calls) == 1 and seg.encoder_calls == 1


def test_score_threshold_filters_everything_and_bad_text(sam3_dir, scene):
    seg = make(sam3_dir, score_threshold=1.0)
    assert seg.find_all(scene.image, "crab") == []
    with pytest.raises(BackendError, match="empty text prompt"):
        seg.predict_text("  ")


def test_disk_cache_and_unload(sam3_dir, scene, cache_dir):
    import engine.cache.embeddings as emb

    seg = make(sam3_dir, disk_cache=True, cache_dir=str(cache_dir), score_threshold=0.0)
    a = seg.find_all(scene.image, "crab")
    emb._SHARED.clear()
    other = make(sam3_dir, disk_cache=True, cache_dir=str(cache_dir), score_threshold=0.0)
    b = other.find_all(scene.image, "crab")
    assert other.last_source == "disk" and other.encoder_calls == 0
    assert len(a) == len(b) and np.array_equal(a[0].mask, b[0].mask)
    assert other.unload() and not get_manager().is_loaded(other.model_key)


def test_detector_only_folder_does_text_but_refuses_clicks(sam3_dir, scene, tmp_path):
    folder = tmp_path / "sam3-detector"
    shutil.copytree(sam3_dir, folder)
    cfg = json.loads((folder / "config.json").read_text())
    det = dict(cfg["detector_config"], architectures=["Sam3Model"])
    (folder / "config.json").write_text(json.dumps(det))
    seg = make(folder, score_threshold=0.0)
    seg.prepare(scene.image)
    assert seg.predict_text("crab").masks.shape == (1, 240, 320)
    with pytest.raises(BackendError, match="no tracker"):
        seg.predict(scene.box, [])


def test_find_all_with_a_box_exemplar(sam3_dir, scene):
    seg = make(sam3_dir, score_threshold=0.0, max_objects=3)
    found = seg.find_all(scene.image, "crab", box=Box(10, 10, 100, 90))
    assert len(found) <= 3
