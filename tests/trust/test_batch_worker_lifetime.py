"""Batch workers never outlive a killed parent, and run with one compute thread each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from engine.batch.worker_env import THREAD_ENV_VARS, capped_thread_env
from engine.io.annotations import write_boxes
from engine.io.atomic import write_image, write_json
from engine.samples import generate_scene

ROOT = Path(__file__).resolve().parents[2]


def _dataset(root: Path, n: int) -> None:
    for i in range(n):
        scene = generate_scene(400 + i, (480, 360), "blob")
        name = f"k{i:02d}"
        write_image(root / "images" / f"{name}.png", scene.image)
        write_boxes(root / "box_out" / name / f"{name}_sam_boxes.json", [scene.box])
        write_json(root / "llm_out" / f"{name}_output.json", {"instance": "blob"})


def test_capped_thread_env_restores_the_parent() -> None:
    before = {k: os.environ.get(k) for k in THREAD_ENV_VARS}
    with capped_thread_env(1):
        assert all(os.environ[k] == "1" for k in THREAD_ENV_VARS)
    assert {k: os.environ.get(k) for k in THREAD_ENV_VARS} == before


@pytest.mark.slow
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    _dataset(data, 12)
    cmd = [sys.executable, str(ROOT / "main.py"), "batch", "--auto", "--aux-dir", str(data), "--out", str(out),
           "--parallel", "2", "--rounds", "3", "--no-progress"]
    # its own session, so a failure of this test can still kill the whole tree; the parent alone is killed below
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    try:
        workers: list[psutil.Process] = []
        while len(workers) < 2:  # two pool workers running (the resource tracker is a child too)
            assert proc.poll() is None, "batch ended before its workers started"
            assert time.monotonic() < deadline, "workers did not start in time"
            workers = [c for c in parent.children() if "resource_tracker" not in " ".join(c.cmdline())]
            time.sleep(0.05)
        for w in workers:  # every worker really runs with one thread per library
            env = w.environ()
            assert env.get("OMP_NUM_THREADS") == "1" and env.get("OPENBLAS_NUM_THREADS") == "1"
        children = parent.children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, f"still running 10 s after the parent died: {[p.cmdline() for p in alive]}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
