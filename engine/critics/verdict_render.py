"""The image a VLM critic judges a round from: the ROI's surroundings twice, side by side - A (the mask before
the round) left, B (after) right - each with the mask tinted and outlined and the ROI box, long side <= max_side."""

from __future__ import annotations

import cv2
import numpy as np

from engine.critics.base import CriticView
from engine.sculpt.render import MASK_RGB, ROI_RGB, blend_mask

CONTEXT = 1.5  # the crop: this many times the ROI box, clipped to the image
GAP = 8


def _panel(image: np.ndarray, mask: np.ndarray, box_xyxy: tuple[int, int, int, int], crop: tuple[int, int, int, int],
           scale: float) -> np.ndarray:
    x0, y0, x1, y1 = crop
    sub = image[y0:y1, x0:x1]
    sub_mask = mask[y0:y1, x0:x1].astype(np.uint8)
    w, h = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    small = cv2.resize(sub, (w, h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    small_mask = cv2.resize(sub_mask, (w, h), interpolation=cv2.INTER_NEAREST)
    out = np.ascontiguousarray(blend_mask(small, small_mask.astype(bool)))
    contours, _ = cv2.findContours(small_mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, MASK_RGB, max(1, round(max(w, h) / 300)))
    bx0, by0, bx1, by1 = box_xyxy
    p0 = (round((bx0 - x0) * scale), round((by0 - y0) * scale))
    p1 = (round((bx1 - x0) * scale), round((by1 - y0) * scale))
    cv2.rectangle(out, p0, p1, ROI_RGB, max(1, round(max(w, h) / 360)))
    return out


def _label(panel: np.ndarray, text: str) -> None:
    side = max(18, panel.shape[0] // 10)
    cv2.rectangle(panel, (0, 0), (side, side), (0, 0, 0), -1)
    scale = side / 30.0
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, max(1, side // 12))
    cv2.putText(panel, text, ((side - tw) // 2, (side + th) // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255),
                max(1, side // 12), cv2.LINE_AA)


def render_verdict_pair(before: CriticView, after: CriticView) -> np.ndarray:
    """RGB uint8: [A | gap | B], the same crop of the image, long side <= after.max_side."""
    h, w = after.height, after.width
    crop = after.box.scaled(CONTEXT).clip(w, h).as_int_tuple()
    x0, y0, x1, y1 = crop
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    crop = (x0, y0, x1, y1)
    max_side = after.max_side or 720
    scale = min(2.0, (max_side - GAP) / (2 * (x1 - x0)), max_side / (y1 - y0))
    box = after.box.as_int_tuple()
    a = _panel(before.image, before.mask, box, crop, scale)
    b = _panel(after.image, after.mask, box, crop, scale)
    _label(a, "A")
    _label(b, "B")
    gap = np.full((a.shape[0], GAP, 3), 255, np.uint8)
    return np.concatenate([a, gap, b], axis=1)
