"""Masks <-> polygons.

Two ways to put a mask with holes or several parts into polygons:
- hole-free pieces (COCO polygons, LabelMe): a horizontal cut through each hole splits a component
  into pieces without holes; each piece is one polygon, the union of the filled pieces is the mask.
- one joined polygon (YOLO-seg, one line per object): every outer and hole contour is one segment,
  neighbouring segments are linked at their closest vertices by a zero-width bridge walked out and
  back (the scheme of Ultralytics' `merge_multi_segment`), filled even-odd (cv2.fillPoly, as
  Ultralytics' polygon2mask does). `split_joined` undoes the bridges when reading back.

`simplify=PX` runs cv2.approxPolyDP with that tolerance on every outline (fewer, editable vertices);
None keeps the exact staircase outline."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Polygon = list[tuple[float, float]]
_EDGE_SCALE = 4  # upsampling used to trace pixel edges instead of pixel centres


def _cropped_pieces(mask: np.ndarray, max_pieces: int = 100_000) -> list[tuple[np.ndarray, int, int]]:
    """Hole-free pieces as (crop, x0, y0): every component is worked on inside its own box, so a
    mask with thousands of holes costs the area of its pieces, not holes x image."""
    stack: list[tuple[np.ndarray, int, int]] = [(mask.astype(bool), 0, 0)]
    out: list[tuple[np.ndarray, int, int]] = []
    while stack and len(out) < max_pieces:
        m, ox, oy = stack.pop()
        n, labels, stats, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=8)
        for i in range(1, n):
            x, y, w, h = (int(v) for v in stats[i, :4])
            comp = labels[y : y + h, x : x + w] == i
            contours, hier = cv2.findContours(comp.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
            holes = [c for c, hh in zip(contours, hier[0], strict=True) if hh[3] >= 0] if hier is not None else []
            if not holes:
                out.append((comp, ox + x, oy + y))
                continue
            rows = sorted(r[1] + r[3] // 2 for r in map(cv2.boundingRect, holes))
            cut = rows[len(rows) // 2]  # through the median hole: about half the holes on each side
            stack.append((comp[:cut], ox + x, oy + y))
            stack.append((comp[cut:], ox + x, oy + y + cut))
    return out


def hole_free_pieces(mask: np.ndarray, max_pieces: int = 100_000) -> list[np.ndarray]:
    """Full-size masks without holes whose union is the mask (horizontal cuts through the holes)."""
    pieces = []
    for crop, x, y in _cropped_pieces(mask, max_pieces):
        full = np.zeros(mask.shape, bool)
        full[y : y + crop.shape[0], x : x + crop.shape[1]] = crop
        pieces.append(full)
    return pieces


def simplify_outline(points: np.ndarray, tolerance: float | None) -> np.ndarray:
    """approxPolyDP at `tolerance` px; outlines that would drop under 3 vertices stay as they are."""
    if not tolerance or tolerance <= 0 or len(points) <= 3:
        return points
    approx = cv2.approxPolyDP(points.astype(np.float32).reshape(-1, 1, 2), float(tolerance), True).reshape(-1, 2)
    return approx.astype(np.float64) if len(approx) >= 3 else points


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


def _as_polygon(c: np.ndarray, min_points: int) -> Polygon:
    poly = [(float(x), float(y)) for x, y in c]
    if len(poly) < min_points:
        poly = (poly * min_points)[:min_points]
    return poly


def mask_to_polygons(mask: np.ndarray, edges: bool = False, min_points: int = 3,
                     simplify: float | None = None) -> list[Polygon]:
    """Hole-free polygons whose union is the mask.

    edges=False: vertices at pixel centres, for readers that fill polygons inclusively at integer
    coordinates (LabelMe/PIL, YOLO/OpenCV fillPoly). edges=True: vertices on pixel edges (COCO,
    where pixel i spans [i, i+1)). One-pixel-wide pieces trace as 1-2 vertices; they are padded to
    min_points by repeating vertices (a degenerate polygon readers still draw as a line or dot)."""
    polys = []
    for crop, x, y in _cropped_pieces(mask):
        c = _outer_contour(crop, edges)
        if c is None:
            continue
        polys.append(_as_polygon(simplify_outline(c + (x, y), simplify), min_points))
    return polys


def mask_contours(mask: np.ndarray, simplify: float | None = None) -> list[np.ndarray]:
    """Every outer and hole outline (pixel centres, RETR_CCOMP): filled together even-odd with their
    boundary pixels, they give the mask back."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return [simplify_outline(c.reshape(-1, 2).astype(np.float64), simplify) for c in contours if len(c)]


_SEARCH_CAP = 2000  # vertices of an outline searched for its closest vertex (more: every k-th)


def _closest(a: np.ndarray, b: np.ndarray) -> tuple[int, int, float]:
    """Indices of a near-closest vertex pair (exact up to _SEARCH_CAP vertices per outline),
    computed in chunks so that two long outlines never need an n x m matrix at once."""
    ia = np.arange(0, len(a), max(1, len(a) // _SEARCH_CAP))
    ib = np.arange(0, len(b), max(1, len(b) // _SEARCH_CAP))
    bb = b[ib]
    best = (np.inf, 0, 0)
    for s in range(0, len(ia), 512):
        d = ((a[ia[s : s + 512], None, :] - bb[None, :, :]) ** 2).sum(-1)
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        if d[i, j] < best[0]:
            best = (float(d[i, j]), int(ia[s + i]), int(ib[j]))
    return best[1], best[2], best[0]


def _chain_order(segments: list[np.ndarray]) -> list[int]:
    """Greedy nearest-centroid order from the largest outline: short bridges, O(n^2) on n centroids."""
    cent = np.array([s.mean(axis=0) for s in segments])
    cx, cy = cent[:, 0].copy(), cent[:, 1].copy()
    cur = int(np.argmax([len(s) for s in segments]))
    order = [cur]
    cx[cur] = cy[cur] = np.inf  # a used centroid is infinitely far
    for _ in range(len(segments) - 1):
        x, y = cent[cur]
        cur = int(np.argmin((cx - x) ** 2 + (cy - y) ** 2))
        order.append(cur)
        cx[cur] = cy[cur] = np.inf
    return order


def join_segments(segments: Sequence[np.ndarray]) -> Polygon:
    """One closed vertex walk through every segment: segment i is entered at its vertex closest to
    segment i-1, walked round to its vertex closest to segment i+1, the rest of the chain is walked
    there (out and back over the same bridge), then segment i is finished back at its entry.
    The vertex a bridge leaves from is written twice (outlines never repeat a vertex back to back),
    so `split_joined` can tell a bridge from a one-pixel-wide part of the outline."""
    segs = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in segments if len(s)]
    if not segs:
        return []
    segs = [segs[k] for k in _chain_order(segs)]
    links = [_closest(segs[i], segs[i + 1])[:2] for i in range(len(segs) - 1)]  # (exit in i, entry in i+1)
    heads: list[list[tuple[np.ndarray, bool]]] = []  # (vertex, a bridge leaves it)
    tails: list[list[tuple[np.ndarray, bool]]] = []
    start = links[0][0] if links else 0
    for i, seg in enumerate(segs):
        seg = np.roll(seg, -start, axis=0)
        if i == len(segs) - 1:
            heads.append([*((p, False) for p in seg), (seg[0], True)])
            break
        exit_at = (links[i][0] - start) % len(seg)
        heads.append([(p, False) for p in seg[:exit_at]] + [(seg[exit_at], True)])
        tails.append([(p, False) for p in seg[exit_at:]] + [(seg[0], i > 0)])
        start = links[i][1]
    flat = [((float(p[0]), float(p[1])), bridge) for part in [*heads, *reversed(tails)] for p, bridge in part]
    out: Polygon = []
    for k, (xy, bridge) in enumerate(flat):
        bridge = bridge and flat[(k + 1) % len(flat)][0] != xy  # touching outlines: a zero-length bridge
        if out and out[-1] == xy and not bridge:
            continue
        out.append(xy)
        if bridge:
            out.append(xy)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def split_joined(poly: Sequence[Sequence[float]]) -> tuple[list[Polygon], list[Polygon]]:
    """(loops, points) of a vertex walk written by `join_segments` or another tool (Ultralytics).

    The edges that leave a doubled vertex are bridges and are dropped; what is left is the outlines
    themselves, cut back into closed loops (every vertex has as many edges in as out, so a walk
    along unused edges comes back to its start). A walk with no doubled vertex is one loop, bridges
    included, as Ultralytics fills it. `points` are the walk's vertices (outline pixels, drawn: a
    one-pixel part is a vertex and nothing else)."""
    raw = [(float(x), float(y)) for x, y in poly]
    if not raw:
        return [], []
    edges: list[tuple[tuple[float, float], tuple[float, float]]] = []
    bridge_next = False
    prev = raw[0]
    for p in [*raw[1:], raw[0]]:
        if p == prev:
            bridge_next = True
            continue
        if not bridge_next:
            edges.append((prev, p))
        bridge_next = False
        prev = p
    out: dict[tuple[float, float], list[int]] = {}
    for k, (u, _) in enumerate(edges):
        out.setdefault(u, []).append(k)
    used = [False] * len(edges)
    loops: list[Polygon] = []
    for k0 in range(len(edges)):
        if used[k0]:
            continue
        start, loop, k = edges[k0][0], [], k0
        while k is not None:
            used[k] = True
            u, v = edges[k]
            loop.append(u)
            if v == start:
                break
            k = next((j for j in out.get(v, ()) if not used[j]), None)
            if k is None:
                loop.append(v)  # unbalanced (a doubled vertex that was not a bridge): close it here
        loops.append(loop)
    points = [[p] for p in dict.fromkeys(raw)]
    return loops, points


def polygons_to_mask(polygons: Sequence[Sequence[Sequence[float]]], shape: tuple[int, int]) -> np.ndarray:
    """Union of polygons, each filled at pixel centres with its boundary (cv2.fillPoly + polylines,
    as LabelMe/YOLO readers do)."""
    out = np.zeros(shape, np.uint8)
    for p in polygons:
        if len(p) >= 1:
            pts = np.round(np.asarray(p, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2)
            cv2.fillPoly(out, [pts], 1)
            cv2.polylines(out, [pts], True, 1)  # one- or two-vertex "polygons" still mark their pixels
    return out.astype(bool)


def even_odd_mask(loops: Sequence[Sequence[Sequence[float]]], shape: tuple[int, int]) -> np.ndarray:
    """Loops filled together even-odd (holes stay open), boundary pixels included."""
    out = np.zeros(shape, np.uint8)
    pts = [np.round(np.asarray(p, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2) for p in loops if len(p)]
    if pts:
        cv2.fillPoly(out, pts, 1)
        cv2.polylines(out, pts, True, 1)
    return out.astype(bool)


def joined_to_mask(poly: Sequence[Sequence[float]], shape: tuple[int, int]) -> np.ndarray:
    """A YOLO-seg line (a joined walk, ours or Ultralytics') back to its mask."""
    loops, points = split_joined(poly)
    mask = even_odd_mask(loops, shape)
    if points:
        mask |= polygons_to_mask(points, shape)
    return mask
