"""Anchors and square splits on a disc, a rectangle, a concave C-shape, a mask touching the edge, an empty mask."""

import cv2
import numpy as np
import pytest

from engine.geometry.anchors import place_anchors
from engine.geometry.masks import deepest_point, iou
from engine.geometry.squares import make_squares, point_in_region, square_side
from engine.types import Box

H, W = 200, 240


def disc():
    m = np.zeros((H, W), np.uint8)
    cv2.circle(m, (120, 100), 60, 1, -1)
    return m.astype(bool)


def rectangle():
    m = np.zeros((H, W), bool)
    m[50:150, 40:200] = True
    return m


def c_shape():
    m = np.zeros((H, W), np.uint8)
    cv2.circle(m, (120, 100), 80, 1, -1)
    cv2.circle(m, (150, 100), 55, 0, -1)
    return m.astype(bool)


def edge_touching():
    m = np.zeros((H, W), bool)
    m[0:90, 0:120] = True
    return m


SHAPES = {"disc": disc, "rectangle": rectangle, "c_shape": c_shape, "edge": edge_touching}


def _on_boundary(mask, x, y):
    x, y = int(round(x)), int(round(y))
    if not mask[y, x]:
        return False
    if x in (0, W - 1) or y in (0, H - 1):
        return True
    return not mask[y - 1 : y + 2, x - 1 : x + 2].all()


@pytest.mark.parametrize("shape", SHAPES)
def test_eight_anchors_on_the_boundary_clockwise_from_top(shape):
    mask = SHAPES[shape]()
    anchors = place_anchors(mask, Box.from_mask(mask))
    assert [a.id for a in anchors] == list(range(1, 9))
    assert all(_on_boundary(mask, a.x, a.y) for a in anchors)
    ys = np.nonzero(mask)[0]
    assert anchors[0].y == ys.min()  # anchor 1 is at the top
    # clockwise in image coordinates (y down): the polygon through the anchors has positive shoelace area
    xs_, ys_ = np.array([a.x for a in anchors]), np.array([a.y for a in anchors])
    assert 0.5 * np.sum(xs_ * np.roll(ys_, -1) - np.roll(xs_, -1) * ys_) > 0


@pytest.mark.parametrize("shape", ["disc", "rectangle", "c_shape"])
def test_normals_point_outward(shape):
    mask = SHAPES[shape]()
    for a in place_anchors(mask, Box.from_mask(mask)):
        assert abs(np.hypot(a.nx, a.ny) - 1) < 1e-6
        x, y = int(round(a.x + 6 * a.nx)), int(round(a.y + 6 * a.ny))
        if 0 <= x < W and 0 <= y < H:
            assert not mask[y, x], (a, shape)


def test_anchors_are_stable_for_the_same_mask():
    assert place_anchors(disc(), Box(0, 0, W, H)) == place_anchors(disc(), Box(0, 0, W, H))


def test_empty_mask_gets_anchors_on_the_roi():
    box = Box(20, 30, 120, 90)
    anchors = place_anchors(np.zeros((H, W), bool), box)
    assert len(anchors) == 8 and anchors[0].id == 1
    assert (anchors[0].x, anchors[0].y) == box.center[:1] + (30.0,)
    assert all(box.x0 <= a.x <= box.x1 and box.y0 <= a.y <= box.y1 for a in anchors)


@pytest.mark.parametrize("shape", SHAPES)
def test_squares_split_into_inner_and_outer(shape):
    mask = SHAPES[shape]()
    box = Box.from_mask(mask)
    anchors = place_anchors(mask, box)
    squares = make_squares(mask, anchors, box, ratio=0.3, min_side=8)
    for sq in squares.values():
        assert sq.inner.shape == (sq.side, sq.side)
        assert not (sq.inner & sq.outer).any() and (sq.inner | sq.outer).all()
        assert 0 <= sq.x0 and sq.x1 <= W and 0 <= sq.y0 and sq.y1 <= H
        assert np.array_equal(sq.inner, mask[sq.y0 : sq.y1, sq.x0 : sq.x1])
        for region in (1, 2):
            p = point_in_region(sq, region)
            if p is not None:
                assert mask[p[1], p[0]] == (region == 1)


def test_square_side_follows_the_ratio_and_records_the_clamp():
    box = Box(0, 0, 200, 100)
    assert square_side(box, 0.6, 16, (H, W)) == (60, False)
    assert square_side(box, 0.1, 16, (H, W)) == (16, True)  # the clamp applies and says so
    assert square_side(Box(0, 0, 1000, 1000), 0.6, 16, (H, W))[0] == H  # never larger than the image


def test_deepest_point_of_a_crescent_is_inside_it():
    crescent = c_shape()
    ys, xs = np.nonzero(crescent)
    cx, cy = int(xs.mean()), int(ys.mean())
    assert not crescent[cy, cx]  # the centroid falls outside the crescent
    x, y = deepest_point(crescent)
    assert crescent[y, x]
    assert deepest_point(np.zeros((5, 5), bool)) is None


def test_iou():
    a = rectangle()
    assert iou(a, a) == 1.0
    assert iou(a, ~a) == 0.0
    assert iou(np.zeros((3, 3), bool), np.zeros((3, 3), bool)) == 1.0
