"""`oracle`: answers from a ground-truth mask - what a perfect critic would say within the same
protocol (same anchors, same squares, same deepest-point placement). Evaluation and tests only."""

from __future__ import annotations

import json
import time

import numpy as np

from engine.critics.base import CriticView, SequentialSquaresMixin
from engine.critics.heuristic import _points_from_error_regions
from engine.critics.verdict import Outcome, Verdict
from engine.errors import BackendError
from engine.geometry.squares import point_in_region
from engine.registry import CRITICS
from engine.types import AnchorChoice, CriticReply, InstanceInfo, Intent, PointLabel, SquareJudgement


@CRITICS.register("oracle")
class OracleCritic(SequentialSquaresMixin):
    name = "oracle"

    def __init__(self, gt_mask: np.ndarray | None = None) -> None:
        if gt_mask is None:
            raise BackendError("critic 'oracle' needs a ground-truth mask (evaluation and tests only); none was given")
        self.gt = gt_mask.astype(bool)

    def info(self) -> dict:
        return {"name": self.name, "kind": "ground-truth oracle (evaluation only)"}

    def _check(self, view: CriticView) -> None:
        if self.gt.shape != view.mask.shape:
            raise BackendError(f"oracle: GT is {self.gt.shape[::-1]} but the image is {view.mask.shape[::-1]}")

    def select_anchors(self, view: CriticView, instance: InstanceInfo, k: int) -> CriticReply:
        t = time.perf_counter()
        self._check(view)
        half = max(4, int(0.3 * view.box.short_side))
        rows = []
        for a in view.anchors:
            win = (slice(max(0, int(a.y) - half), int(a.y) + half), slice(max(0, int(a.x) - half), int(a.x) + half))
            m, g = view.mask[win], self.gt[win]
            leak, miss = int((m & ~g).sum()), int((~m & g).sum())
            area = max(m.size, 1)
            intent = Intent.FIX_LEAK if leak >= miss else Intent.RECOVER_MISS
            rows.append(AnchorChoice(a.id, intent, (leak + miss) / area, f"leak {leak} px, miss {miss} px"))
        rows.sort(key=lambda c: (-c.score, c.anchor_id))
        chosen = [c for c in rows[:k] if c.score > 0]
        return CriticReply("anchors", chosen, raw=json.dumps([c.to_dict() for c in chosen]), backend=self.name,
                           prompt_id="oracle/anchors", latency_s=time.perf_counter() - t)

    def judge_square(self, view: CriticView, anchor_id: int, instance: InstanceInfo) -> CriticReply:
        t = time.perf_counter()
        sq = view.squares[anchor_id]
        g = self.gt[sq.y0 : sq.y1, sq.x0 : sq.x1]
        options = []
        p1, p2 = point_in_region(sq, 1), point_in_region(sq, 2)
        if p1 is not None and not self.gt[p1[1], p1[0]]:
            options.append((float((sq.inner & ~g).sum()), SquareJudgement(anchor_id, 1, PointLabel.NEG, "region 1 is background")))
        if p2 is not None and self.gt[p2[1], p2[0]]:
            options.append((float((sq.outer & g).sum()), SquareJudgement(anchor_id, 2, PointLabel.POS, "region 2 is object")))
        j = max(options, key=lambda o: o[0])[1] if options else SquareJudgement(anchor_id, None, None, "both regions right")
        return CriticReply("square", j, raw=json.dumps(j.to_dict()), backend=self.name, prompt_id="oracle/square",
                           latency_s=time.perf_counter() - t)

    def propose_points(self, view: CriticView, instance: InstanceInfo, max_points: int) -> CriticReply:
        t = time.perf_counter()
        self._check(view)
        leak, miss = view.mask & ~self.gt, ~view.mask & self.gt
        points = _points_from_error_regions(leak, miss, max_points, 16, "oracle")
        return CriticReply("points", points, raw=json.dumps([p.to_dict() for p in points]), backend=self.name,
                           prompt_id="oracle/points", latency_s=time.perf_counter() - t)

    def verdict(self, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
        """GT IoU after vs before: better / worse by more than 1e-4, else same."""
        t = time.perf_counter()
        self._check(after)
        i0, i1 = gt_iou(before.mask, self.gt), gt_iou(after.mask, self.gt)
        d = i1 - i0
        outcome = Outcome.BETTER if d > IOU_EPS else Outcome.WORSE if d < -IOU_EPS else Outcome.SAME
        return Verdict(outcome, f"GT IoU {i0:.4f} -> {i1:.4f}", 1.0, json.dumps({"iou_before": i0, "iou_after": i1}),
                       self.name, time.perf_counter() - t)


IOU_EPS = 1e-4


def gt_iou(mask: np.ndarray, gt: np.ndarray) -> float:
    union = int((mask | gt).sum())
    return round(float((mask & gt).sum()) / union, 6) if union else 1.0
