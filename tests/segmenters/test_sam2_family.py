"""sam2, sam-hq and edgetam: tiny save_pretrained folders loaded offline through the user's path; prepare +
predict with box and points, previous-mask prompt, cached embedding (memory, then disk in a new instance),
same masks as transformers' own full forward, unload."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import SEGMENTERS
from engine.types import Point, PointLabel

FAMILIES = ["sam2", "sam-hq", "edgetam"]


@pytest.fixture()
def folder(request, sam2_dir, sam_hq_dir, edgetam_dir):
    return {"sam2": sam2_dir, "sam-hq": sam_hq_dir, "edgetam": edgetam_dir}[request.param]


def make(name, model_dir, cache_dir=None, **kw):
    if cache_dir is None:
        return SEGMENTERS.create(name, model_dir=str(model_dir), disk_cache=False, **kw)
    return SEGMENTERS.create(name, model_dir=str(model_dir), cache_dir=str(cache_dir), **kw)


@pytest.mark.parametrize("name,folder", [(n, n) for n in FAMILIES], indirect=["folder"])
def test_loads_offline_prepares_once_and_predicts(name, folder, scene, cache_dir):
    seg = make(name, folder, cache_dir)
    assert not get_manager().is_loaded(seg.model_key)  # lazy: nothing loaded at construction
    calls = []
    model, _ = seg.model()
    model.vision_encoder.register_forward_hook(lambda *a: calls.append(1))
    seg.prepare(scene.image)
    assert seg.last_source == "computed"
    pred = seg.predict(scene.box, [])
    assert pred.masks.shape == (1, 240, 320) and pred.masks.dtype == bool
    assert pred.logits.shape[0] == 1 and pred.logits.shape[1] == pred.logits.shape[2]
    points = []
    for i in range(4):
        points.append(Point(100 + 20 * i, 100 + 10 * i, PointLabel.POS if i % 2 == 0 else PointLabel.NEG))
        pred = seg.predict(scene.box, points, pred.best_logits())
        assert pred.masks.shape == (1, 240, 320) and np.isfinite(pred.scores).all()
    single = seg.predict(None, [Point(150, 110)])  # one click alone: three candidates, the best kept
    assert single.masks.shape == (1, 240, 320)
    seg.prepare(scene.image)  # second prepare: a memory hit, no encoder run
    assert seg.last_source == "memory" and len(calls) == 1 and seg.encoder_calls == 1
    info = seg.info()
    assert info["name"] == name and info["model_dir"] == folder.name and info["embedding_source"] == "memory"
    assert seg.unload() and not get_manager().is_loaded(seg.model_key)
    again = seg.predict(scene.box, [])  # reloads lazily after an unload
    assert again.masks.shape == (1, 240, 320)


@pytest.mark.parametrize("name,folder", [(n, n) for n in FAMILIES], indirect=["folder"])
def test_disk_cache_shared_by_a_new_instance(name, folder, scene, cache_dir):
    import engine.cache.embeddings as emb

    first = make(name, folder, cache_dir)
    first.prepare(scene.image)
    a = first.predict(scene.box, [Point(160, 120)])
    emb._SHARED.clear()  # as after a restart
    second = make(name, folder, cache_dir)
    second.prepare(scene.image)
    assert second.last_source == "disk" and second.encoder_calls == 0
    b = second.predict(scene.box, [Point(160, 120)])
    assert np.array_equal(a.masks, b.masks)


@pytest.mark.parametrize("name,folder", [(n, n) for n in FAMILIES], indirect=["folder"])
def test_same_masks_as_the_full_forward(name, folder, scene):
    """Our cached, packed path gives transformers' own pixel_values forward (low-res logits compared)."""
    seg = make(name, folder, all_masks=True, multimask="always")
    seg.prepare(scene.image)
    model, processor = seg.model()
    x, y = 150, 110
    inputs = processor(images=scene.image, return_tensors="pt")
    ih, iw = seg._emb.input_size
    pts = torch.tensor([[[[x * iw / 320, y * ih / 240]]]])
    kw = {"hq_token_only": False} if name == "sam-hq" else {}
    with torch.no_grad():
        out = model(pixel_values=inputs["pixel_values"], input_points=pts, input_labels=torch.tensor([[[1]]]),
                    multimask_output=True, **kw)
    ours = seg.predict(None, [Point(x, y)])
    assert ours.logits.shape == tuple(out.pred_masks[0, 0].shape)
    assert np.allclose(ours.logits, out.pred_masks[0, 0].numpy(), atol=1e-4)


def test_wrong_folder_type_is_one_line(sam2_dir, sam_hq_dir, tmp_path):
    with pytest.raises(BackendError, match="not a SAM-HQ folder"):
        make("sam-hq", sam2_dir)
    with pytest.raises(BackendError, match="model folder not found"):
        make("sam2", tmp_path / "nope")


def test_broken_weights_fail_on_load_with_one_line(sam2_dir, tmp_path, scene):
    import shutil

    bad = tmp_path / "broken-sam2"
    shutil.copytree(sam2_dir, bad)
    (bad / "model.safetensors").write_bytes(b"not a safetensors file")
    seg = make("sam2", bad)
    with pytest.raises(BackendError, match="could not load the SAM 2 model"):
        seg.prepare(scene.image)


def test_a_sam2_video_checkpoint_loads_into_the_image_model(sam2_dir, tmp_path, scene):
    """Video-capable hub repos store a `sam2_video` config; every Sam2Model tensor must come from the file."""
    from safetensors.torch import load_file

    from tests.segmenters.tiny_families import build_sam2_video

    folder = build_sam2_video(tmp_path / "sam2.1-hiera-tiny-video", sam2_dir)
    seg = make("sam2", folder)
    assert seg.model_type == "sam2_video"
    seg.prepare(scene.image)
    assert seg.predict(scene.box, [Point(100, 100)]).masks.shape == (1, 240, 320)
    model, _ = seg.model()
    saved = load_file(str(folder / "model.safetensors"))
    assert all(k in saved and torch.equal(v, saved[k]) for k, v in model.state_dict().items())


def test_missing_packages_are_one_line(sam2_dir, edgetam_dir, scene, monkeypatch):
    import importlib.util

    seg = make("sam2", sam2_dir)
    seg.model_class = "Sam9Model"  # as with a transformers release that predates the family
    with pytest.raises(BackendError, match="needs transformers with Sam9Model"):
        seg.prepare(scene.image)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "timm" else real(n, *a))
    with pytest.raises(BackendError, match="needs the timm package"):
        make("edgetam", edgetam_dir).prepare(scene.image)
