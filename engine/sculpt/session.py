"""A step-wise sculpting session for ONE object (the per-object core of engine.sculpt.image_session).
The GUI calls propose(), lets the annotator accept, reject, flip or move each proposal, then apply();
the CLI calls run(), which goes through engine.sculpt.rounds.iter_rounds (every proposal accepted,
a verdict after each round, failures recorded instead of raised)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from engine.critics.base import Critic, CriticView
from engine.geometry.anchors import place_anchors
from engine.geometry.masks import iou, largest_component
from engine.geometry.squares import make_squares, point_in_region
from engine.sculpt.painting import PaintLayers, Stroke, apply_stroke, mask_prompt
from engine.sculpt.params import SculptParams
from engine.segmenters.base import Segmenter
from engine.types import (
    Anchor,
    Box,
    InstanceInfo,
    Point,
    PointLabel,
    PointSource,
    PointStatus,
    Round,
    SculptResult,
    SquareJudgement,
)


class SculptSession:
    def __init__(
        self,
        image: np.ndarray,
        box: Box,
        segmenter: Segmenter,
        critic: Critic | None = None,
        instance: InstanceInfo | None = None,
        params: SculptParams | None = None,
        name: str = "image",
        initial_mask: np.ndarray | None = None,
    ) -> None:
        self.image = image
        self.height, self.width = image.shape[:2]
        self.box = box.clip(self.width, self.height)
        self.initial_box = self.box
        self.segmenter = segmenter
        self.critic = critic
        self.instance = instance or InstanceInfo()
        self.params = params or SculptParams()
        self.name = name
        self.points: list[Point] = []
        self.rounds: list[Round] = []
        self.views: dict[int, CriticView] = {}  # round index -> what the critic saw (for visualisations)
        self.mask = np.zeros((self.height, self.width), bool)
        self.initial_mask: np.ndarray | None = None
        self.logits: np.ndarray | None = None
        self.score: float = 0.0
        self.timings: dict[str, float] = {}
        self.stop_reason = ""
        self.paint = PaintLayers()  # brush/eraser pixels kept through the next segmenter calls
        self.round_meta: dict[int, dict[str, Any]] = {}  # round index -> verdict, revert, params/backends it ran with
        self.failures: list[dict[str, Any]] = []  # critic failures: round, request, error (the result is partial)
        self.partial = False
        self.step = 1.0  # share of a round's proposals applied (halved after a reverted round)
        self.stage = ""  # the critic request in flight (names a failure)
        self.pre_round: dict[int, dict[str, Any]] = {}  # round index -> state refs before it was applied (RevertRound)
        self._prepared = False
        self._imported_mask = initial_mask.astype(bool) if initial_mask is not None else None

    # ---- set-up ---------------------------------------------------------------------------
    def prepare(self) -> None:
        if not self._prepared:
            t = time.perf_counter()
            self.segmenter.prepare(self.image)
            self._add_time("prepare", t)
            self._prepared = True

    def start(self) -> np.ndarray:
        """The initial mask: from the ROI box alone (or an imported mask)."""
        self.prepare()
        t = time.perf_counter()
        if self._imported_mask is not None:
            self.mask = self._imported_mask.copy()
        else:
            self._segment()
        self._add_time("initial_mask", t)
        self.initial_mask = self.mask.copy()
        return self.mask

    @property
    def started(self) -> bool:
        return self.initial_mask is not None

    # ---- the critic round ----------------------------------------------------------------
    def anchors(self) -> list[Anchor]:
        return place_anchors(self.mask, self.box)

    def propose(self) -> Round:
        """One critic round. Proposals come back PENDING; nothing is applied."""
        if self.critic is None:
            raise RuntimeError("no critic configured")
        if not self.started:
            self.start()
        self.reject_pending()
        rnd = Round(index=len(self.rounds) + 1, mask_area_before=int(self.mask.sum()))
        t0 = time.perf_counter()
        rnd.anchors = self.anchors()
        view = CriticView(self.image, self.mask.copy(), self.box, rnd.anchors, max_side=self.params.vlm_max_side)
        self.views[rnd.index] = view
        if self.params.strategy == "direct":
            self._propose_direct(view, rnd)
        else:
            self._propose_anchors(view, rnd)
        rnd.timings["propose"] = time.perf_counter() - t0
        self.stage = ""
        self.points.extend(rnd.proposals)
        self.rounds.append(rnd)
        self.round_meta[rnd.index] = {"params": self.params.to_dict(), "backends": self._backends()}
        return rnd

    def _propose_anchors(self, view: CriticView, rnd: Round) -> None:
        t = time.perf_counter()
        self.stage = "select_anchors"
        reply = self.critic.select_anchors(view, self.instance, self.params.anchors_k)
        rnd.timings["select_anchors"] = time.perf_counter() - t
        rnd.replies.append(reply)
        valid_ids = {a.id for a in rnd.anchors}
        seen: set[int] = set()
        for choice in reply.parsed or []:
            if choice.anchor_id in valid_ids and choice.anchor_id not in seen:
                rnd.selected.append(choice)
                seen.add(choice.anchor_id)
        rnd.selected = rnd.selected[: self.params.anchors_k]
        if not rnd.selected:
            return
        chosen = [view.anchor(c.anchor_id) for c in rnd.selected]
        view.squares = make_squares(self.mask, chosen, self.box, self.params.ratio, self.params.min_square_side)
        rnd.squares = list(view.squares.values())
        t = time.perf_counter()
        self.stage = "judge_squares"
        replies = self.critic.judge_squares(view, [c.anchor_id for c in rnd.selected], self.instance)
        rnd.timings["judge_squares"] = time.perf_counter() - t
        reasons = {c.anchor_id: c.reason for c in rnd.selected}
        for reply in replies:
            rnd.replies.append(reply)
            j: SquareJudgement | None = reply.parsed
            if j is None or j.region not in (1, 2) or j.action is None or j.anchor_id not in view.squares:
                continue
            rnd.judgements.append(j)
            xy = point_in_region(view.squares[j.anchor_id], j.region)
            if xy is None:
                continue
            reason = "; ".join(r for r in (reasons.get(j.anchor_id, ""), j.reason) if r)
            rnd.proposals.append(self._proposal(xy[0], xy[1], j.action, rnd.index, j.anchor_id, reason, j.confidence))

    def _propose_direct(self, view: CriticView, rnd: Round) -> None:
        t = time.perf_counter()
        self.stage = "propose_points"
        reply = self.critic.propose_points(view, self.instance, self.params.max_points)
        rnd.timings["propose_points"] = time.perf_counter() - t
        rnd.replies.append(reply)
        allowed = self.box.scaled(self.params.direct_roi_factor)
        for p in (reply.parsed or [])[: self.params.max_points]:
            if allowed.contains(p.x, p.y) and 0 <= p.x < self.width and 0 <= p.y < self.height:
                rnd.proposals.append(self._proposal(p.x, p.y, p.label, rnd.index, None, p.reason,
                                                    getattr(p, "confidence", 1.0)))

    @staticmethod
    def _proposal(x: float, y: float, label: PointLabel, round_index: int, anchor_id: int | None, reason: str,
                  confidence: float = 1.0) -> Point:
        return Point(x=float(x), y=float(y), label=label, source=PointSource.CRITIC, status=PointStatus.PENDING,
                     anchor_id=anchor_id, reason=reason, round_index=round_index, confidence=float(confidence))

    # ---- annotator decisions ---------------------------------------------------------------
    def point(self, point_id: str) -> Point:
        for p in self.points:
            if p.id == point_id:
                return p
        raise KeyError(point_id)

    def pending(self) -> list[Point]:
        return [p for p in self.points if p.status is PointStatus.PENDING]

    def accepted_points(self) -> list[Point]:
        return [p for p in self.points if p.status is PointStatus.ACCEPTED]

    def accept(self, point_id: str) -> None:
        self.point(point_id).status = PointStatus.ACCEPTED

    def reject(self, point_id: str) -> None:
        self.point(point_id).status = PointStatus.REJECTED

    def flip(self, point_id: str) -> None:
        p = self.point(point_id)
        p.label = p.label.flipped()
        p.flipped = not p.flipped

    def move(self, point_id: str, x: float, y: float) -> None:
        p = self.point(point_id)
        if p.moved_from is None:
            p.moved_from = (p.x, p.y)
        p.x = float(min(max(x, 0), self.width - 1))
        p.y = float(min(max(y, 0), self.height - 1))

    def accept_all(self) -> None:
        for p in self.pending():
            p.status = PointStatus.ACCEPTED

    def reject_pending(self) -> None:
        for p in self.pending():
            p.status = PointStatus.REJECTED

    def add_point(self, x: float, y: float, label: PointLabel = PointLabel.POS, source: PointSource = PointSource.HUMAN) -> Point:
        p = Point(x=float(x), y=float(y), label=label, source=source, status=PointStatus.ACCEPTED)
        self.points.append(p)
        return p

    def remove_point(self, point_id: str) -> Point:
        p = self.point(point_id)
        self.points.remove(p)
        return p

    def set_box(self, box: Box) -> None:
        self.box = box.clip(self.width, self.height)

    def set_mask(self, mask: np.ndarray, as_prompt: bool = False) -> None:
        """A direct edit (import, or a whole painted mask from an old caller). With as_prompt the
        next refine takes it as its mask prompt; otherwise it starts from the segmenter again."""
        self.mask = mask.astype(bool).copy()
        self.logits = mask_prompt(self.segmenter, self.mask) if as_prompt else None
        if self.initial_mask is None:
            self.initial_mask = self.mask.copy()

    def paint_stroke(self, stroke: Stroke) -> np.ndarray:
        """Brush (or eraser) on the current mask. The painted pixels survive the next segmenter call
        (which takes the painted mask as its prompt) until refine(from_box=True)."""
        if not self.started:
            self.start()
        self.mask, covered = apply_stroke(self.mask, stroke)
        if self.params.keep_painted:
            self.paint.add(stroke, covered)
        else:
            self.paint.strokes = [*self.paint.strokes, stroke]
        self.logits = mask_prompt(self.segmenter, self.mask)
        return self.mask

    # ---- applying ------------------------------------------------------------------------
    def refine(self, gate_anchor_ids: Iterable[int] | None = None, from_box: bool = False) -> np.ndarray:
        """Re-run the segmenter with the box and every accepted point. Painted pixels are kept and the
        previous mask is the prompt, unless from_box: then both are forgotten (a fresh start from the box)."""
        self.prepare()
        if from_box:
            self.paint.clear()
            self.logits = None
        self._expand_roi_for_positive_points()
        previous = self.mask
        self._segment()
        if self.params.local_gating and gate_anchor_ids is not None and self.rounds:
            self.mask = self._gate(previous, self.mask, set(gate_anchor_ids))
        return self.mask

    def apply(self) -> Round:
        """Apply the latest round: accepted points go to the segmenter, pending ones are rejected."""
        if not self.rounds:
            raise RuntimeError("nothing proposed yet")
        rnd = self.rounds[-1]
        self.reject_pending()
        before = self.mask.copy()
        t = time.perf_counter()
        self.refine(gate_anchor_ids=[c.anchor_id for c in rnd.selected])
        rnd.timings["refine"] = time.perf_counter() - t
        rnd.applied = True
        rnd.iou_with_previous = iou(before, self.mask)
        rnd.mask_area_after = int(self.mask.sum())
        rnd.box_after = self.box
        return rnd

    def iter_rounds(self, rounds: int | None = None, verdict: str | None = None, object_id: int | None = None) -> Iterator:
        """engine.sculpt.rounds.iter_rounds on this core (yields RoundEvents: the cancel points)."""
        from engine.sculpt.rounds import iter_rounds

        return iter_rounds(self, rounds, verdict, object_id)

    def run(self, rounds: int | None = None, verdict: str | None = None) -> SculptResult:
        """The CLI's path: every proposal accepted, rounds until converged or nothing proposed; a
        critic failure ends the rounds with the last good mask (see failures / partial)."""
        t = time.perf_counter()
        if not self.started:
            self.start()
        for _ in self.iter_rounds(rounds, verdict):
            pass
        self._add_time("total", t)
        return self.result()

    # ---- state references (undo, verdict revert): arrays are replaced, never modified in place ----
    def state_refs(self) -> dict[str, Any]:
        return {"mask": self.mask, "logits": self.logits, "box": self.box, "score": self.score,
                "paint_on": self.paint.on, "paint_off": self.paint.off}

    def restore_refs(self, refs: dict[str, Any]) -> None:
        self.mask, self.logits, self.box, self.score = refs["mask"], refs["logits"], refs["box"], refs["score"]
        self.paint.on, self.paint.off = refs["paint_on"], refs["paint_off"]

    def result(self) -> SculptResult:
        return SculptResult(
            name=self.name,
            mask=self.mask.copy(),
            initial_mask=(self.initial_mask if self.initial_mask is not None else self.mask).copy(),
            box=self.box,
            initial_box=self.initial_box,
            instance=self.instance,
            rounds=list(self.rounds),
            points=list(self.points),
            params=self.params.to_dict(),
            backends=self._backends(),
            timings=dict(self.timings),
            stop_reason=self.stop_reason,
        )

    # ---- internals -------------------------------------------------------------------------
    def _backends(self) -> dict[str, Any]:
        return {"segmenter": self.segmenter.info(), "critic": self.critic.info() if self.critic else None}

    def _segment(self) -> None:
        pred = self.segmenter.predict(self.box, self.accepted_points(), self.logits)
        mask = pred.best_mask().astype(bool)
        if self.params.keep_largest_component:
            mask = largest_component(mask)
        if self.paint.active:
            mask = self.paint.keep(mask)
        self.mask = mask
        self.logits = pred.best_logits()
        self.score = float(pred.scores[pred.best_index()]) if len(pred.scores) else 0.0

    def _expand_roi_for_positive_points(self) -> None:
        margin = self.params.roi_expand_margin * max(self.width, self.height)
        box = self.box
        for p in self.accepted_points():
            if p.is_positive and not box.contains(p.x, p.y):
                box = box.including(p.x, p.y, margin)
        self.box = box.clip(self.width, self.height)

    def _gate(self, old: np.ndarray, new: np.ndarray, anchor_ids: set[int]) -> np.ndarray:
        allowed = np.zeros_like(old)
        rnd = self.rounds[-1]
        f = self.params.gating_radius_factor
        for sq in rnd.squares:
            if sq.anchor_id in anchor_ids:
                cx, cy, half = sq.x0 + sq.side / 2, sq.y0 + sq.side / 2, sq.side * f / 2
                allowed[max(0, int(cy - half)) : int(cy + half), max(0, int(cx - half)) : int(cx + half)] = True
        for p in self.accepted_points():
            if p.round_index == rnd.index and p.anchor_id is None:
                half = max(self.box.short_side * self.params.ratio * f / 2, 8)
                allowed[max(0, int(p.y - half)) : int(p.y + half), max(0, int(p.x - half)) : int(p.x + half)] = True
        return np.where(allowed, new, old)

    def _add_time(self, key: str, t0: float) -> None:
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0
