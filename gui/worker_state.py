"""The worker's numbered states (undo history) and how views are copied out of a session.
Qt-free helpers used by gui.worker.EngineWorker."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from gui.views import PointView, RoundView, SquareView, VerdictView

UNDO_LIMIT = 100  # commands kept by the UI's QUndoStack; the worker keeps the states they need


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


def session_state(s, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    if s is None:
        return {"session": None, **(extra or {})}
    # points and rounds share Point objects: one deepcopy call keeps them shared
    points, rounds = copy.deepcopy((s.points, s.rounds))
    return {
        "session": True,
        "box": s.box,
        "initial_box": s.initial_box,
        "points": points,
        "rounds": rounds,
        "views": dict(s.views),
        "mask": pack(s.mask),
        "initial_mask": None if s.initial_mask is None else pack(s.initial_mask),
        "logits": None if s.logits is None else s.logits.copy(),
        "instance": copy.deepcopy(s.instance),
        **copy.deepcopy(extra or {}),
    }


def restore_into(s, st: dict[str, Any]) -> None:
    s.box, s.initial_box = st["box"], st["initial_box"]
    s.points, s.rounds = copy.deepcopy((st["points"], st["rounds"]))
    s.views = dict(st.get("views", {}))
    s.mask = unpack(st["mask"])
    s.initial_mask = None if st["initial_mask"] is None else unpack(st["initial_mask"])
    s.logits = None if st.get("logits") is None else st["logits"].copy()
    s.instance = copy.deepcopy(st["instance"])


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


def round_views(rounds, verdicts: dict[int, VerdictView], reverted: set[int], abstains: dict[int, str]) -> tuple[RoundView, ...]:
    return tuple(RoundView(r.index, len(r.proposals), r.applied, r.iou_with_previous, r.mask_area_before,
                           r.mask_area_after, abstains.get(r.index, ""), verdicts.get(r.index), r.index in reverted)
                 for r in rounds)
