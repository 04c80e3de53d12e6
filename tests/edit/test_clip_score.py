"""CLIP score: x100 cosine floored at 0, whole image and mask crop."""

from __future__ import annotations

import numpy as np
import pytest

from engine.edit.clip_model import load_clip
from engine.edit.clip_score import clip_scores, mask_crop


def test_scores_follow_the_x100_convention(tiny_clip_dir, scene):
    clip = load_clip(str(tiny_clip_dir))
    s = clip_scores(clip, scene.image, "a crab", scene.gt)
    assert -1.0 <= s.cosine_whole <= 1.0 and -1.0 <= s.cosine_crop <= 1.0
    assert s.whole == pytest.approx(max(0.0, 100 * s.cosine_whole))
    assert s.crop == pytest.approx(max(0.0, 100 * s.cosine_crop))
    again = clip_scores(clip, scene.image, "a crab", scene.gt)
    assert again.cosine_whole == pytest.approx(s.cosine_whole, abs=1e-6)
    no_mask = clip_scores(clip, scene.image, "a crab")
    assert no_mask.crop is None and no_mask.cosine_whole == pytest.approx(s.cosine_whole, abs=1e-5)


def test_mask_crop_holds_the_mask_with_context(scene):
    crop = mask_crop(scene.image, scene.gt)
    ys, xs = np.nonzero(scene.gt)
    assert crop.shape[0] >= ys.max() - ys.min() and crop.shape[1] >= xs.max() - xs.min()
    assert mask_crop(scene.image, np.zeros_like(scene.gt)) is None
