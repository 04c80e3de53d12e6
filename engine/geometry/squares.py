"""Tangent squares around anchors, split by the current boundary into inner and outer regions."""

from __future__ import annotations

import numpy as np

from engine.geometry.masks import deepest_point
from engine.types import Anchor, Box, PointLabel, Square


def square_side(box: Box, ratio: float, min_side: int, image_shape: tuple[int, int]) -> tuple[int, bool]:
    """side = ratio x ROI short side, raised to min_side if smaller (returns whether the clamp
    applied so provenance can say so), never larger than the image."""
    side = int(round(ratio * box.short_side))
    clamped = side < min_side
    side = max(side, int(min_side))
    side = min(side, image_shape[0], image_shape[1])
    return max(side, 2), clamped


def make_square(mask: np.ndarray, anchor: Anchor, side: int, clamped: bool = False) -> Square:
    h, w = mask.shape
    x0 = int(round(anchor.x - side / 2))
    y0 = int(round(anchor.y - side / 2))
    x0 = min(max(x0, 0), w - side)
    y0 = min(max(y0, 0), h - side)
    crop = mask[y0 : y0 + side, x0 : x0 + side].astype(bool)
    return Square(anchor_id=anchor.id, x0=x0, y0=y0, side=side, inner=crop.copy(), outer=~crop, clamped=clamped)


def make_squares(mask: np.ndarray, anchors: list[Anchor], box: Box, ratio: float, min_side: int) -> dict[int, Square]:
    side, clamped = square_side(box, ratio, min_side, mask.shape)
    return {a.id: make_square(mask, a, side, clamped) for a in anchors}


def point_in_region(square: Square, region: int) -> tuple[int, int] | None:
    """Image coordinates of the deepest pixel of region 1 (inner) or 2 (outer)."""
    p = deepest_point(square.region(region))
    if p is None:
        return None
    return square.x0 + p[0], square.y0 + p[1]


def default_action(region: int) -> PointLabel:
    """The usual meaning: region 1 wrongly inside -> negative; region 2 wrongly outside -> positive."""
    return PointLabel.NEG if region == 1 else PointLabel.POS
