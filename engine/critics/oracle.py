"""`oracle`: answers from a ground-truth mask - what a perfect critic would say within the same
protocol (same anchors, same squares, same deepest-point placement). Evaluation and tests only.

Per-object GT (many objects on one image): built with `gt_instances` (an instance-id map, 0 = background,
as `eval --gt-instances` reads it), the oracle is bound to each object when the object is made
(`for_object(box, initial_mask)`, called by ImageSession): the object gets the GT instance with the highest
IoU with its initial mask (an imported / find-all / given mask), or, with a box only, the instance whose
tight box has the highest IoU with the object's box (ties: the lower id). That object's proposals and
verdicts are judged against its own instance only, so a point on object B is wrong for object A. An object
that overlaps no instance keeps the union GT, and `gt_match` (written to sculpt.json `objects[i].oracle_gt`)
says so. Without `gt_instances` (a binary GT) `for_object` returns the oracle itself: today's behaviour."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from engine.critics.base import CriticView, SequentialSquaresMixin
from engine.critics.heuristic import _points_from_error_regions
from engine.critics.verdict import Outcome, Verdict
from engine.errors import BackendError
from engine.geometry.boxes import box_iou
from engine.geometry.masks import iou as mask_iou
from engine.geometry.squares import point_in_region
from engine.registry import CRITICS
from engine.types import AnchorChoice, Box, CriticReply, InstanceInfo, Intent, PointLabel, SquareJudgement

MATCH_RULE = "highest IoU of the GT instance with the object's initial mask, else of its tight box with the object's box"


@CRITICS.register("oracle")
class OracleCritic(SequentialSquaresMixin):
    name = "oracle"

    def __init__(self, gt_mask: np.ndarray | None = None, gt_instances: np.ndarray | None = None) -> None:
        if gt_mask is None and gt_instances is not None:
            gt_mask = np.asarray(gt_instances) > 0
        if gt_mask is None:
            raise BackendError(f"critic '{self.name}' needs a ground-truth mask (evaluation and tests only); none was given")
        self.gt = gt_mask.astype(bool)
        self.gt_instances = None if gt_instances is None else np.asarray(gt_instances)
        if self.gt_instances is not None and self.gt_instances.shape != self.gt.shape:
            raise BackendError(f"{self.name}: the GT instance map is {self.gt_instances.shape[::-1]} "
                               f"but the GT mask is {self.gt.shape[::-1]}")
        self.gt_match: dict[str, Any] | None = None  # set on a per-object copy (for_object)

    def for_object(self, box: Box, initial_mask: np.ndarray | None = None) -> OracleCritic:
        """The oracle for one object: judged against its matched GT instance (see the module doc). Without
        an instance map: self, unchanged."""
        if self.gt_instances is None:
            return self
        bound = copy.copy(self)
        inst, score, by = match_instance(self.gt_instances, box, initial_mask)
        if inst is None:
            bound.gt_match = {"instance": None, "iou": 0.0, "by": by, "rule": MATCH_RULE,
                              "note": "no GT instance overlaps this object: judged against the union GT"}
        else:
            bound.gt = self.gt_instances == inst
            bound.gt_match = {"instance": inst, "iou": round(score, 6), "by": by, "rule": MATCH_RULE}
        return bound

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


def match_instance(ids: np.ndarray, box: Box, initial_mask: np.ndarray | None = None) -> tuple[int | None, float, str]:
    """(GT instance id or None, its IoU, "mask" | "box"): the instance with the highest IoU with the initial
    mask when one is given (and non-empty), else the instance whose tight box has the highest IoU with `box`.
    Ties: the lower id. None when no instance overlaps (IoU 0)."""
    values = [int(v) for v in np.unique(ids) if v > 0]
    use_mask = initial_mask is not None and initial_mask.shape == ids.shape and bool(initial_mask.any())
    best: tuple[float, int | None] = (0.0, None)
    for v in values:
        inst = ids == v
        if use_mask:
            score = mask_iou(inst, initial_mask)  # the initial mask is not empty: the union is not either
        else:
            ib = Box.from_mask(inst)
            score = box_iou(ib, box) if ib is not None else 0.0
        if score > best[0] + 1e-12:
            best = (score, v)
    return best[1], best[0], "mask" if use_mask else "box"


def gt_iou(mask: np.ndarray, gt: np.ndarray) -> float:
    union = int((mask | gt).sum())
    return round(float((mask & gt).sum()) / union, 6) if union else 1.0


def load_gt_instances(path: Path, name: str, shape: tuple[int, int], gt: np.ndarray | None = None) -> np.ndarray:
    """An image's GT instance map for the oracle (`--gt-instances`): `path` is the map, or a folder with
    NAME.png / NAME.jpg; read at `shape` (nearest), ids outside `gt` (when given) cleared."""
    from engine.errors import InputError
    from engine.metrics.instances import instance_map_for, read_instance_map

    if path.is_dir():
        found = instance_map_for(path, name)
        if found is None:
            raise InputError(f"{path}: no GT instance map {name}.png in this folder")
        path = found
    ids = read_instance_map(path, shape)
    return np.where(gt, ids, 0) if gt is not None else ids
