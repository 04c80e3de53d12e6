"""The simulated annotator ("robot") of interactive-segmentation papers, and the clicks it needs.

Each click goes to the deepest point (distance-transform maximum) of the largest error region:
positive when that region is missed object, negative when it is leaked background. After each click
the segmenter re-runs with the box and every point so far. NoC@t is the number of clicks until
IoU >= t; an image that never gets there within the cap counts as the cap (and as a failure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from engine.geometry.masks import deepest_point, iou
from engine.sculpt.session import SculptSession
from engine.types import PointLabel, PointSource, PointStatus

MAX_CLICKS = 20
THRESHOLDS = (0.85, 0.90)


def next_click(mask: np.ndarray, gt: np.ndarray) -> tuple[int, int, PointLabel] | None:
    """(x, y, label) of the robot's next click, or None when the mask equals the GT."""
    found = next_click_region(mask, gt)
    return None if found is None else found[:3]  # type: ignore[return-value]


def next_click_region(mask: np.ndarray, gt: np.ndarray) -> tuple[int, int, PointLabel, np.ndarray] | None:
    """next_click plus the error region it fixes (bool mask)."""
    best: tuple[int, np.ndarray, PointLabel] | None = None
    for region, label in ((gt & ~mask, PointLabel.POS), (mask & ~gt, PointLabel.NEG)):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(region.astype(np.uint8), connectivity=8)
        if n <= 1:
            continue
        i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        area = int(stats[i, cv2.CC_STAT_AREA])
        if best is None or area > best[0]:
            best = (area, labels == i, label)
    if best is None:
        return None
    xy = deepest_point(best[1])
    assert xy is not None
    return xy[0], xy[1], best[2], best[1]


def override_contradicted(session: SculptSession, region: np.ndarray, label: PointLabel) -> int:
    """The robot's click overrides critic points it contradicts: an accepted critic point of the other label
    inside the error region the click fixes (that point is what holds the error in place). Returns how many."""
    n = 0
    h, w = region.shape
    for p in session.accepted_points():
        if p.source is PointSource.CRITIC and p.label is not label:
            x, y = min(max(int(round(p.x)), 0), w - 1), min(max(int(round(p.y)), 0), h - 1)
            if region[y, x]:
                p.status = PointStatus.REJECTED
                p.reason = f"{p.reason} (overridden by a robot click)".strip()
                n += 1
    return n


@dataclass
class RobotRun:
    """ious[k] is the IoU after k robot clicks (ious[0]: before any click)."""

    name: str
    ious: list[float] = field(default_factory=list)
    critic_points: int = 0  # critic proposals applied before the first click (0 for clicks only)
    overridden: int = 0  # critic points the robot's clicks overrode

    def noc(self, threshold: float, max_clicks: int = MAX_CLICKS) -> int:
        for k, v in enumerate(self.ious):
            if v >= threshold:
                return k
        return max_clicks

    def reached(self, threshold: float) -> bool:
        return any(v >= threshold for v in self.ious)

    def iou_at(self, k: int) -> float:
        """IoU after k clicks; once the robot stopped (target met or nothing to fix) it stays."""
        return self.ious[min(k, len(self.ious) - 1)]


def run_robot(session: SculptSession, gt: np.ndarray, critic_rounds: int = 0, max_clicks: int = MAX_CLICKS,
              stop_at: float = 1.0, on_click: Callable[[int, float], None] | None = None,
              override: bool = True) -> RobotRun:
    """Start the session (box-only mask), optionally apply `critic_rounds` of critic proposals (all
    accepted, as `sculpt` does), then click until IoU >= stop_at or max_clicks. With override (the
    protocol since issue 14) a click rejects the critic points it contradicts, so a wrong critic point
    never blocks a later correction."""
    gt = gt.astype(bool)
    if not session.started:
        session.start()
    run = RobotRun(session.name)
    if critic_rounds > 0 and session.critic is not None:
        session.run(critic_rounds)
        run.critic_points = len(session.accepted_points())
    run.ious.append(iou(session.mask, gt))
    for k in range(1, max_clicks + 1):
        if run.ious[-1] >= stop_at:
            break
        click = next_click_region(session.mask, gt)
        if click is None:
            break
        if override:
            run.overridden += override_contradicted(session, click[3], click[2])
        session.add_point(click[0], click[1], click[2])
        session.refine()
        run.ious.append(iou(session.mask, gt))
        if on_click is not None:
            on_click(k, run.ious[-1])
    return run


def summarise(runs: list[RobotRun], max_clicks: int = MAX_CLICKS, ks: tuple[int, ...] = (0, 1, 3, 5, 10, 20)) -> dict:
    """NoC@85/90 (mean clicks), NoF@85/90 (images that never got there) and mIoU@k."""
    if not runs:
        return {"count": 0}
    out: dict = {"count": len(runs)}
    for t in THRESHOLDS:
        tag = int(round(t * 100))
        out[f"NoC@{tag}"] = float(np.mean([r.noc(t, max_clicks) for r in runs]))
        out[f"NoF@{tag}"] = int(sum(not r.reached(t) for r in runs))
    for k in ks:
        if k <= max_clicks:
            out[f"mIoU@{k}"] = float(np.mean([r.iou_at(k) for r in runs]))
    out["critic_points"] = float(np.mean([r.critic_points for r in runs]))
    out["overridden"] = float(np.mean([r.overridden for r in runs]))
    return out


def miou_curve(runs: list[RobotRun], max_clicks: int = MAX_CLICKS) -> list[float]:
    return [float(np.mean([r.iou_at(k) for r in runs])) for k in range(max_clicks + 1)] if runs else []
