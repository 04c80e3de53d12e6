"""Small mask utilities: IoU, largest component, deepest interior point."""

from __future__ import annotations

import cv2
import numpy as np


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(bool)
    b = b.astype(bool)
    union = np.logical_or(a, b).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(a, b).sum() / union)


def largest_component(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n <= 1:
        return mask.astype(bool)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == best


def deepest_point(region: np.ndarray) -> tuple[int, int] | None:
    """(x, y) of the distance-transform maximum of a boolean region: the pixel farthest from its
    border. Unlike a centroid it always lies inside the region, even for a crescent."""
    if not region.any():
        return None
    padded = np.pad(region.astype(np.uint8), 1)
    dist = cv2.distanceTransform(padded, cv2.DIST_L2, 5)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return int(x), int(y)


def disk(mask_shape: tuple[int, int], x: float, y: float, radius: float) -> np.ndarray:
    out = np.zeros(mask_shape, np.uint8)
    cv2.circle(out, (int(round(x)), int(round(y))), max(int(round(radius)), 1), 1, -1)
    return out.astype(bool)
