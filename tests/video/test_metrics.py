"""J (IoU) and F (boundary F-measure, DAVIS) on masks whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import InputError
from engine.metrics.video import boundary, evaluate_sequence, f_measure, j_measure
from engine.video.prompts import compose, read_id_map, write_palette_png


def square(h, w, y0, x0, s):
    m = np.zeros((h, w), bool)
    m[y0:y0 + s, x0:x0 + s] = True
    return m


def test_j_is_iou_and_empty_pairs_are_perfect():
    a, b = square(50, 50, 10, 10, 20), square(50, 50, 10, 20, 20)
    assert j_measure(a, a) == 1.0
    assert j_measure(a, b) == pytest.approx(200 / 600)
    assert j_measure(np.zeros((5, 5)), np.zeros((5, 5))) == 1.0
    assert j_measure(a, np.zeros_like(a)) == 0.0


def test_f_boundary_tolerance():
    a = square(100, 100, 20, 20, 40)
    assert boundary(a).sum() == 4 * 40 - 4
    assert f_measure(a, a) == 1.0
    # tolerance: ceil(0.008 * diag 141) = 2 px: a 1 px shift is still a perfect boundary match, 10 px is not
    assert f_measure(square(100, 100, 21, 21, 40), a) == 1.0
    far = f_measure(square(100, 100, 30, 30, 40), a)
    assert 0.0 < far < 0.6
    assert f_measure(np.zeros_like(a), a) == 0.0
    assert f_measure(np.zeros_like(a), np.zeros_like(a)) == 1.0


def test_sequence_scores_per_object_and_missing_frames(tmp_path):
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    a, b = square(40, 60, 5, 5, 10), square(40, 60, 20, 30, 12)
    write_palette_png(gt_dir / "00000.png", compose({1: a, 2: b}, a.shape))
    write_palette_png(gt_dir / "00001.png", compose({1: a, 2: b}, a.shape))
    write_palette_png(pred_dir / "00000.png", compose({1: a}, a.shape))  # object 2 lost; frame 1 missing
    assert read_id_map(gt_dir / "00000.png").max() == 2
    s = evaluate_sequence(pred_dir, gt_dir)
    assert s.missing == ["00001"]
    assert [(r["frame"], r["object"], r["J"]) for r in s.frames] == [
        ("00000", 1, 1.0), ("00000", 2, 0.0), ("00001", 1, 0.0), ("00001", 2, 0.0)]
    assert s.j_mean == pytest.approx(0.25) and s.f_mean == pytest.approx(0.25) and s.jf_mean == pytest.approx(0.25)
    assert s.to_json()["J&F"] == 0.25


def test_binary_gt_reads_as_object_one(tmp_path):
    import cv2

    a = square(30, 30, 5, 5, 10)
    cv2.imwrite(str(tmp_path / "f.png"), a.astype(np.uint8) * 255)
    ids = read_id_map(tmp_path / "f.png")
    assert set(np.unique(ids)) == {0, 1}
    with pytest.raises(InputError, match="no ground-truth"):
        evaluate_sequence(tmp_path, tmp_path / "none")
