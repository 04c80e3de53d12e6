"""`sam-hf`: a tiny SamModel saved with save_pretrained, loaded offline through the user's path."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from engine.errors import BackendError
from engine.registry import SEGMENTERS
from engine.segmenters.sam_hf import discover_model_dir
from engine.types import Point, PointLabel


def make(model_dir, cache_dir=None, **kw):
    if cache_dir is None:
        return SEGMENTERS.create("sam-hf", model_dir=str(model_dir), disk_cache=False, **kw)
    return SEGMENTERS.create("sam-hf", model_dir=str(model_dir), cache_dir=str(cache_dir), **kw)


def test_tiny_dir_loads_offline_and_predicts(tiny_sam_hf_dir, scene, cache_dir):
    seg = make(tiny_sam_hf_dir, cache_dir)
    calls = []
    model, processor = seg.model()
    model.vision_encoder.register_forward_hook(lambda *a: calls.append(1))
    seg.prepare(scene.image)
    pred = seg.predict(scene.box, [])
    points = []
    for i in range(6):
        points.append(Point(100 + 20 * i, 100 + 10 * i, PointLabel.POS if i % 2 == 0 else PointLabel.NEG))
        pred = seg.predict(scene.box, points, pred.best_logits())
    assert pred.masks.shape == (1, 240, 320) and pred.masks.dtype == bool and pred.logits.shape == (1, 256, 256)
    assert len(calls) == 1 and seg.encoder_calls == 1
    assert seg.info()["model_dir"] == "sam-vit-tiny"


def test_same_mask_as_the_processor_pipeline(tiny_sam_hf_dir, scene):
    """Our cached path equals transformers' own processor + forward + post_process_masks."""
    seg = make(tiny_sam_hf_dir)
    seg.prepare(scene.image)
    model, processor = seg.model()
    inputs = processor(images=scene.image, input_points=[[[[150, 110]]]], return_tensors="pt")
    with torch.no_grad():
        out = model(**inputs, multimask_output=True)
    masks = processor.post_process_masks(out.pred_masks, inputs["original_sizes"], inputs["reshaped_input_sizes"])[0][0]
    best = int(out.iou_scores[0, 0].argmax())
    ours = seg.predict(None, [Point(150, 110)])
    assert (ours.masks[0] != masks[best].numpy()).mean() < 1e-3  # up to float rounding on the boundary


def test_disk_cache_shared_by_a_new_instance(tiny_sam_hf_dir, scene, cache_dir):
    import engine.cache.embeddings as emb

    make(tiny_sam_hf_dir, cache_dir).prepare(scene.image)
    emb._SHARED.clear()  # as after a restart
    again = make(tiny_sam_hf_dir, cache_dir)
    again.prepare(scene.image)
    assert again.last_source == "disk" and again.encoder_calls == 0


def test_discovery_and_bad_folders(tmp_path, tiny_sam_hf_dir):
    models = tmp_path / "models"
    shutil.copytree(tiny_sam_hf_dir, models / "sam-vit-huge")
    (models / "not-sam").mkdir()
    (models / "not-sam" / "config.json").write_text(json.dumps({"model_type": "clip"}))
    assert discover_model_dir(models) == models / "sam-vit-huge"
    seg = SEGMENTERS.create("sam-hf", models_dir=str(models), disk_cache=False)
    assert seg.model_dir.name == "sam-vit-huge"
    with pytest.raises(BackendError, match="not a Hugging Face SAM folder"):
        make(models / "not-sam")
    with pytest.raises(BackendError, match="not found"):
        make(tmp_path / "nowhere")
    with pytest.raises(BackendError, match="no SAM folder found"):
        SEGMENTERS.create("sam-hf", models_dir=str(tmp_path / "empty"), disk_cache=False)
    broken = tmp_path / "broken"
    shutil.copytree(tiny_sam_hf_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not safetensors")
    seg = make(broken)
    with pytest.raises(BackendError, match="broken: could not load the SAM model"):
        seg.prepare(np.zeros((16, 16, 3), np.uint8))
