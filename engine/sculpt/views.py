"""Frozen read-only views of an ImageSession for the GUI (and anything else that draws it). Masks are
read-only views of the engine's arrays (the engine replaces arrays, it never edits them in place)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.sculpt.objects import SculptObject


@dataclass(frozen=True)
class PointView:
    id: str
    x: float
    y: float
    positive: bool
    source: str  # human | critic | auto
    status: str  # pending | accepted | rejected
    reason: str
    anchor_id: int | None
    round_index: int | None
    moved: bool
    flipped: bool
    confidence: float


@dataclass(frozen=True)
class SquarePlace:
    """Where a critic square lies: its anchor and its top-left corner and side in image pixels (this
    SquareView and the GUI's in gui/views.py)."""

    anchor_id: int
    x0: int
    y0: int
    side: int


@dataclass(frozen=True)
class SquareView(SquarePlace):
    inner: np.ndarray


@dataclass(frozen=True)
class RoundFigures:
    """What every view of a critic round shows (this RoundView, and the GUI's in gui/views.py)."""

    index: int
    proposals: int
    applied: bool
    iou: float | None
    area_before: int
    area_after: int | None


@dataclass(frozen=True)
class RoundView(RoundFigures):
    verdict: str | None  # better | worse | same | None (no verdict asked)
    verdict_reason: str
    reverted: bool
    can_revert: bool  # the latest applied round, with its before-state in memory


@dataclass(frozen=True)
class ObjectView:
    id: int
    label: str
    colour: tuple[int, int, int]
    status: str  # active | pending
    source: str
    z: int
    visible: bool
    locked: bool
    box: tuple[float, float, float, float]
    mask: np.ndarray | None  # None before the first segmenter call
    points: tuple[PointView, ...]
    anchors: tuple[tuple[int, float, float], ...]
    squares: tuple[SquareView, ...]  # of the latest round while it is not applied
    rounds: tuple[RoundView, ...]
    painted: bool  # brush/eraser pixels are being kept (until re-run from the box)
    strokes: int
    score: float | None
    stop_reason: str
    failures: tuple[str, ...]


@dataclass(frozen=True)
class SessionView:
    name: str
    state_id: int
    width: int
    height: int
    objects: tuple[ObjectView, ...]
    labels: tuple[str, ...]
    can_undo: bool
    can_redo: bool
    undo_label: str
    redo_label: str


def _ro(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def object_view(o: SculptObject, colour: tuple[int, int, int]) -> ObjectView:
    c = o.core
    points = tuple(PointView(p.id, p.x, p.y, p.is_positive, p.source.value, p.status.value, p.reason, p.anchor_id,
                             p.round_index, p.moved_from is not None, p.flipped, float(getattr(p, "confidence", 1.0)))
                   for p in c.points)
    anchors = tuple((a.id, a.x, a.y) for a in c.anchors()) if c.started and c.mask.any() else ()
    squares: tuple[SquareView, ...] = ()
    if c.rounds and not c.rounds[-1].applied:
        squares = tuple(SquareView(q.anchor_id, q.x0, q.y0, q.side, _ro(q.inner)) for q in c.rounds[-1].squares)
    last_applied = max((r.index for r in c.rounds if r.applied), default=None)
    rounds = []
    for r in c.rounds:
        meta = c.round_meta.get(r.index, {})
        v = meta.get("verdict") or {}
        rounds.append(RoundView(r.index, len(r.proposals), r.applied, r.iou_with_previous, r.mask_area_before,
                                r.mask_area_after, v.get("outcome"), v.get("reason", ""), bool(meta.get("reverted")),
                                r.index == last_applied and not meta.get("reverted") and r.index in c.pre_round))
    return ObjectView(o.id, o.label, colour, o.status.value, o.source.value, o.z, o.visible, o.locked,
                      tuple(c.box.as_list()), _ro(c.mask) if c.started else None, points, anchors, squares,
                      tuple(rounds), c.paint.active, len(c.paint.strokes), o.score, c.stop_reason,
                      tuple(f"round {f['round']} {f['request']}: {f['error']}" for f in c.failures))
