"""ONNX Runtime paths: `sam` with runtime onnx / auto (decoder exported from the checkpoint, cached by
fingerprint, checked against torch), the optional int8 decoder, and `sam-onnx` (numpy + onnxruntime
only) in a process where importing torch fails, with our export and with the standard file layout."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import build_tiny_sam, make_sam

from engine.errors import BackendError
from engine.segmenters.onnx_common import mask_iou
from engine.types import Point, PointLabel

pytest.importorskip("onnxruntime")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.package.blocker import run_blocked  # noqa: E402

PROMPTS = [(True, []), (True, [Point(150, 120)]), (False, [Point(150, 120)]),
           (True, [Point(150, 120), Point(40, 30, PointLabel.NEG), Point(200, 150)])]


def _agree(a, b) -> None:
    assert (a.masks != b.masks).mean() < 1e-3 and a.masks.any()
    assert np.allclose(a.scores, b.scores, atol=1e-4)


def test_onnx_decoder_gives_the_torch_masks(tiny_sam_checkpoint, scene):
    ours = make_sam(tiny_sam_checkpoint, None, runtime="onnx")
    ref = make_sam(tiny_sam_checkpoint, None, runtime="torch")
    for seg in (ours, ref):
        seg.prepare(scene.image)
    assert ours.decoder_runtime == "onnx" and ref.decoder_runtime == "torch"
    for use_box, points in PROMPTS:
        box = scene.box if use_box else None
        a, b = ours.predict(box, points), ref.predict(box, points)
        _agree(a, b)
        _agree(ours.predict(box, points, a.best_logits()), ref.predict(box, points, b.best_logits()))  # mask input
    info = ours.info()
    assert info["runtime"] == "onnx" and info["onnx"]["fp32_iou_min"] >= 0.99


def test_export_cached_under_the_weights_fingerprint(tiny_sam_checkpoint, scene, tmp_path):
    from engine.segmenters.onnx_common import file_fingerprint
    from engine.segmenters.onnx_export import EXPORT_VERSION

    onnx_dir = tmp_path / "cache" / "onnx"
    fp = file_fingerprint(Path(tiny_sam_checkpoint))
    older, other = onnx_dir / f"{fp}-v{EXPORT_VERSION - 1}", onnx_dir / f"{fp}-sam2-v1"
    for d in (older, other):  # an older graph version of these weights, and another backend's export
        d.mkdir(parents=True)
        (d / "export.json").write_text("{}")
    seg = make_sam(tiny_sam_checkpoint, tmp_path / "cache", runtime="auto")
    seg.prepare(scene.image)
    assert seg.decoder_runtime == "onnx" and seg._fingerprint == fp
    assert not older.exists() and other.is_dir()  # the new export removed only its own older version
    folder = onnx_dir / f"{seg._fingerprint}-v{EXPORT_VERSION}"
    record = json.loads((folder / "export.json").read_text())
    prompt = folder / "decoder_prompt.onnx"
    assert prompt.is_file() and (folder / "decoder_image.onnx").is_file() and record["fp32_iou_min"] >= 0.99
    mtime = prompt.stat().st_mtime_ns
    seg.unload()
    again = make_sam(tiny_sam_checkpoint, tmp_path / "cache", runtime="auto")
    again.prepare(scene.image)
    assert again.decoder_runtime == "onnx" and prompt.stat().st_mtime_ns == mtime  # reused


@pytest.mark.slow
def test_int8_decoder_reports_its_agreement(tiny_sam_checkpoint, scene, tmp_path):
    seg = make_sam(tiny_sam_checkpoint, tmp_path / "cache", runtime="onnx", quantize="int8")
    seg.prepare(scene.image)
    pred = seg.predict(scene.box, [Point(150, 120)])
    iou = seg.info()["onnx"]["int8_iou_min"]
    assert pred.masks.shape[1:] == scene.image.shape[:2] and 0.5 < iou <= 1.0
    seg.unload()
    with pytest.raises(BackendError, match="disk cache"):
        make_sam(tiny_sam_checkpoint, None, runtime="onnx", quantize="int8").model()
    with pytest.raises(BackendError, match="runtime must be"):
        make_sam(tiny_sam_checkpoint, None, runtime="tensorrt")


def test_auto_keeps_torch_without_onnxruntime(tiny_sam_checkpoint):
    r = run_blocked(f"""
        from engine.registry import SEGMENTERS
        from engine.errors import BackendError
        seg = SEGMENTERS.create("sam", checkpoint={str(tiny_sam_checkpoint)!r}, disk_cache=False)
        print("AUTO", seg.decoder_runtime)
        try:
            SEGMENTERS.create("sam", checkpoint={str(tiny_sam_checkpoint)!r}, disk_cache=False, runtime="onnx").model()
        except BackendError as exc:
            print("ONNX", exc)
    """, blocked=("onnxruntime", "onnx"), timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "AUTO torch" in r.stdout
    assert "pip install 'sam-sculpt[onnx]'" in r.stdout


@pytest.fixture(scope="module")
def onnx_pair(tmp_path_factory, tiny_sam_checkpoint):
    from engine.models import export_onnx_cmd

    out = tmp_path_factory.mktemp("onnx_pair")
    args = argparse.Namespace(checkpoint=tiny_sam_checkpoint, out=out, name="tiny", quantize="none", no_encoder=False)
    assert export_onnx_cmd.run(args) == 0
    return out / "tiny.encoder.onnx", out / "tiny.decoder.onnx"


@pytest.mark.slow
def test_sam_onnx_sculpts_where_torch_cannot_be_imported(onnx_pair, tiny_sam_checkpoint, scene, tmp_path):
    from engine.io.atomic import write_image

    enc, dec = onnx_pair
    write_image(tmp_path / "scene.png", scene.image)
    ref = make_sam(tiny_sam_checkpoint, None, runtime="torch")
    ref.prepare(scene.image)
    want = ref.predict(scene.box, [Point(150, 120)]).masks[0]
    np.save(tmp_path / "want.npy", want)
    b = scene.box
    r = run_blocked(f"""
        import numpy as np
        from engine.io.images import load_image
        from engine.models.locations import ENV_VAR
        from engine.registry import SEGMENTERS
        from engine.types import Box, Point
        import os
        os.environ[ENV_VAR] = {str(enc.parent)!r}  # found through the model folder search order
        seg = SEGMENTERS.create("sam-onnx", disk_cache=False)
        seg.prepare(load_image({str(tmp_path / 'scene.png')!r}))
        got = seg.predict(Box({b.x0}, {b.y0}, {b.x1}, {b.y1}), [Point(150, 120)]).masks[0]
        want = np.load({str(tmp_path / 'want.npy')!r})
        inter, union = np.logical_and(got, want).sum(), np.logical_or(got, want).sum()
        print("IOU", inter / union, seg.info()["encoder"], "DEC", type(seg.model().decoder).__name__)
        print("HEAVY", sorted(m for m in sys.modules if m.split(".")[0] in _BLOCKED and sys.modules[m] is not None))
    """, blocked=("torch", "torchvision", "segment_anything", "transformers"), timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    iou = float(r.stdout.split("IOU ")[1].split()[0])
    assert iou > 0.98 and "tiny.encoder.onnx" in r.stdout and "HEAVY []" in r.stdout
    assert "DEC SplitDecoderSession" in r.stdout  # the export's split decoder, found beside the decoder


@pytest.mark.slow
def test_sam_onnx_reads_the_standard_export_layout(onnx_pair, tmp_path, scene):
    """segment_anything's own scripts/export_onnx_model.py layout (SamOnnxModel with orig_im_size and the
    full-size masks output), as labelme / X-AnyLabeling users have it."""
    import warnings

    from segment_anything.utils.onnx import SamOnnxModel

    from engine.registry import SEGMENTERS

    enc, ours_dec = onnx_pair
    model = build_tiny_sam()  # the same seeded weights as tiny_sam_checkpoint
    std = tmp_path / "tiny_std.decoder.onnx"
    args = (torch.randn(1, 32, 64, 64), torch.randint(0, 1024, (1, 5, 2)).float(), torch.randint(0, 4, (1, 5)).float(),
            torch.randn(1, 1, 256, 256), torch.tensor([1.0]), torch.tensor([480.0, 640.0]))
    names = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(SamOnnxModel(model, return_single_mask=False), args, str(std), input_names=names,
                          output_names=["masks", "iou_predictions", "low_res_masks"], opset_version=17, dynamo=False,
                          dynamic_axes={"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}})
    std_seg = SEGMENTERS.create("sam-onnx", encoder=str(enc), decoder=str(std), disk_cache=False)
    ours = SEGMENTERS.create("sam-onnx", encoder=str(enc), decoder=str(ours_dec), disk_cache=False)
    for seg in (std_seg, ours):
        seg.prepare(scene.image)
    a = std_seg.predict(scene.box, [Point(150, 120)])
    b = ours.predict(scene.box, [Point(150, 120)])
    assert std_seg.model().decoder.needs_orig_size and mask_iou(a.masks[0], b.masks[0]) > 0.999
    assert type(ours.model().decoder).__name__ == "SplitDecoderSession"  # our export: the split decoder
    replaced = tmp_path / "tiny.decoder.onnx"  # another tool's decoder over ours: the split pair is not used
    for f in ("tiny.decoder_image.onnx", "tiny.decoder_prompt.onnx", "tiny.decoder_split.json"):
        (tmp_path / f).write_bytes((ours_dec.parent / f).read_bytes())
    replaced.write_bytes(std.read_bytes())
    other = SEGMENTERS.create("sam-onnx", encoder=str(enc), decoder=str(replaced), disk_cache=False)
    assert type(other.model().decoder).__name__ == "DecoderSession"
    bad = tmp_path / "not_sam.onnx"
    bad.write_bytes(b"not an onnx file")
    with pytest.raises(BackendError, match="not_sam.onnx"):
        SEGMENTERS.create("sam-onnx", encoder=str(enc), decoder=str(bad), disk_cache=False).model()


def test_sam_onnx_names_the_search_when_nothing_is_found(tmp_path, monkeypatch):
    from engine.registry import SEGMENTERS

    monkeypatch.setenv("SAM_SCULPT_MODELS", str(tmp_path / "nothing"))
    with pytest.raises(BackendError, match="export-onnx") as err:
        SEGMENTERS.create("sam-onnx", models_dir=str(tmp_path / "nowhere"))
    assert "nowhere" in str(err.value)
