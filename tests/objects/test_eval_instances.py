"""eval per instance: instances.png of the outputs against GT instance maps (ids or colours)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from engine.io.atomic import write_image
from engine.metrics.instances import match
from tests.objects.helpers import make_two_box_aux, two_disc_scene

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_match_is_one_to_one_and_ignores_id_order():
    gt = np.zeros((10, 10), np.int32)
    gt[:5, :5], gt[5:, 5:] = 1, 2
    pred = np.zeros_like(gt)
    pred[:5, :5], pred[5:, 5:] = 2, 1  # same objects, other numbering
    assert [(g, p, round(v, 3)) for g, p, v in match(pred, gt)] == [(1, 2, 1.0), (2, 1, 1.0)]
    pred[5:, 5:] = 0
    assert match(pred, gt)[1] == (2, None, 0.0)


def test_eval_reports_per_instance_iou(tmp_path):
    make_two_box_aux(tmp_path / "aux")
    r = run_cli("sculpt", "--name", "pair", "--aux-dir", tmp_path / "aux", "--out", tmp_path / "out", "--clean-output")
    assert r.returncode == 0, r.stderr
    _, a, b = two_disc_scene()
    colour = np.zeros((*a.shape, 3), np.uint8)  # COD10K-style colour instance map
    colour[a], colour[b] = (255, 0, 0), (0, 255, 0)
    write_image(tmp_path / "inst" / "pair.png", colour)
    r = run_cli("eval", "--pred", tmp_path / "out", "--gt", tmp_path / "aux" / "gt", "--gt-instances", tmp_path / "inst")
    assert r.returncode == 0, r.stderr
    assert "per instance: mIoU" in r.stdout
    summary = json.loads((tmp_path / "out" / "metrics_summary.json").read_text())
    assert summary["instances_gt"] == 2 and summary["instances_missed"] == 0 and summary["mIoU_instance"] > 0.8
    assert "mIoU_instance" in (tmp_path / "out" / "metrics_per_image.csv").read_text().splitlines()[0]
