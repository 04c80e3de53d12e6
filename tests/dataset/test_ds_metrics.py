"""COD metrics agree with pysodmetrics called directly; IoU by hand; eval command files."""

from __future__ import annotations

import csv
import json

import numpy as np
import py_sod_metrics as sod
import pytest

from engine.cli.app import main
from engine.io.atomic import write_mask
from engine.metrics.cod import SUMMARY_KEYS, CODEvaluator


def _cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    gt = np.zeros((40, 50), bool)
    gt[10:30, 10:35] = True
    shifted = np.zeros_like(gt)
    shifted[14:34, 12:37] = True
    partial = gt.copy()
    partial[10:20, :] = False
    leak = gt.copy()
    leak[5:38, 30:45] = True
    return [("perfect", gt.copy(), gt), ("shifted", shifted, gt), ("partial", partial, gt), ("leak", leak, gt)]


def _reference(pairs):
    sm, em, wfm, mae = sod.Smeasure(), sod.Emeasure(), sod.WeightedFmeasure(), sod.MAE()
    fm = sod.FmeasureV2({"fm": sod.FmeasureHandler(with_dynamic=True, with_adaptive=True, beta=0.3)})
    for _, p, g in pairs:
        for m in (sm, em, wfm, mae, fm):
            m.step(pred=p.astype(np.uint8) * 255, gt=g.astype(np.uint8) * 255)
    e, f = em.get_results()["em"], fm.get_results()["fm"]
    return {
        "Smeasure": sm.get_results()["sm"], "wFmeasure": wfm.get_results()["wfm"], "MAE": mae.get_results()["mae"],
        "adpEm": e["adp"], "meanEm": e["curve"].mean(), "maxEm": e["curve"].max(),
        "adpFm": f["adaptive"], "meanFm": f["dynamic"].mean(), "maxFm": f["dynamic"].max(),
    }


def test_summary_matches_pysodmetrics_and_hand_iou() -> None:
    pairs = _cases()
    ev = CODEvaluator()
    for name, p, g in pairs:
        ev.step(name, p, g)
    got, ref = ev.summary(), _reference(pairs)
    for key, value in ref.items():
        assert got[key] == pytest.approx(float(value), abs=1e-9), key
    hand = [1.0, (16 * 23) / (2 * 500 - 16 * 23), 0.5, 500 / (500 + 15 * 33 - 20 * 5)]
    assert got["mIoU"] == pytest.approx(np.mean(hand))
    assert set(SUMMARY_KEYS) <= set(got) and got["count"] == 4


def test_per_image_values_match_single_image_runs() -> None:
    for name, p, g in _cases():
        row = CODEvaluator().step(name, p, g)
        ref = _reference([(name, p, g)])
        for key, value in ref.items():
            assert row[key] == pytest.approx(float(value), abs=1e-9), (name, key)


def test_perfect_prediction_scores_one() -> None:
    name, p, g = _cases()[0]
    row = CODEvaluator().step(name, p, g)
    assert row["Smeasure"] == pytest.approx(1.0) and row["MAE"] == 0.0 and row["IoU"] == 1.0
    assert row["maxFm"] == pytest.approx(1.0) and row["wFmeasure"] == pytest.approx(1.0, abs=1e-6)


def test_eval_command_writes_csv_and_json(tmp_path, capsys) -> None:
    for name, p, g in _cases():
        write_mask(tmp_path / "gt" / f"{name}.png", g)
        write_mask(tmp_path / "pred" / name / "final_mask.png", p)  # outputs layout
    write_mask(tmp_path / "gt" / "unpredicted.png", _cases()[0][2])
    assert main(["eval", "--pred", str(tmp_path / "pred"), "--gt", str(tmp_path / "gt"), "--out", str(tmp_path / "m")]) == 0
    summary = json.loads((tmp_path / "m" / "metrics_summary.json").read_text())
    assert summary["count"] == 4 and summary["missing_predictions"] == 1
    assert summary["Smeasure"] == pytest.approx(float(_reference(_cases())["Smeasure"]), abs=1e-6)
    rows = list(csv.DictReader(open(tmp_path / "m" / "metrics_per_image.csv")))
    assert [r["name"] for r in rows] == ["leak", "partial", "perfect", "shifted"]
    assert {"Smeasure", "wFmeasure", "MAE", "adpEm", "meanEm", "maxEm", "adpFm", "meanFm", "maxFm", "IoU"} <= set(rows[0])
    assert "1 GT mask(s) without a prediction" in capsys.readouterr().out


def test_eval_with_no_matches_is_one_line_error(tmp_path, capsys) -> None:
    (tmp_path / "p").mkdir()
    write_mask(tmp_path / "g" / "a.png", _cases()[0][2])
    assert main(["eval", "--pred", str(tmp_path / "p"), "--gt", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and str(tmp_path / "p") in err and "\n" not in err


def test_bench_command_on_a_tiny_cod_set(cod_dataset, tmp_path, capsys) -> None:
    out = tmp_path / "bench"
    code = main(["bench", "--dataset", str(cod_dataset), "--layout", "cod", "--box-from-gt", "--critic", "oracle",
                 "--rounds", "1", "--max-side", "0", "--max-clicks", "4", "--out", str(out), "--no-progress"])
    assert code == 0
    summary = json.loads((out / "bench_summary.json").read_text())
    assert summary["images"] == 3 and set(summary["arms"]) == {"box-only", "clicks only", "grabcut+oracle r1"}
    robot = summary["arms"]["clicks only"]["robot"]
    assert {"NoC@85", "NoC@90", "NoF@85", "NoF@90", "mIoU@0", "mIoU@1"} <= set(robot)
    assert len(summary["arms"]["clicks only"]["miou_curve"]) == 5
    for f in ("box_only_per_image.csv", "sculpted_summary.json", "iou_per_image.png", "miou_vs_clicks.png"):
        assert (out / f).exists(), f
    assert "NoC@85" in capsys.readouterr().out
