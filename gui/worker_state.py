"""Qt-free helpers of the engine worker: packed masks, the (mask, box) digest a round's squares
belong to, and frozen views of points and squares copied out of the engine's objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from gui.views import PointView, SquareView

UNDO_LIMIT = 100  # steps kept by the engine's history and the UI's QUndoStack that mirrors it


@dataclass
class PackedMask:
    """A bool mask stored at one bit per pixel (undo history and autosave stay small)."""

    bits: np.ndarray
    shape: tuple[int, int]


def pack(mask: np.ndarray) -> PackedMask:
    return PackedMask(np.packbits(mask.astype(bool), axis=None), tuple(mask.shape))


def unpack(m: PackedMask | np.ndarray) -> np.ndarray:
    if isinstance(m, np.ndarray):
        return m.astype(bool).copy()
    n = int(np.prod(m.shape))
    return np.unpackbits(m.bits, count=n).astype(bool).reshape(m.shape)


def digest(mask: np.ndarray | None, box: Any) -> str:
    """A short fingerprint of (mask, box): a round's squares are shown only while it still holds."""
    h = hashlib.blake2b(digest_size=12)
    if mask is not None:
        h.update(np.packbits(mask.astype(bool), axis=None).tobytes())
        h.update(repr(mask.shape).encode())
    h.update(repr(None if box is None else tuple(box.as_list())).encode())
    return h.hexdigest()


def point_views(points) -> tuple[PointView, ...]:
    return tuple(PointView(p.id, float(p.x), float(p.y), p.is_positive, p.source.value, p.status.value, p.reason,
                           p.anchor_id, p.round_index, p.moved_from is not None, p.flipped,
                           float(getattr(p, "confidence", 1.0))) for p in points)


def square_views(rnd) -> tuple[SquareView, ...]:
    reasons: dict[int, list[str]] = {}
    for c in getattr(rnd, "selected", []) or []:
        if getattr(c, "reason", ""):
            reasons.setdefault(c.anchor_id, []).append(c.reason)
    for p in rnd.proposals:
        if p.anchor_id is not None and p.reason and p.reason not in reasons.get(p.anchor_id, []):
            reasons.setdefault(p.anchor_id, []).append(p.reason)
    return tuple(SquareView(q.anchor_id, q.x0, q.y0, q.side, q.inner.copy(), "\n".join(reasons.get(q.anchor_id, [])))
                 for q in rnd.squares)
