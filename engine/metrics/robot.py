"""The simulated annotator ("robot") of interactive-segmentation papers, and the clicks it needs.

Each click goes to the deepest point (distance-transform maximum) of the largest error region:
positive when that region is missed object, negative when it is leaked background. After each click
the segmenter re-runs with the box and every point so far. NoC@t is the number of clicks until
IoU >= t; an image that never gets there within the cap counts as the cap (and as a failure).

Critic first (issue 14): the critic's rounds run before the first click, and its points must never cost
clicks. The protocol: (1) the annotator looks at the critic's result: when it is no better than the
box-only mask, the critic is undone (one key, free: the verdict's revert) and the robot clicks exactly as
with clicks alone; (2) a click overrides the critic points it contradicts (an accepted critic point of the
other label inside the error region the click fixes); (3) a click that raises the IoU by less than STALL_GAIN
while critic points are in force drops them all (what holds the error in place is the critic's seeds) and
the same click is re-applied (kept when that is no worse; else the critic points come back). Review (`review_rounds`): a simulated reviewer accepts only the proposals the GT
confirms; each reviewed proposal costs `review_cost` clicks, counted in NoC (RobotRun.cost)."""

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
STALL_GAIN = 0.02  # a click raising IoU by less than this while critic points are in force drops them


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


def critic_points_in_force(session: SculptSession) -> list:
    return [p for p in session.accepted_points() if p.source is PointSource.CRITIC]


def drop_critic_points(session: SculptSession, why: str) -> int:
    """Reject every accepted critic point (kept in the session with the reason). Returns how many."""
    points = critic_points_in_force(session)
    for p in points:
        p.status = PointStatus.REJECTED
        p.reason = f"{p.reason} ({why})".strip()
    return len(points)


def undo_critic(session: SculptSession) -> int:
    """Back to the box-only state (the critic's points rejected, the initial box, no mask prompt): the same
    state, and so the same clicks, as clicks alone. Returns how many critic points were dropped."""
    n = drop_critic_points(session, "overridden by the robot: undone, the critic's result was no better than the box")
    session.set_box(session.initial_box)
    session.refine(from_box=True)
    return n


def review_proposals(session: SculptSession, gt: np.ndarray) -> int:
    """The simulated reviewer: each pending proposal is accepted when the GT confirms it (a positive point
    inside the object, a negative one outside) and rejected otherwise. Returns how many it reviewed."""
    h, w = gt.shape
    pending = session.pending()
    for p in pending:
        x, y = min(max(int(round(p.x)), 0), w - 1), min(max(int(round(p.y)), 0), h - 1)
        right = bool(gt[y, x]) == (p.label is PointLabel.POS)
        p.status = PointStatus.ACCEPTED if right else PointStatus.REJECTED
        if not right:
            p.reason = f"{p.reason} (rejected by the reviewer)".strip()
    return len(pending)


def review_rounds(session: SculptSession, gt: np.ndarray, rounds: int) -> int:
    """`rounds` critic rounds with the simulated reviewer between proposing and applying (no verdict).
    Stops when nothing is proposed or accepted, or the round converged. Returns the proposals reviewed."""
    gt = gt.astype(bool)
    if not session.started:
        session.start()
    reviewed = 0
    for _ in range(rounds):
        rnd = session.propose()
        if not rnd.proposals:
            break
        reviewed += review_proposals(session, gt)
        if not any(p.status is PointStatus.ACCEPTED for p in rnd.proposals):
            break
        session.apply()
        if rnd.iou_with_previous is not None and rnd.iou_with_previous >= session.params.early_stop_iou:
            break
    return reviewed


@dataclass
class RobotRun:
    """ious[k] is the IoU after k robot clicks (ious[0]: before any click). `cost`: clicks' worth spent
    before the first click (reviewing critic proposals); NoC and mIoU@k count it."""

    name: str
    ious: list[float] = field(default_factory=list)
    critic_points: int = 0  # critic proposals applied before the first click (0 for clicks only)
    overridden: int = 0  # critic points the robot's clicks overrode (or dropped)
    cost: float = 0.0
    undone: bool = False  # the critic's result was no better than the box: undone before the first click
    start_iou: float | None = None  # IoU of the box-only mask (mIoU@k while k < cost)

    def noc(self, threshold: float, max_clicks: int = MAX_CLICKS) -> float:
        for k, v in enumerate(self.ious):
            if v >= threshold:
                return k + self.cost
        return max_clicks + self.cost

    def reached(self, threshold: float) -> bool:
        return any(v >= threshold for v in self.ious)

    def iou_at(self, k: int) -> float:
        """IoU after k clicks' worth; once the robot stopped (target met or nothing to fix) it stays."""
        if k < self.cost - 1e-9:
            return self.start_iou if self.start_iou is not None else self.ious[0]
        j = int(np.floor(k - self.cost + 1e-9))
        return self.ious[min(j, len(self.ious) - 1)]


def run_robot(session: SculptSession, gt: np.ndarray, critic_rounds: int = 0, max_clicks: int = MAX_CLICKS,
              stop_at: float = 1.0, on_click: Callable[[int, float], None] | None = None,
              override: bool = True, stall_gain: float = STALL_GAIN) -> RobotRun:
    """Start the session (box-only mask), optionally apply `critic_rounds` of critic proposals (all
    accepted, as `sculpt` does), then click until IoU >= stop_at or max_clicks. With override (the
    protocol since issue 14, see the module doc) the critic's points never block a correction: a
    critic result no better than the box is undone, a click rejects the critic points it contradicts,
    and a click that gains less than `stall_gain` IoU while critic points are in force drops them."""
    gt = gt.astype(bool)
    if not session.started:
        session.start()
    run = RobotRun(session.name)
    if critic_rounds > 0 and session.critic is not None:
        session.run(critic_rounds)
        run.critic_points = len(session.accepted_points())
    run.start_iou = iou(session.initial_mask, gt) if session.initial_mask is not None else None
    if override and critic_points_in_force(session) and run.start_iou is not None \
            and iou(session.mask, gt) <= run.start_iou:
        run.overridden += undo_critic(session)
        run.undone = True
    run.ious.append(iou(session.mask, gt))
    for k in range(1, max_clicks + 1):
        if run.ious[-1] >= stop_at:
            break
        click = next_click_region(session.mask, gt)
        if click is None:
            break
        if override:
            run.overridden += override_contradicted(session, click[3], click[2])
        before = session.state_refs()
        session.add_point(click[0], click[1], click[2])
        session.refine()
        value = iou(session.mask, gt)
        in_force = critic_points_in_force(session) if override else []
        if in_force and value < run.ious[-1] + stall_gain:
            # the click hardly helped: the critic's seeds hold the error; drop them, same click again
            after, reasons = session.state_refs(), [p.reason for p in in_force]
            session.restore_refs(before)
            drop_critic_points(session, "overridden by the robot: dropped, a click did not help")
            session.refine()
            dropped = iou(session.mask, gt)
            if dropped >= value:
                run.overridden += len(in_force)
                value = dropped
            else:  # dropping was worse: the annotator undoes it
                session.restore_refs(after)
                for p, reason in zip(in_force, reasons, strict=True):
                    p.status, p.reason = PointStatus.ACCEPTED, reason
        run.ious.append(value)
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
    out["review_cost"] = float(np.mean([r.cost for r in runs]))
    out["undone"] = int(sum(r.undone for r in runs))
    return out


def miou_curve(runs: list[RobotRun], max_clicks: int = MAX_CLICKS) -> list[float]:
    return [float(np.mean([r.iou_at(k) for r in runs])) for k in range(max_clicks + 1)] if runs else []
