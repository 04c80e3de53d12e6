"""Inpainters: the crop strategy, the opencv backend end to end, the tiny SD pipeline loaded from its
saved folder; pixels outside the dilated mask never change."""

from __future__ import annotations

import numpy as np
import pytest

from engine.edit.inpainters.base import InpaintRequest, crop_region, dilate, work_size
from engine.edit.inpainters.sd import SDInpainter
from engine.errors import InputError
from engine.registry import INPAINTERS
from engine.samples import generate_scene
from tests.edit.conftest import changed


def test_registry_lists_the_backends():
    assert {"opencv", "sd"} <= set(INPAINTERS.names())


def test_work_size_and_crop_region():
    assert work_size(300, 150, 512, None, 8) == (512, 256)
    assert work_size(2000, 1000, None, 1024, 1) == (1024, 512)
    assert work_size(100, 60, None, 1024, 1) == (100, 60)
    w, h = work_size(333, 517, 512, None, 8)
    assert w % 8 == 0 and h == 512
    mask = np.zeros((400, 600), bool)
    mask[100:140, 500:560] = True
    x0, y0, x1, y1 = crop_region(mask, 0.25, 16)
    assert x0 <= 500 and y0 <= 100 and x1 >= 560 and y1 >= 140 and x1 <= 600  # slid inside the image
    assert abs((x1 - x0) - (y1 - y0)) <= 1  # grown to a square


def test_opencv_end_to_end_changes_only_the_dilated_mask(scene):
    inp = INPAINTERS.create("opencv", mask_dilate=6)
    res = inp.inpaint(scene.image, scene.gt)
    diff = changed(res.image, scene.image)
    assert not diff[~dilate(scene.gt, 6)].any()
    assert diff[scene.gt].mean() > 0.9
    assert res.mask.sum() > scene.gt.sum()
    assert inp.info()["method"] == "telea"


def test_opencv_large_image_uses_a_crop():
    big = generate_scene(seed=2, size=(2048, 1536))
    mask = np.zeros(big.gt.shape, bool)
    mask[700:760, 1000:1100] = True
    res = INPAINTERS.create("opencv", method="ns").inpaint(big.image, mask)
    assert res.region.width < 400 and res.region.height < 400
    assert not changed(res.image, big.image)[~res.mask].any()


def test_full_strategy_without_paste_back_changes_the_outside(scene):
    # the prototype's behaviour: the model's output replaces the whole image
    res = INPAINTERS.create("opencv", strategy="full", paste_back=False, max_side=128).inpaint(scene.image, scene.gt)
    assert changed(res.image, scene.image)[~res.mask].mean() > 0.5


@pytest.fixture(scope="module")
def sd(tiny_sd_dir):
    return INPAINTERS.create("sd", model_dir=str(tiny_sd_dir), mask_dilate=4)


def test_sd_edit_changes_only_the_dilated_mask(sd, scene):
    res = sd.inpaint(scene.image, scene.gt, InpaintRequest("a red crab", steps=2, seed=1))
    assert res.work_size[0] == 64 or res.work_size[1] == 64  # the tiny UNet's resolution (sample_size x VAE factor)
    diff = changed(res.image, scene.image)
    assert not diff[~dilate(scene.gt, 4)].any()
    assert diff[scene.gt].mean() > 0.5
    info = sd.info()
    assert info["dtype"] == "float32" and info["device"] == "cpu" and info["resolution"] == 64


def test_sd_same_seed_same_output(sd, scene):
    a = sd.inpaint(scene.image, scene.gt, InpaintRequest("a red crab", steps=2, seed=7)).image
    b = sd.inpaint(scene.image, scene.gt, InpaintRequest("a red crab", steps=2, seed=7)).image
    c = sd.inpaint(scene.image, scene.gt, InpaintRequest("a red crab", steps=2, seed=8)).image
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_sd_reports_progress_and_loads_once(sd, tiny_sd_dir, scene):
    steps = []
    sd.inpaint(scene.image, scene.gt, InpaintRequest("x", steps=3, seed=1, progress=lambda i, n: steps.append((i, n))))
    n = steps[-1][1]
    assert n >= 3 and steps == [(i, n) for i in range(1, n + 1)]
    other = SDInpainter(model_dir=str(tiny_sd_dir))
    assert other.load() is sd.load()  # the model manager keeps one pipeline per folder/device/dtype


def test_bad_inputs_give_clear_errors(tmp_path, scene):
    inp = INPAINTERS.create("opencv")
    with pytest.raises(InputError, match="mask is 10x10 but the image is 320x240"):
        inp.inpaint(scene.image, np.ones((10, 10), bool))
    with pytest.raises(InputError, match="empty"):
        inp.inpaint(scene.image, np.zeros(scene.gt.shape, bool))
    with pytest.raises(InputError, match="strategy"):
        INPAINTERS.create("opencv", strategy="tiles")
    with pytest.raises(InputError, match="not found"):
        SDInpainter(model_dir=str(tmp_path / "missing")).inpaint(scene.image, scene.gt)
    (tmp_path / "notsd").mkdir()
    with pytest.raises(InputError, match="no model_index.json"):
        SDInpainter(model_dir=str(tmp_path / "notsd")).load()
    with pytest.raises(InputError, match="--sd-model"):
        SDInpainter().load()
