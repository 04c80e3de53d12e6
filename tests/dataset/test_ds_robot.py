"""The simulated annotator: where it clicks, and that it gets a synthetic scene to IoU 0.9."""

from __future__ import annotations

import numpy as np
from ds_helpers import SIZE

from engine.metrics.robot import MAX_CLICKS, RobotRun, next_click, run_robot, summarise
from engine.samples import generate_scene
from engine.sculpt.runner import build_critic, build_segmenter
from engine.sculpt.session import SculptSession
from engine.settings import load_settings
from engine.types import PointLabel


def test_click_goes_to_deepest_point_of_largest_error() -> None:
    gt = np.zeros((60, 80), bool)
    gt[10:50, 10:70] = True
    mask = gt.copy()
    mask[20:41, 20:41] = False  # a big miss, centre (30, 30)
    mask[2:6, 2:6] = True  # a small leak
    x, y, label = next_click(mask, gt)
    assert label is PointLabel.POS and (x, y) == (30, 30)
    mask = gt.copy()
    mask[0:60, 70:80] = True  # only a leak: right strip, 10 px wide
    x, y, label = next_click(mask, gt)
    assert label is PointLabel.NEG and 72 <= x <= 77  # mid-strip (every row is equally deep)
    assert next_click(gt, gt) is None


def test_noc_and_summary() -> None:
    runs = [RobotRun("a", [0.5, 0.86, 0.91]), RobotRun("b", [0.95]), RobotRun("c", [0.1, 0.2])]
    assert runs[0].noc(0.85) == 1 and runs[0].noc(0.9) == 2 and runs[1].noc(0.9) == 0
    assert runs[2].noc(0.9) == MAX_CLICKS and not runs[2].reached(0.85)
    s = summarise(runs)
    assert s["NoC@85"] == (1 + 0 + MAX_CLICKS) / 3 and s["NoF@90"] == 1
    assert s["mIoU@1"] == np.mean([0.86, 0.95, 0.2])


def test_robot_reaches_iou_90_within_cap_on_synthetic_scene() -> None:
    settings = load_settings()
    for seed in (0, 3):
        scene = generate_scene(seed, SIZE)
        session = SculptSession(scene.image, scene.box, build_segmenter(settings), None, name=f"scene{seed}")
        run = run_robot(session, scene.gt, stop_at=0.9)
        assert run.reached(0.9), run.ious
        assert len(run.ious) - 1 <= MAX_CLICKS
        assert all(p.source.value == "human" for p in session.points)


def test_critic_first_then_clicks_counts_only_human_clicks() -> None:
    settings = load_settings()
    scene = generate_scene(0, SIZE)
    critic = build_critic(settings, "oracle", gt_mask=scene.gt)
    session = SculptSession(scene.image, scene.box, build_segmenter(settings), critic, name="s")
    run = run_robot(session, scene.gt, critic_rounds=2, stop_at=0.9)
    human = [p for p in session.points if p.source.value == "human"]
    assert len(human) == len(run.ious) - 1
    assert run.critic_points == len([p for p in session.accepted_points() if p.source.value == "critic"])
    assert run.reached(0.9)
