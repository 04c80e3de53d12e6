"""Per-object GT for the verification paths (issue H14): the oracle critics judge each object of a
many-object image against its own GT instance (not the union), and `bench` runs the robot per object
against its GT instance. A binary GT behaves exactly as before."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from engine.critics.base import CriticView
from engine.critics.noisy_oracle import NoisyOracleCritic
from engine.critics.oracle import OracleCritic, match_instance
from engine.critics.verdict import Outcome
from engine.io.atomic import write_mask
from engine.io.dataset import aux_item
from engine.metrics.bench import CLICKS_ONLY, BenchConfig, run_bench
from engine.sculpt.runner import build_critic, build_image_session, load_item, sculpt_image
from engine.settings import load_settings
from engine.types import Box, InstanceInfo, PointLabel
from tests.objects.helpers import BOX_A, BOX_B, grabcut, make_two_box_aux, two_disc_scene


def _ids(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ids = np.zeros(a.shape, np.int32)
    ids[a], ids[b] = 1, 2
    return ids


def _view(img: np.ndarray, mask: np.ndarray, box: Box) -> CriticView:
    return CriticView(img, mask, box, [])


def test_match_rule_box_and_mask():
    _, a, b = two_disc_scene()
    ids = _ids(a, b)
    assert match_instance(ids, BOX_A)[0] == 1 and match_instance(ids, BOX_B)[0] == 2
    assert match_instance(ids, Box(0, 0, 8, 8)) == (None, 0.0, "box")  # overlaps no instance
    inst, score, by = match_instance(ids, BOX_A, initial_mask=b)  # the initial mask wins over the box
    assert (inst, by) == (2, "mask") and score == pytest.approx(1.0)


@pytest.mark.parametrize("cls", [OracleCritic, NoisyOracleCritic])
def test_point_on_the_other_object_is_wrong_for_this_object(cls):
    img, a, b = two_disc_scene()
    extra = {"noise": 0.0} if cls is NoisyOracleCritic else {}
    union = cls(gt_mask=a | b, **extra)
    per = cls(gt_instances=_ids(a, b), **extra).for_object(BOX_A)
    assert per.gt_match["instance"] == 1 and np.array_equal(per.gt, a)
    leaked = a | b  # object A's mask spilled onto object B
    inst = InstanceInfo()
    # the union oracle sees nothing wrong; object A's oracle puts a negative point on B
    assert union.propose_points(_view(img, leaked, BOX_A), inst, 4).parsed == []
    pts = per.propose_points(_view(img, leaked, BOX_A), inst, 4).parsed
    assert pts and all(p.label is PointLabel.NEG and b[int(p.y), int(p.x)] for p in pts)
    # a round that grew A onto B: "better" on the union, "worse" for A
    before, after = _view(img, a, BOX_A), _view(img, leaked, BOX_A)
    assert union.verdict(before, after, inst).outcome is Outcome.BETTER
    assert per.verdict(before, after, inst).outcome is Outcome.WORSE


def test_binary_gt_is_unchanged_and_unmatched_keeps_the_union():
    _, a, b = two_disc_scene()
    plain = OracleCritic(gt_mask=a | b)
    assert plain.for_object(BOX_A) is plain and plain.gt_match is None  # binary GT: today's oracle, shared
    lost = OracleCritic(gt_instances=_ids(a, b)).for_object(Box(0, 0, 8, 8))
    assert lost.gt_match["instance"] is None and "union" in lost.gt_match["note"]
    assert np.array_equal(lost.gt, a | b)


def _aux_with_instances(tmp_path):
    aux = make_two_box_aux(tmp_path / "aux")
    _, a, b = two_disc_scene()
    (tmp_path / "inst").mkdir()
    Image.fromarray(_ids(a, b).astype(np.uint8) * 100).save(tmp_path / "inst" / "pair.png")  # grey 100, 200
    return aux, tmp_path / "inst", a, b


def test_sculpt_binds_each_object_and_says_so(tmp_path):
    aux, _, a, b = _aux_with_instances(tmp_path)
    settings = load_settings(overrides={"sculpt": {"strategy": "direct", "rounds": 1}})
    loaded = load_item(aux_item(aux, "pair"), settings)
    critic = build_critic(settings, "oracle", gt_mask=loaded.gt, gt_instances=_ids(a, b))
    session = sculpt_image(loaded, settings, grabcut(), critic, tmp_path / "out")
    cores = [o.core for o in session.objects]
    assert np.array_equal(cores[0].critic.gt, a) and np.array_equal(cores[1].critic.gt, b)
    doc = json.loads((tmp_path / "out" / "sculpt.json").read_text())
    assert [o["oracle_gt"]["instance"] for o in doc["objects"]] == [1, 2]
    # binary GT: one shared oracle, nothing new in sculpt.json
    s2 = build_image_session(loaded, settings, grabcut(), build_critic(settings, "oracle", gt_mask=loaded.gt))
    assert s2.objects[0].core.critic is s2.objects[1].core.critic is s2.critic


def test_bench_reports_per_instance_noc(tmp_path):
    aux, inst, _, _ = _aux_with_instances(tmp_path)
    settings = load_settings(overrides={"sculpt": {"strategy": "direct"}})
    items = [aux_item(aux, "pair")]
    cfg = [BenchConfig("oracle r1", "oracle", 1)]
    report = run_bench(items, settings, cfg, max_side=None, box_from_gt=False, max_clicks=3, progress=False,
                       gt_instances=inst)
    assert report.images == 1 and not report.failures
    s = report.summary()
    assert s["gt_instances"] == 2 and s["gt_instances_without_object"] == 0
    for arm in (CLICKS_ONLY, "oracle r1"):
        r = s["arms"][arm]["robot_instances"]
        rows = s["arms"][arm]["instances"]
        assert r["count"] == 2 and r["unmatched"] == 0 and [row["instance"] for row in rows] == [100, 200]  # the map's own ids
        assert r["NoC@85"] == pytest.approx(np.mean([row["NoC@85"] for row in rows]))
        assert all(row["IoU_final"] >= row["IoU@0"] - 1e-6 for row in rows)
        assert "robot" not in s["arms"][arm]  # two objects: no union robot figures, as before
    # without the instance maps: exactly the figures of before (no per-instance keys)
    plain = run_bench(items, settings, cfg, max_side=None, box_from_gt=False, max_clicks=3, progress=False).summary()
    assert "gt_instances" not in plain and "robot_instances" not in plain["arms"][CLICKS_ONLY]
    assert plain["arms"]["box-only"]["cod"] == s["arms"]["box-only"]["cod"]


def test_bench_one_instance_equals_the_union_run(tmp_path):
    aux = make_two_box_aux(tmp_path / "aux")
    _, a, _ = two_disc_scene()
    write_mask(aux / "gt" / "pair.png", a)  # one object: its GT instance is the union GT
    write_mask(tmp_path / "inst" / "pair.png", a)
    settings = load_settings(overrides={"sculpt": {"strategy": "direct"}})
    items = [aux_item(aux, "pair")]
    cfg = [BenchConfig("oracle r1", "oracle", 1)]
    with_inst = run_bench(items, settings, cfg, max_side=None, box_from_gt=True, max_clicks=3, progress=False,
                          gt_instances=tmp_path / "inst").summary()
    plain = run_bench(items, settings, cfg, max_side=None, box_from_gt=True, max_clicks=3, progress=False).summary()
    for arm in (CLICKS_ONLY, "oracle r1"):
        assert with_inst["arms"][arm]["robot"] == plain["arms"][arm]["robot"]  # today's numbers, unchanged
        inst_r = with_inst["arms"][arm]["robot_instances"]
        assert {k: inst_r[k] for k in ("NoC@85", "NoC@90")} == {k: plain["arms"][arm]["robot"][k] for k in ("NoC@85", "NoC@90")}


def test_cli_sculpt_and_bench_gt_instances(tmp_path, capsys):
    from engine.cli.app import main

    aux, inst, _, _ = _aux_with_instances(tmp_path)
    common = ["--strategy", "direct", "--rounds", "1"]
    assert main(["sculpt", "--name", "pair", "--aux-dir", str(aux), "--out", str(tmp_path / "out"), "--critic", "oracle",
                 "--gt-instances", str(inst / "pair.png"), "--clean-output", *common]) == 0
    doc = json.loads((tmp_path / "out" / "pair" / "sculpt.json").read_text())
    assert [o["oracle_gt"]["instance"] for o in doc["objects"]] == [100, 200]
    out = tmp_path / "bench"
    assert main(["bench", "--dataset", str(aux), "--layout", "aux", "--box-from-gt", "--gt-instances", str(inst),
                 "--critic", "oracle", "--max-side", "0", "--max-clicks", "2", "--out", str(out), "--no-progress",
                 *common]) == 0
    summary = json.loads((out / "bench_summary.json").read_text())
    arm = summary["arms"]["grabcut+oracle r1"]
    assert arm["robot_instances"]["count"] == 2 and len(arm["instances"]) == 2  # --box-from-gt: one object per instance
    assert "per inst." in capsys.readouterr().out
    assert main(["bench", "--dataset", str(aux), "--layout", "aux", "--gt-instances", str(tmp_path / "nope"),
                 "--out", str(out), "--no-progress"]) == 2


def test_build_critic_noisy_oracle_per_object_keeps_noise():
    _, a, b = two_disc_scene()
    settings = load_settings(overrides={"critic": {"options": {"noisy-oracle": {"noise": 0.3, "seed": 5}}}})
    critic = build_critic(settings, "noisy-oracle", gt_mask=a | b, gt_instances=_ids(a, b))
    bound = critic.for_object(BOX_B)
    assert isinstance(bound, NoisyOracleCritic) and (bound.noise, bound.seed) == (0.3, 5)
    assert np.array_equal(bound.gt, b) and np.array_equal(critic.gt, a | b)  # the shared one is untouched


def test_cli_batch_gt_instances(tmp_path):
    from engine.cli.app import main

    aux, inst, _, _ = _aux_with_instances(tmp_path)
    assert main(["batch", "--samples", "pair", "--aux-dir", str(aux), "--out", str(tmp_path / "out"), "--critic", "oracle",
                 "--gt-instances", str(inst), "--strategy", "direct", "--rounds", "1", "--clean-output",
                 "--no-progress"]) == 0
    doc = json.loads((tmp_path / "out" / "pair" / "sculpt.json").read_text())
    assert [o["oracle_gt"]["instance"] for o in doc["objects"]] == [100, 200]


def test_a_fallback_chain_binds_its_oracle_to_each_object():
    from engine.critics.chain import FallbackChain

    _, a, b = two_disc_scene()
    ids = _ids(a, b)
    built: list[str] = []

    def factory(name: str):
        built.append(name)
        return OracleCritic(gt_instances=ids)

    chain = FallbackChain(["oracle"], factory)
    for box, want in ((BOX_A, a), (BOX_B, b)):
        member = dict(chain.for_object(box, None).members())["oracle"]
        assert np.array_equal(member.gt, want)  # this object's own instance, not the union
    assert built == ["oracle"]  # the member is built once and bound per object
