"""The `sam` backend: a tiny checkpoint through the user's path, variant detection from shapes,
clear errors for bad files, one encoder call per image, prompts, unload/reload."""

from __future__ import annotations

import argparse
import gc
import weakref

import numpy as np
import pytest
import torch
from conftest import build_tiny_sam, make_sam

from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.segmenters.base import Segmenter
from engine.segmenters.sam import detect_arch, discover_checkpoint, read_checkpoint
from engine.segmenters.sam_common import use_multimask
from engine.types import Point, PointLabel


def test_tiny_checkpoint_loads_through_the_normal_path(tiny_sam_checkpoint, scene):
    seg = make_sam(tiny_sam_checkpoint, None)
    assert isinstance(seg, Segmenter)
    seg.prepare(scene.image)
    pred = seg.predict(scene.box, [])
    h, w = scene.image.shape[:2]
    assert pred.masks.dtype == bool and pred.masks.shape == (1, h, w)
    assert pred.logits.shape == (1, 256, 256) and pred.scores.shape == (1,)
    info = seg.info()
    assert info["variant"] == "custom" and info["checkpoint"] == "my_renamed_model.pth"
    assert info["arch"]["depth"] == 2 and info["arch"]["global_attn_indexes"] == (1,)


def test_same_masks_as_the_package_predictor(tiny_sam_checkpoint, scene):
    """Our cached-embedding path (one mask upsampled) gives SamPredictor's best mask."""
    from segment_anything import SamPredictor

    seg = make_sam(tiny_sam_checkpoint, None)
    seg.prepare(scene.image)
    model = build_tiny_sam()
    model.load_state_dict(torch.load(tiny_sam_checkpoint, weights_only=True))
    ref = SamPredictor(model)
    ref.set_image(scene.image)
    pts = [Point(150, 120), Point(40, 30, PointLabel.NEG)]
    for box, points in [(scene.box, []), (scene.box, pts[:1]), (None, pts[:1]), (scene.box, pts)]:
        ours = seg.predict(box, points)
        kw = {}
        if points:
            kw = {"point_coords": np.array([[p.x, p.y] for p in points]),
                  "point_labels": np.array([int(p.is_positive) for p in points])}
        masks, scores, _ = ref.predict(box=np.array(box.as_list()) if box else None,
                                       multimask_output=use_multimask(box, points), **kw)
        best = int(np.argmax(scores))
        # equal up to float rounding of the bilinear upsampling (OpenCV vs torch) on the 0-logit boundary
        assert (ours.masks[0] != masks[best]).mean() < 1e-3 and ours.masks[0].sum() > 0
        assert ours.scores[0] == pytest.approx(scores[best], abs=1e-5)


@pytest.mark.parametrize("variant", ["vit_b", "vit_l", "vit_h"])
def test_variant_read_from_shapes_only(variant):
    from segment_anything import sam_model_registry

    with torch.device("meta"):  # shapes only: no memory, no weights
        state = sam_model_registry[variant]().state_dict()
    arch = detect_arch(state, "x.pth")
    assert arch.variant == variant
    expected = {"vit_b": (768, 12, 12), "vit_l": (1024, 24, 16), "vit_h": (1280, 32, 16)}[variant]
    assert (arch.embed_dim, arch.depth, arch.num_heads) == expected
    assert arch.window_size == 14 and arch.decoder_heads == 8 and arch.decoder_mlp_dim == 2048
    plain = {k: tuple(v.shape) for k, v in state.items()}  # bare shapes work too
    assert detect_arch(plain) == arch


def test_bad_files_give_one_line_naming_the_file(tmp_path, tiny_sam_checkpoint):
    garbage = tmp_path / "sam_vit_h_4b8939.pth"  # an official name does not make it a checkpoint
    garbage.write_bytes(b"definitely not a checkpoint" * 10)
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(tiny_sam_checkpoint.read_bytes()[:5000])
    other = tmp_path / "resnet.pth"
    torch.save({"conv1.weight": torch.zeros(2, 3, 3, 3)}, other)
    pickled = tmp_path / "pickled.pth"
    torch.save({"image_encoder.patch_embed.proj.weight": torch.zeros(1), "opts": argparse.Namespace(a=1)}, pickled)
    for path, words in [(garbage, "not a PyTorch checkpoint"), (truncated, "not a readable PyTorch checkpoint"),
                        (other, "not a SAM checkpoint"), (pickled, "weights_only"),
                        (tmp_path / "missing.pth", "not found")]:
        with pytest.raises(BackendError) as info:
            if path.exists():
                detect_arch(read_checkpoint(path), str(path))
            else:
                make_sam(path, None)
        msg = str(info.value)
        assert str(path) in msg and words in msg and "\n" not in msg
    seg = make_sam(garbage, None)  # lazy: the error comes on first use, through the manager
    with pytest.raises(BackendError, match="sam_vit_h_4b8939.pth: not a PyTorch checkpoint"):
        seg.prepare(np.zeros((32, 32, 3), np.uint8))


def test_encoder_runs_once_across_many_predicts(tiny_sam_checkpoint, scene, cache_dir):
    seg = make_sam(tiny_sam_checkpoint, cache_dir)
    calls = []
    seg.model().image_encoder.register_forward_hook(lambda *a: calls.append(1))
    seg.prepare(scene.image)
    pred = seg.predict(scene.box, [])
    points: list[Point] = []
    rng = np.random.default_rng(0)
    for i in range(12):  # accumulating clicks, each feeding back the previous logits
        points.append(Point(float(rng.uniform(0, 320)), float(rng.uniform(0, 240)), PointLabel.POS if i % 2 else PointLabel.NEG))
        pred = seg.predict(scene.box, points, pred.best_logits())
        assert pred.masks.shape == (1, 240, 320)
    seg.prepare(scene.image)  # the same image again (e.g. reopened): still no encoder
    seg.predict(None, points[:1])
    assert len(calls) == 1 and seg.encoder_calls == 1
    seg.prepare(scene.image[::-1].copy())  # a different image: one more
    assert len(calls) == 2


def test_prompt_rules():
    box = object()
    p = Point(1, 1)
    assert use_multimask(box, []) and use_multimask(None, [p])
    assert not use_multimask(box, [p]) and not use_multimask(None, [p, p])


def test_all_masks_option_returns_the_candidates(tiny_sam_checkpoint, scene):
    seg = make_sam(tiny_sam_checkpoint, None, all_masks=True)
    seg.prepare(scene.image)
    assert seg.predict(scene.box, []).masks.shape[0] == 3  # ambiguous: three candidates
    assert seg.predict(scene.box, [Point(150, 120), Point(20, 20, PointLabel.NEG)]).masks.shape[0] == 1
    never = make_sam(tiny_sam_checkpoint, None, all_masks=True, multimask="never")
    never.prepare(scene.image)
    assert never.predict(scene.box, []).masks.shape[0] == 1


def test_predict_before_prepare_and_empty_prompt(tiny_sam_checkpoint, scene):
    seg = make_sam(tiny_sam_checkpoint, None)
    with pytest.raises(BackendError, match="prepare"):
        seg.predict(scene.box, [])
    seg.prepare(scene.image)
    empty = seg.predict(None, [])
    assert empty.masks.shape == (1, 240, 320) and not empty.masks.any()


def test_checkpoint_discovered_in_models_dir(tmp_path, tiny_sam_checkpoint):
    assert discover_checkpoint(tmp_path / "nothing") is None
    models = tmp_path / "models"
    (models / "sub").mkdir(parents=True)
    (models / "zzz_big.pth").write_bytes(b"x" * 100)
    (models / "sub" / "sam_vit_b_01ec64.pth").write_bytes(tiny_sam_checkpoint.read_bytes())
    assert discover_checkpoint(models).name == "sam_vit_b_01ec64.pth"  # an official name wins over size
    from engine.registry import SEGMENTERS

    seg = SEGMENTERS.create("sam", models_dir=str(models), disk_cache=False)
    assert seg.checkpoint.name == "sam_vit_b_01ec64.pth"
    with pytest.raises(BackendError, match="no .pth found.*sam-sculpt models download sam"):
        SEGMENTERS.create("sam", models_dir=str(tmp_path / "empty"), disk_cache=False)


def test_unload_frees_the_model_and_reloads_on_demand(tiny_sam_checkpoint, scene):
    seg = make_sam(tiny_sam_checkpoint, None)
    seg.prepare(scene.image)
    first = seg.predict(scene.box, [])
    ref = weakref.ref(seg.model())
    assert ref() is not None
    assert seg.unload("test")
    gc.collect()
    assert ref() is None
    again = seg.predict(scene.box, [])  # reloads lazily; the embedding is still cached
    assert np.array_equal(first.masks, again.masks) and seg.encoder_calls == 1
    assert any("reloaded" in e for e in get_manager().events)


def test_device_and_dtype_choice():
    from engine.segmenters.devices import resolve_device, resolve_dtype

    assert resolve_device("auto").type in ("cuda", "mps", "cpu")
    assert resolve_dtype("bf16", torch.device("cpu")) is torch.float32
    if not torch.cuda.is_available():
        with pytest.raises(BackendError, match="CUDA is not available"):
            resolve_device("cuda")
    with pytest.raises(BackendError, match="dtype"):
        resolve_dtype("int8", torch.device("cpu"))


def test_decoder_threads_apply_to_clicks_only(tiny_sam_checkpoint, scene):
    before = torch.get_num_threads()
    seg = make_sam(tiny_sam_checkpoint, None, decoder_threads=1, runtime="torch")  # the torch decoder's threads
    seg.prepare(scene.image)
    seen = []
    seg.model().mask_decoder.transformer.register_forward_pre_hook(lambda *a: seen.append(torch.get_num_threads()))
    one = seg.predict(scene.box, [Point(150, 120)])
    assert seen == [1] and torch.get_num_threads() == before
    plain = make_sam(tiny_sam_checkpoint, None, runtime="torch")
    plain.prepare(scene.image)
    assert np.array_equal(plain.predict(scene.box, [Point(150, 120)]).masks, one.masks)
