"""Issue 14: `bench --critic noisy-oracle --noise P --seed S` (reproducible), and the simulated reviewer's
cost counted in NoC. Two tiny generated images, grabcut: fast."""

from __future__ import annotations

import json

import pytest

from engine.cli.app import main
from engine.io.atomic import write_image, write_mask
from engine.io.dataset import list_dataset
from engine.metrics.bench import BenchConfig, run_bench
from engine.metrics.robot import RobotRun, review_rounds, run_robot, summarise
from engine.samples import generate_scene
from engine.sculpt.runner import build_critic, build_segmenter
from engine.sculpt.session import SculptSession
from engine.settings import load_settings
from engine.types import PointSource, PointStatus

SIZE = (160, 120)


@pytest.fixture
def cod_two(tmp_path):
    root = tmp_path / "cod"
    for i, seed in enumerate((101, 104)):
        scene = generate_scene(seed, SIZE, "blob")
        write_image(root / "Imgs" / f"c{i}.png", scene.image)
        write_mask(root / "GT" / f"c{i}.png", scene.gt)
    return root


def _bench(items, seed: int, noise: float = 0.4):
    settings = load_settings(overrides={"sculpt": {"strategy": "direct", "verdict": "on"},
                                        "critic": {"options": {"noisy-oracle": {"noise": noise, "seed": seed}}}})
    report = run_bench(items, settings, [BenchConfig("noisy", "noisy-oracle", 2)], max_side=None, max_clicks=3,
                       progress=False)
    return report.summary()["arms"]["noisy"]


def test_noisy_oracle_bench_is_reproducible(cod_two):
    items = list_dataset(cod_two, "cod")
    a, b = _bench(items, seed=7), _bench(items, seed=7)
    assert a["robot"] == b["robot"] and a["cod"] == b["cod"] and a["miou_curve"] == b["miou_curve"]


def test_reviewer_cost_is_counted_in_noc():
    run = RobotRun("r", [0.5, 0.86, 0.95], cost=0.75, start_iou=0.4)
    assert run.noc(0.85) == pytest.approx(1.75) and run.noc(0.9) == pytest.approx(2.75)
    assert run.noc(0.99, 20) == pytest.approx(20.75)  # never reached: the cap plus what the review cost
    assert run.iou_at(0) == 0.4 and run.iou_at(1) == 0.5 and run.iou_at(2) == 0.86 and run.iou_at(3) == 0.95
    assert summarise([run, RobotRun("c", [0.5, 0.86, 0.95])])["review_cost"] == pytest.approx(0.375)


def test_review_rounds_review_every_proposal_and_apply_only_the_right_ones():
    scene = generate_scene(101, SIZE, "blob")
    settings = load_settings(overrides={"sculpt": {"strategy": "direct"},
                                        "critic": {"options": {"noisy-oracle": {"noise": 0.5, "seed": 3}}}})
    critic = build_critic(settings, "noisy-oracle", gt_mask=scene.gt)
    s = SculptSession(scene.image, scene.box, build_segmenter(settings), critic)
    reviewed = review_rounds(s, scene.gt, 2)
    proposals = [p for p in s.points if p.source is PointSource.CRITIC]
    assert reviewed == len(proposals) > 0
    for p in proposals:
        right = bool(scene.gt[int(round(p.y)), int(round(p.x))]) == p.is_positive
        assert (p.status is PointStatus.ACCEPTED) == right
    run = run_robot(s, scene.gt, max_clicks=2, stop_at=0.9)
    run.cost = reviewed * 0.25
    assert run.noc(0.0) == pytest.approx(0.25 * reviewed)


def test_bench_cli_noisy_oracle_noise(cod_two, tmp_path, capsys):
    out = tmp_path / "bench"
    args = ["bench", "--dataset", str(cod_two), "--layout", "cod", "--box-from-gt", "--critic", "noisy-oracle",
            "--noise", "0.2", "--seed", "1", "--rounds", "1", "--strategy", "direct", "--max-side", "0",
            "--max-clicks", "2", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    summary = json.loads((out / "bench_summary.json").read_text())
    assert summary["images"] == 2 and "grabcut+noisy-oracle r1 p0.2" in summary["arms"]
    assert "NoC@90" in capsys.readouterr().out
    assert main([*args[:-3], "--noise", "1.5", "--out", str(tmp_path / "b2"), "--no-progress"]) == 2  # one line, exit 2
