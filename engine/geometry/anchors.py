"""Eight anchors on the mask boundary with stable ids: 1 at the top, then clockwise."""

from __future__ import annotations

import cv2
import numpy as np

from engine.geometry.masks import largest_component
from engine.types import Anchor, Box

N_ANCHORS = 8


def place_anchors(mask: np.ndarray, box: Box, n: int = N_ANCHORS) -> list[Anchor]:
    """Anchors evenly spaced by arc length along the outer contour of the largest component,
    starting at its topmost point and going clockwise. An empty mask gets anchors on the ROI."""
    if not mask.any():
        return _anchors_on_box(box, n)
    contour = _outer_contour(largest_component(mask))
    if len(contour) < n:
        return _anchors_on_box(box, n)
    contour = _clockwise_from_top(contour)
    closed = np.vstack([contour, contour[:1]])
    seg = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    anchors = []
    for k in range(n):
        idx = int(np.searchsorted(cum, total * k / n, side="left"))
        idx = min(idx, len(contour) - 1)
        x, y = contour[idx]
        nx, ny = _outward_normal(contour, idx, mask)
        anchors.append(Anchor(id=k + 1, x=float(x), y=float(y), nx=nx, ny=ny))
    return anchors


def _outer_contour(mask: np.ndarray) -> np.ndarray:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    best = max(contours, key=cv2.contourArea)
    return best.reshape(-1, 2).astype(np.float64)


def _clockwise_from_top(contour: np.ndarray) -> np.ndarray:
    x, y = contour[:, 0], contour[:, 1]
    # shoelace in y-down image coordinates: positive means visually clockwise
    signed = 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    if signed < 0:
        contour = contour[::-1]
    top = contour[:, 1].min()
    candidates = np.nonzero(contour[:, 1] == top)[0]
    cx = contour[:, 0].mean()
    start = candidates[int(np.argmin(np.abs(contour[candidates, 0] - cx)))]
    return np.roll(contour, -start, axis=0)


def _outward_normal(contour: np.ndarray, idx: int, mask: np.ndarray) -> tuple[float, float]:
    step = max(2, len(contour) // 64)
    p_prev = contour[(idx - step) % len(contour)]
    p_next = contour[(idx + step) % len(contour)]
    tx, ty = p_next - p_prev
    norm = float(np.hypot(tx, ty)) or 1.0
    # clockwise traversal in y-down coords: the outward side is to the left of the tangent
    nx, ny = ty / norm, -tx / norm
    x, y = contour[idx]
    h, w = mask.shape
    probe_x, probe_y = int(round(x + 3 * nx)), int(round(y + 3 * ny))
    if 0 <= probe_x < w and 0 <= probe_y < h and mask[probe_y, probe_x]:
        nx, ny = -nx, -ny
    return float(nx), float(ny)


def _anchors_on_box(box: Box, n: int) -> list[Anchor]:
    """Clockwise around the ROI from its top-middle; normals point out of the box."""
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    cx, cy = box.center
    perimeter = [
        (cx, y0, 0, -1), (x1, y0, 0.7071, -0.7071), (x1, cy, 1, 0), (x1, y1, 0.7071, 0.7071),
        (cx, y1, 0, 1), (x0, y1, -0.7071, 0.7071), (x0, cy, -1, 0), (x0, y0, -0.7071, -0.7071),
    ]
    if n != 8:
        perimeter = [perimeter[int(i * 8 / n)] for i in range(n)]
    return [Anchor(id=i + 1, x=float(px), y=float(py), nx=float(nx), ny=float(ny)) for i, (px, py, nx, ny) in enumerate(perimeter)]
