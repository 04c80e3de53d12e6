"""Images drawn for a critic (and for the step visualisations): overlay with numbered anchors,
square crops with their two regions, point overlays. Pure numpy/OpenCV."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from engine.types import Anchor, Box, Point, Square

MASK_RGB = (0, 200, 0)
ROI_RGB = (230, 30, 30)
ANCHOR_RGB = (30, 90, 255)
REGION1_RGB = (255, 200, 0)
REGION2_RGB = (0, 200, 255)


def resize_long_side(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w)) if max_side else 1.0
    if scale >= 1.0:
        return image.copy(), 1.0
    out = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return out, scale


def blend_mask(image: np.ndarray, mask: np.ndarray, rgb=MASK_RGB, alpha: float = 0.4) -> np.ndarray:
    tinted = cv2.addWeighted(image, 1 - alpha, np.full_like(image, rgb), alpha, 0)
    return np.where(mask.astype(bool)[:, :, None], tinted, image)


def render_anchor_overlay(
    image: np.ndarray, mask: np.ndarray, box: Box, anchors: Sequence[Anchor], max_side: int
) -> tuple[np.ndarray, float]:
    small, scale = resize_long_side(image, max_side)
    small_mask = cv2.resize(mask.astype(np.uint8), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
    out = blend_mask(small, small_mask.astype(bool))
    contours, _ = cv2.findContours(small_mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, MASK_RGB, 1)
    thick = max(1, round(max(out.shape[:2]) / 360))
    b = [int(round(v * scale)) for v in box.as_list()]
    cv2.rectangle(out, (b[0], b[1]), (b[2], b[3]), ROI_RGB, thick)
    radius = max(6, round(max(out.shape[:2]) / 45))
    for a in anchors:
        c = (int(round(a.x * scale)), int(round(a.y * scale)))
        cv2.circle(out, c, radius, ANCHOR_RGB, -1)
        cv2.circle(out, c, radius, (255, 255, 255), 1)
        _centred_text(out, str(a.id), c, radius)
    return out, scale


def render_square_crop(image: np.ndarray, square: Square, out_side: int) -> np.ndarray:
    crop = image[square.y0 : square.y1, square.x0 : square.x1]
    crop = cv2.resize(crop, (out_side, out_side), interpolation=cv2.INTER_LINEAR)
    inner = cv2.resize(square.inner.astype(np.uint8), (out_side, out_side), interpolation=cv2.INTER_NEAREST).astype(bool)
    out = blend_mask(crop, inner, REGION1_RGB, 0.25)
    out = blend_mask(out, ~inner, REGION2_RGB, 0.25)
    contours, _ = cv2.findContours(inner.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(out, contours, -1, (255, 255, 255), 2)
    radius = max(10, out_side // 16)
    for region, m in ((1, inner), (2, ~inner)):
        if m.any():
            ys, xs = np.nonzero(m)
            i = len(xs) // 2
            c = (int(np.median(xs)), int(np.median(ys))) if m[int(np.median(ys)), int(np.median(xs))] else (int(xs[i]), int(ys[i]))
            cv2.circle(out, c, radius, (0, 0, 0), -1)
            _centred_text(out, str(region), c, radius)
    return out


def render_points_overlay(image: np.ndarray, mask: np.ndarray, box: Box, points: Sequence[Point]) -> np.ndarray:
    out = blend_mask(image, mask)
    b = box.as_int_tuple()
    thick = max(1, round(max(image.shape[:2]) / 400))
    cv2.rectangle(out, (b[0], b[1]), (b[2], b[3]), ROI_RGB, thick)
    r = max(4, round(max(image.shape[:2]) / 100))
    for p in points:
        colour = (0, 255, 0) if p.is_positive else (255, 0, 0)
        c = (int(round(p.x)), int(round(p.y)))
        if p.status.value == "rejected":
            colour = (128, 128, 128)
        cv2.circle(out, c, r, colour, -1)
        cv2.circle(out, c, r, (255, 255, 255), 1)
    return out


def _centred_text(img: np.ndarray, text: str, centre: tuple[int, int], radius: int) -> None:
    scale = radius / 14.0
    thickness = max(1, round(radius / 8))
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    cv2.putText(img, text, (centre[0] - tw // 2, centre[1] + th // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thickness, cv2.LINE_AA)
