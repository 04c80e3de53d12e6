"""Batch: local worker processes, a local Ray instance, failures recorded, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from ds_helpers import make_aux_dataset

from engine.batch.runner import FAILURES_FILE, SUMMARY_FILE, run_batch
from engine.batch.task import BatchOptions
from engine.cli.app import main
from engine.io.dataset import list_dataset
from engine.io.images import load_mask
from engine.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _summary(out: Path) -> dict:
    return json.loads((out / SUMMARY_FILE).read_text())


def test_local_two_workers_load_models_once(aux_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["batch", "--auto", "--aux-dir", str(aux_dataset), "--out", str(out), "--parallel", "2",
                 "--clean-output", "--no-progress", "--critic", "oracle"])
    assert code == 0
    s = _summary(out)
    assert (s["done"], s["failed"], s["total"], s["executor"], s["parallel"]) == (4, 0, 4, "local", 2)
    workers = {i["worker"] for i in s["items"]}
    assert 1 <= len(workers) <= 2 and all(w.startswith("pid") for w in workers)
    assert all(i["model_builds"] == 1 for i in s["items"])  # built by the initializer, once per worker
    assert str(os.getpid()) not in "".join(workers)  # really other processes
    for name in ("s00", "s01", "s02", "s03"):
        mask = load_mask(out / name / "final_mask.png")
        assert mask.any() and (out / name / "sculpt.json").exists()
    assert all(i["iou_final"] is not None and i["iou_final"] > 0.5 for i in s["items"])
    assert (out / FAILURES_FILE).read_text() == ""


def test_corrupt_image_is_reported_and_skipped(aux_dataset: Path, tmp_path: Path, capsys) -> None:
    (aux_dataset / "images" / "s01.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    (aux_dataset / "box_out" / "s02" / "s02_sam_boxes.json").write_text("{broken")
    out = tmp_path / "out"
    code = main(["batch", "--samples", "s00,s01,s02,s03", "--aux-dir", str(aux_dataset), "--out", str(out),
                 "--clean-output", "--no-progress"])
    assert code == 1
    s = _summary(out)
    assert (s["done"], s["failed"]) == (2, 2)
    reasons = {f["name"]: f for f in s["failures"]}
    assert reasons["s01"]["file"].endswith("s01.png") and "s01.png" in reasons["s01"]["reason"]
    assert "s02_sam_boxes.json" in reasons["s02"]["reason"] and "malformed JSON" in reasons["s02"]["reason"]
    assert all("\n" not in f["reason"] for f in s["failures"])
    failures = (out / FAILURES_FILE).read_text().splitlines()
    assert len(failures) == 2 and failures[0].startswith(str(aux_dataset / "images" / "s01.png"))
    assert not (out / "s01" / "final_mask.png").exists() and (out / "s03" / "final_mask.png").exists()
    printed = capsys.readouterr().out
    assert "2 done, 0 skipped, 2 failed" in printed and "failed: " in printed


def test_skip_done_and_cod_layout_with_box_from_gt(cod_dataset: Path, tmp_path: Path) -> None:
    settings = load_settings()
    items = list_dataset(cod_dataset, "cod")
    opts = BatchOptions(out_root=tmp_path / "out", box_from_gt=True, clean_output=True)
    first = run_batch(items[:2], settings, opts, progress=False)
    assert first.ok and first.count("done") == 2
    opts.skip_done = True
    second = run_batch(items, settings, opts, progress=False)
    assert (second.count("skipped"), second.count("done")) == (2, 1) and second.ok


@pytest.mark.parametrize("fmt", ["png", "coco"])
def test_init_masks_start_the_session(fmt: str, aux_dataset: Path, tmp_path: Path) -> None:
    source = aux_dataset / "gt"
    if fmt == "coco":  # someone's COCO file: made here from the GT masks
        from engine.exports.items import ExportItem, Instance
        from engine.exports.writer import export

        items = []
        for p in sorted(source.glob("*.png")):
            m = load_mask(p)
            items.append(ExportItem(p.stem, m.shape[1], m.shape[0], [Instance("blob", m)], aux_dataset / "images" / p.name))
        (source,) = export(items, "coco", tmp_path / "coco")
    out = tmp_path / "out"
    code = main(["batch", "--auto", "--aux-dir", str(aux_dataset), "--out", str(out), "--init-masks", str(source),
                 "--init-format", fmt, "--rounds", "0", "--clean-output", "--no-progress"])
    assert code == 0
    for name in ("s00", "s03"):
        assert np.array_equal(load_mask(out / name / "final_mask.png"), load_mask(aux_dataset / "gt" / f"{name}.png"))
        assert "initial_mask_source" in json.loads((out / name / "sculpt.json").read_text())


@pytest.fixture
def ray_tmp(tmp_path_factory):
    """Ray's temp dir under pytest's base temp (short: Ray's socket paths must fit in 107 bytes)."""
    ray = pytest.importorskip("ray")
    temp = tmp_path_factory.mktemp("ray")
    yield str(temp)
    if ray.is_initialized():
        ray.shutdown()


def test_ray_executor_on_local_instance(aux_dataset: Path, tmp_path: Path, ray_tmp: str) -> None:
    out = tmp_path / "out"
    code = main(["batch", "--auto", "--aux-dir", str(aux_dataset), "--out", str(out), "--parallel", "2", "--executor", "ray",
                 "--clean-output", "--no-progress", "--critic", "oracle", "--set", f"batch.ray_temp_dir={ray_tmp}"])
    assert code == 0
    s = _summary(out)
    assert (s["done"], s["failed"], s["executor"]) == (4, 0, "ray")
    assert all(i["worker"].startswith("ray-pid") and i["model_builds"] == 1 for i in s["items"])
    assert all((out / n / "final_mask.png").exists() for n in ("s00", "s01", "s02", "s03"))
    import ray

    assert not ray.is_initialized()  # the batch started it, so it shut it down


def test_resume_after_kill_9(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    names = make_aux_dataset(data, 6, seed0=300)
    cmd = [sys.executable, str(ROOT / "main.py"), "batch", "--auto", "--aux-dir", str(data), "--out", str(out),
           "--critic", "oracle", "--rounds", "3", "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while not list(out.glob("*/final_mask.png")):
            assert proc.poll() is None, "batch ended before it could be killed"
            assert time.monotonic() < deadline, "no image finished in time"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = {p.parent.name for p in out.glob("*/final_mask.png")}
    assert 1 <= len(finished) < len(names)
    for name in finished:  # whatever exists is whole
        assert load_mask(out / name / "final_mask.png").shape == (180, 240)
        json.loads((out / name / "sculpt.json").read_text())
    resumed = subprocess.run([*cmd, "--skip-done"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    s = _summary(out)
    assert s["skipped"] == len(finished) and s["done"] == len(names) - len(finished) and s["failed"] == 0
    for name in names:
        assert load_mask(out / name / "final_mask.png").shape == (180, 240)
        json.loads((out / name / "sculpt.json").read_text())
    assert not list(out.rglob(".*.tmp"))  # temp files of the killed write were cleaned up on resume
