"""The SAM 2 family's ONNX decoder (runtime: torch | onnx | auto) on the tiny random-weight folders: export +
agreement with torch, the same masks as the torch runtime, the cache reused on a second load, `torch` never
exports, `auto` falls back to torch when onnxruntime is missing, a family without an exportable decoder refuses."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

import engine.segmenters.onnx_common as onnx_common
import engine.segmenters.onnx_sam2 as onnx_sam2
from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import SEGMENTERS
from engine.segmenters.onnx_common import mask_iou
from engine.types import Point, PointLabel


@pytest.fixture()
def folder(request, sam2_dir, edgetam_dir):
    return {"sam2": sam2_dir, "edgetam": edgetam_dir}[request.param]


def make(name, model_dir, cache_dir, **kw):
    return SEGMENTERS.create(name, model_dir=str(model_dir), cache_dir=str(cache_dir), **kw)


def clicks(seg, scene):
    """Masks of a fixed click sequence: box, box + clicks with the previous mask, one click alone (multimask)."""
    seg.prepare(scene.image)
    pred = seg.predict(scene.box, [])
    out = [pred]
    points = []
    for i in range(3):
        points.append(Point(110 + 25 * i, 100 + 12 * i, PointLabel.POS if i % 2 == 0 else PointLabel.NEG))
        pred = seg.predict(scene.box, points, pred.best_logits())
        out.append(pred)
    out.append(seg.predict(None, [Point(150, 110)]))
    return out


def export_dirs(cache_dir):
    return sorted((cache_dir / "onnx").glob("*-sam2-v*")) if (cache_dir / "onnx").is_dir() else []


@pytest.mark.parametrize("name,folder", [("sam2", "sam2"), ("edgetam", "edgetam")], indirect=["folder"])
def test_onnx_export_agrees_with_torch_and_gives_the_same_masks(name, folder, scene, cache_dir):
    seg = make(name, folder, cache_dir, runtime="onnx")
    ref = make(name, folder, cache_dir, runtime="torch")
    ours = clicks(seg, scene)
    assert seg.decoder_runtime == "onnx" and ref.decoder_runtime == "torch"
    theirs = clicks(ref, scene)
    rec = seg.onnx_record
    assert rec.iou_min >= 0.99 and rec.max_abs_diff < 1e-3
    (folder_out,) = export_dirs(cache_dir)
    assert json.loads((folder_out / "export.json").read_text())["iou_min"] == rec.iou_min
    assert {p.name for p in folder_out.glob("*.onnx")} == set(onnx_sam2.FILES.values())
    for a, b in zip(ours, theirs, strict=True):
        assert np.abs(a.logits - b.logits).max() < 1e-3
        assert mask_iou(a.masks[0], b.masks[0]) >= 0.99
    info = seg.info()
    assert info["runtime"] == "onnx" and info["onnx"]["iou_min"] == rec.iou_min


def test_a_second_load_reuses_the_cached_export(sam2_dir, scene, cache_dir, monkeypatch):
    first = make("sam2", sam2_dir, cache_dir, runtime="auto")
    first.model()
    assert first.decoder_runtime == "onnx"
    (out,) = export_dirs(cache_dir)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    first.unload()
    get_manager().unload_all("restart")

    def no_export(*a, **k):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_sam2, "export_decoders", no_export)
    second = make("sam2", sam2_dir, cache_dir, runtime="auto")
    second.prepare(scene.image)
    assert second.decoder_runtime == "onnx" and second.predict(scene.box, []).masks.shape == (1, 240, 320)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_runtime_torch_never_exports(sam2_dir, scene, cache_dir, monkeypatch):
    def no_export(*a, **k):
        raise AssertionError("torch runtime exported")

    monkeypatch.setattr(onnx_sam2, "export_decoders", no_export)
    seg = make("sam2", sam2_dir, cache_dir, runtime="torch")
    seg.prepare(scene.image)
    seg.predict(scene.box, [])
    assert seg.decoder_runtime == "torch" and export_dirs(cache_dir) == [] and "onnx" not in seg.info()


def _no_onnxruntime():
    err = ImportError("No module named 'onnxruntime'")
    err.name = "onnxruntime"
    raise err


def test_auto_falls_back_to_torch_without_onnxruntime(sam2_dir, scene, cache_dir, monkeypatch, caplog):
    monkeypatch.setattr(onnx_common, "import_onnx_packages", _no_onnxruntime)
    seg = make("sam2", sam2_dir, cache_dir, runtime="auto")
    with caplog.at_level(logging.INFO, logger="sam_sculpt.onnx"):
        seg.prepare(scene.image)
    assert seg.decoder_runtime == "torch" and export_dirs(cache_dir) == []
    assert sum("onnxruntime not installed" in r.getMessage() for r in caplog.records) == 1
    assert seg.predict(scene.box, []).masks.shape == (1, 240, 320)


def test_runtime_onnx_without_onnxruntime_is_one_line(sam2_dir, scene, cache_dir, monkeypatch):
    monkeypatch.setattr(onnx_common, "import_onnx_packages", _no_onnxruntime)
    seg = make("sam2", sam2_dir, cache_dir, runtime="onnx")
    with pytest.raises(BackendError, match="onnx") as exc:
        seg.prepare(scene.image)
    assert "\n" not in str(exc.value)


def test_auto_keeps_torch_when_the_check_disagrees(sam2_dir, scene, cache_dir, monkeypatch):
    monkeypatch.setattr(onnx_sam2, "agreement", lambda model, dec, seed=0: (0.5, 3.0))  # stub: a failed check
    seg = make("sam2", sam2_dir, cache_dir, runtime="auto")
    seg.prepare(scene.image)
    assert seg.decoder_runtime == "torch" and seg.onnx_record.iou_min == 0.5


def test_a_family_without_an_onnx_decoder_refuses_the_option(sam_hq_dir, sam2_dir):
    with pytest.raises(BackendError, match="runtime must be torch"):
        SEGMENTERS.create("sam-hq", model_dir=str(sam_hq_dir), disk_cache=False, runtime="onnx")
    with pytest.raises(BackendError, match="torch, onnx or auto"):
        SEGMENTERS.create("sam2", model_dir=str(sam2_dir), disk_cache=False, runtime="tensorrt")


def test_settings_take_the_runtime():
    from engine.config.sam_families import EdgeTamOptions, Sam2Options

    assert Sam2Options().runtime == "auto" and EdgeTamOptions(runtime="torch").runtime == "torch"
    with pytest.raises(ValueError):
        Sam2Options(runtime="tensorrt")


def test_the_check_of_a_half_precision_model_is_against_torch_fp32(sam2_dir):
    import torch
    from transformers import Sam2Model

    model = Sam2Model.from_pretrained(sam2_dir, local_files_only=True).eval().to(torch.bfloat16)
    dec, rec = onnx_sam2.cached_decoder(model, "half-test", None)
    assert rec.iou_min >= 0.99 and rec.max_abs_diff < 1e-3
