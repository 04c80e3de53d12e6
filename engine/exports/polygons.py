"""Masks <-> polygons. Polygon formats (COCO polygons, LabelMe, YOLO) cannot hold holes, so a mask
with holes is cut into hole-free pieces (a horizontal cut through each hole) whose union is the
mask; each piece becomes one polygon."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Polygon = list[tuple[float, float]]
_EDGE_SCALE = 4  # upsampling used to trace pixel edges instead of pixel centres


def hole_free_pieces(mask: np.ndarray, max_pieces: int = 10_000) -> list[np.ndarray]:
    stack, out = [mask.astype(bool)], []
    while stack and len(out) < max_pieces:
        m = stack.pop()
        n, labels = cv2.connectedComponents(m.astype(np.uint8), connectivity=8)
        for i in range(1, n):
            comp = labels == i
            contours, hier = cv2.findContours(comp.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            holes = [c for c, h in zip(contours, hier[0], strict=True) if h[3] >= 0] if hier is not None else []
            if not holes:
                out.append(comp)
                continue
            _, y, _, hh = cv2.boundingRect(holes[0])
            cut = y + hh // 2
            top, bottom = comp.copy(), comp.copy()
            top[cut:] = False
            bottom[:cut] = False
            stack.extend([top, bottom])
    return out


def _outer_contour(piece: np.ndarray, edges: bool) -> np.ndarray | None:
    m = piece.astype(np.uint8)
    if edges:
        m = cv2.resize(m, (m.shape[1] * _EDGE_SCALE, m.shape[0] * _EDGE_SCALE), interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
    if edges:
        c = (c + 0.5) / _EDGE_SCALE
    return c


def mask_to_polygons(mask: np.ndarray, edges: bool = False, min_points: int = 3) -> list[Polygon]:
    """Hole-free polygons whose union is the mask.

    edges=False: vertices at pixel centres, for readers that fill polygons inclusively at integer
    coordinates (LabelMe/PIL, YOLO/OpenCV fillPoly). edges=True: vertices on pixel edges (COCO,
    where pixel i spans [i, i+1)). One-pixel-wide pieces trace as 1-2 vertices; they are padded to
    min_points by repeating vertices (a degenerate polygon readers still draw as a line or dot)."""
    polys = []
    for piece in hole_free_pieces(mask):
        c = _outer_contour(piece, edges)
        if c is None:
            continue
        poly = [(float(x), float(y)) for x, y in c]
        if len(poly) < min_points:
            poly = (poly * min_points)[:min_points]
        polys.append(poly)
    return polys


def polygons_to_mask(polygons: Sequence[Sequence[Sequence[float]]], shape: tuple[int, int]) -> np.ndarray:
    """Union of polygons filled at pixel centres, boundary included (cv2.fillPoly, as LabelMe/YOLO readers do)."""
    out = np.zeros(shape, np.uint8)
    pts = [np.round(np.asarray(p, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2) for p in polygons if len(p) >= 1]
    if pts:
        cv2.fillPoly(out, pts, 1)
        cv2.polylines(out, pts, True, 1)  # one- or two-vertex "polygons" still mark their pixels
    return out.astype(bool)
