"""Crash recovery: the app is killed (SIGKILL) mid-session in a subprocess; the next start offers
the unsaved work and brings it back. Bad files are marked and skipped, never crash the app."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from tests.gui.conftest import ROOT, SAMPLES, wait_state

DRIVER = Path(__file__).with_name("crash_driver.py")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_and_recover(qtbot, make_window, tmp_path, qsettings_file):
    out, work = tmp_path / "out", tmp_path / "work"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SAM_SCULPT_QSETTINGS": str(qsettings_file)}
    proc = subprocess.Popen([sys.executable, str(DRIVER), "--open", str(SAMPLES), "--out", str(out), "--work", str(work),
                             "--no-recover"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    try:
        line = ""
        while not line.startswith("READY"):
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"driver exited: {proc.stderr.read()[-2000:]}")
        _, n_points, area = line.split()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert (work / "recovery.json").exists() and (work / "demo" / "snapshot.npz").exists()
    assert not (out / "demo").exists(), "nothing was saved explicitly"

    w = make_window(out=out, work=work)
    assert w.store.pending_recovery() is not None
    assert w.offer_recovery("yes")
    try:
        snap = wait_state(qtbot, w, 0)
    except Exception:
        print(w.log_panel.text.toPlainText())
        raise
    assert snap.name == "demo"
    assert len(snap.points) == int(n_points) == 2
    assert {p.positive for p in snap.points} == {True, False}
    assert int(snap.mask.sum()) == int(area)
    assert w.image_list.state("demo") == "in progress"
    # the undo history came back too: undo the driver's last click, then redo it
    assert w.undo_stack.canUndo() and w.undo_stack.count() >= 2, w.undo_stack.count()
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: len(w.snapshot.points) == 1 and not w.busy, timeout=10000)
    w.undo_stack.redo()
    qtbot.waitUntil(lambda: len(w.snapshot.points) == 2 and not w.busy, timeout=10000)
    # the recovered work can be continued and saved
    w.save()
    qtbot.waitUntil(lambda: w.image_list.state("demo") == "done", timeout=20000)
    assert w.store.pending_recovery() is None
    saved = cv2.imread(str(out / "demo" / "final_mask.png"), cv2.IMREAD_GRAYSCALE) > 127
    assert int(saved.sum()) == int(area)


def test_declined_recovery_keeps_the_autosave(qtbot, make_window, tmp_path):
    """Answering No is not a discard: the autosave stays until the annotator saves or discards it."""
    w = make_window()
    w.open_folder(SAMPLES, select="gecko")
    wait_state(qtbot, w, 0)
    sid = w.snapshot.state_id
    w.scene.point_requested.emit(300.0, 220.0, True)
    wait_state(qtbot, w, sid)
    assert w.store.pending_recovery() is not None
    w.worker.stop()  # as if the process died: no clean close
    w2 = make_window(work=w.store.work_dir)
    assert not w2.offer_recovery("no")
    assert w2.store.pending_recovery() is None, "not asked again at the next start"
    assert w2.store.has("gecko"), "the work is kept"
    assert "File >" in w2.log_panel.text.toPlainText()
    w2.open_folder(SAMPLES, select="gecko")  # opening the image brings the work back
    qtbot.waitUntil(lambda: w2.snapshot is not None and w2.snapshot.name == "gecko" and not w2.busy, timeout=20000)
    assert w2.image_list.state("gecko") == "in progress"
    assert any(p.source == "human" for p in w2.snapshot.points)
    w2.discard_autosave()  # the explicit discard
    qtbot.waitUntil(lambda: not w2.store.has("gecko") and not w2.busy, timeout=10000)


def test_bad_files_are_marked_and_skipped(qtbot, make_window, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    shutil.copy(SAMPLES / "images" / "demo.png", folder / "a_good.png")
    (folder / "b_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    shutil.copy(SAMPLES / "images" / "moth.png", folder / "c_good.png")
    w = make_window()
    assert w.open_folder(folder)
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.name == "a_good" and not w.busy, timeout=10000)
    w.navigate(1)  # onto the broken file: marked, then skipped to the next good one
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.name == "c_good" and not w.busy, timeout=10000)
    assert w.image_list.state("b_broken") == "error"
    assert "b_broken.png" in w.image_list.errors["b_broken"]
    assert w.image_list.neighbour("a_good", 1) == "c_good"
    assert w.snapshot.box is None  # a plain folder has no ROI yet: the annotator draws one
