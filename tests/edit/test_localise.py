"""CLIP localisation with a tiny CLIP loaded from its saved folder, and the grid -> point mapping."""

from __future__ import annotations

import numpy as np
import pytest

from engine.edit.clip_localise import ClipLocaliser, localisation_from_grid
from engine.edit.clip_model import load_clip
from engine.errors import InputError
from engine.registry import LOCALISERS
from engine.types import PointLabel


def test_tokenizer_is_the_real_clip_vocabulary(clip_tok):
    assert len(clip_tok) == 49408
    assert clip_tok("a photo of a cat")["input_ids"] == [49406, 320, 1125, 539, 320, 2368, 49407]


def test_localise_returns_points_inside_the_image(tiny_clip_dir, scene):
    loc = LOCALISERS.create("clip", model_dir=str(tiny_clip_dir))
    result = loc.localise(scene.image, "crab")
    h, w = scene.image.shape[:2]
    assert result.heatmap.shape == (h, w)
    assert 0.0 <= result.heatmap.min() and result.heatmap.max() <= 1.0
    for x, y in [result.best, *result.positives, *result.negatives]:
        assert 0 <= x < w and 0 <= y < h
    assert result.heatmap[int(round(result.best[1])), int(round(result.best[0]))] >= 0.95
    points = result.points()
    assert points[0].label is PointLabel.POS and (points[0].x, points[0].y) == result.best
    assert len(points) == 1 + len(result.positives) + len(result.negatives)
    stats = result.to_dict()["heatmap_stats"]
    assert stats["grid"] == [8, 8] and stats["similarity_max"] >= stats["similarity_mean"]


def test_localise_is_deterministic_and_text_dependent(tiny_clip_dir, scene):
    loc = ClipLocaliser(model_dir=str(tiny_clip_dir))
    a = loc.similarity_grid(scene.image, "crab")
    b = loc.similarity_grid(scene.image, "crab")
    c = loc.similarity_grid(scene.image, "a tall red lighthouse")
    np.testing.assert_allclose(a, b)
    assert not np.allclose(a, c)


def test_patch_tokens_live_in_the_text_space(tiny_clip_dir, scene):
    clip = load_clip(str(tiny_clip_dir))
    patches = clip.patch_embeddings(scene.image)
    text = clip.text_embeddings(["crab"])
    assert patches.shape == (8, 8, text.shape[1])
    np.testing.assert_allclose(patches.norm(dim=-1).numpy(), 1.0, atol=1e-5)
    assert load_clip(str(tiny_clip_dir)) is clip  # kept by the model manager, not reloaded


def test_grid_peak_maps_to_its_place_in_the_image():
    grid = np.zeros((7, 7), np.float32)
    grid[1, 5] = 1.0  # row 1, column 5 of a 7x7 grid
    grid[5, 1] = -1.0
    loc = localisation_from_grid(grid, (350, 700), "x", n_positive=2, n_negative=2)
    x, y = loc.best
    assert 5 * 100 <= x < 6 * 100 and 1 * 50 <= y < 2 * 50  # inside cell (5, 1) of the 700x350 image
    nx, ny = loc.negatives[0]
    assert 1 * 100 <= nx < 2 * 100 and 5 * 50 <= ny < 6 * 50
    for px, py in loc.negatives:
        assert (px - x) ** 2 + (py - y) ** 2 > (2 * 0.12 * 700) ** 2


def test_empty_target_is_refused(tiny_clip_dir, scene):
    with pytest.raises(InputError, match="target text"):
        LOCALISERS.create("clip", model_dir=str(tiny_clip_dir)).localise(scene.image, "  ")


def test_missing_or_wrong_clip_folder(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_clip(str(tmp_path / "nope"))
    with pytest.raises(InputError, match="--clip-model"):
        load_clip(None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no config.json"):
        load_clip(str(tmp_path / "empty"))
