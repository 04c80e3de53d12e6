"""The video panel's prompts with pytest-qt (tiny random-weights sam2_video folder): clicks (left positive,
right / Shift negative; a drag is still a box), brush / eraser masks and "Use propagated mask", the critic's
proposals on a frame (a QThread job; accept checked / reject all), a correction cancelled from the GUI that
resumes, and several labelled objects through all of it."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from tests.video import tiny_video as tv  # noqa: E402


@pytest.fixture(autouse=True)
def _guard(qapp):
    from gui.compat import guard_none_refcount

    guard_none_refcount()


def _panel(qtbot, tmp_path, frames, model_dir, settings=None):
    from gui.video.panel import VideoPanel

    seq = tv.write_frames(tmp_path / "seq", frames)
    panel = VideoPanel({"track": {"model_dir": str(model_dir), "device": "cpu"}, **(settings or {})})
    qtbot.addWidget(panel)
    panel.open_folder(seq, tmp_path / "out")
    return panel


def _rgb(widget, x, y):
    c = widget.grab().toImage().pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def _write_result(panel, tmp_path, ids_per_frame):
    from engine.video.prompts import write_palette_png

    out = tmp_path / "result" / "seq"
    out.mkdir(parents=True, exist_ok=True)
    for i, ids in enumerate(ids_per_frame):
        write_palette_png(out / f"{i:05d}.png", ids)
    panel.result_dir = out


def test_clicks_and_box_go_to_the_prompt(qtbot, tmp_path, blob, video_model):
    frames, _ = blob
    panel = _panel(qtbot, tmp_path, frames, video_model)
    panel.slider.setValue(1)
    qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    qtbot.mouseClick(panel.view, Qt.MouseButton.RightButton, pos=QPoint(60, 50))
    qtbot.mouseClick(panel.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, QPoint(70, 20))
    p = panel.state.get(1, 1)
    assert p.points == [(20.0, 20.0, 1), (60.0, 50.0, 0), (70.0, 20.0, 0)] and p.box is None
    assert panel.propagate_button.isEnabled()  # clicks only, no box: a valid prompt
    r, g, b = _rgb(panel.view, 20, 20)
    assert g > 150 and r < 120  # a green dot
    r, g, b = _rgb(panel.view, 60, 50)
    assert r > 150 and g < 120  # a red dot
    # a drag is still a box; it joins the clicks of the same object
    qtbot.mousePress(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(panel.view, QPoint(50, 40))
    qtbot.mouseRelease(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(50, 40))
    assert panel.state.get(1, 1).box == (10.0, 10.0, 51.0, 41.0) and len(panel.state.get(1, 1).points) == 3
    with qtbot.waitSignal(panel.propagated, timeout=120_000):
        panel.propagate()
    rec = json.loads((tmp_path / "out" / "seq" / "track.json").read_text())
    prompt = rec["prompts"]["00001"][0]
    assert prompt["points"] == [[20.0, 20.0, 1], [60.0, 50.0, 0], [70.0, 20.0, 0]] and prompt["box"][0] == 10.0


def test_brush_eraser_and_use_propagated_mask(qtbot, tmp_path, blob, video_model):
    frames, gts = blob
    panel = _panel(qtbot, tmp_path, frames, video_model)
    panel.brush_button.click()
    assert panel.view.mode == "brush"
    panel.radius.setValue(5)
    qtbot.mousePress(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))
    qtbot.mouseMove(panel.view, QPoint(50, 30))
    qtbot.mouseRelease(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(50, 30))
    m = panel.state.get(0, 1).mask
    assert m is not None and m[30, 20:51].all() and not m[10, 35] and m[30 + 5, 35] and not m[30 + 7, 35]
    r, g, b = _rgb(panel.view, 35, 30)
    assert r > 90 and r > g  # object 1's dark red over the frame, visible
    panel.eraser_button.click()
    qtbot.mousePress(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(35, 30))
    qtbot.mouseRelease(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(35, 30))
    m = panel.state.get(0, 1).mask
    assert not m[30, 35] and m[30, 20] and m[30, 50]
    # a second object, painted with a right drag erasing part of it
    panel.label_edit.setText("leaf")
    panel.new_object()
    panel.brush_button.click()
    panel._on_stroke([(70.0, 50.0), (85.0, 50.0)], False)
    panel._on_stroke([(85.0, 50.0)], True)
    m2 = panel.state.get(0, 2).mask
    assert m2[50, 72] and not m2[50, 85] and panel.state.label(2) == "leaf"
    assert [o.obj_id for o in panel.state.object_prompts(0)] == [1, 2]
    with qtbot.waitSignal(panel.propagated, timeout=120_000):
        panel.propagate()
    rec = json.loads((tmp_path / "out" / "seq" / "track.json").read_text())
    assert [(o["id"], o["label"], o["mask_pixels"]) for o in rec["prompts"]["00000"]] == [
        (1, "object", int(panel.state.get(0, 1).mask.sum())), (2, "leaf", int(m2.sum()))]
    assert rec["objects"] == {"1": "object", "2": "leaf"}
    # "Use propagated mask": the result of object 2 on frame 3 becomes its painted mask there, then paint on it
    ids = [np.where(g, 2, 0).astype(np.uint8) for g in gts]
    _write_result(panel, tmp_path, ids)
    panel.slider.setValue(3)
    panel.select_object(2)
    panel.use_result_button.click()
    assert np.array_equal(panel.state.get(3, 2).mask, gts[3]) and panel.view.mode == "brush"
    panel._on_stroke([(2.0, 2.0)], False)
    assert panel.state.get(3, 2).mask[2, 2] and panel.prompt_frame == 3
    panel.select_object(1)
    panel.use_result_button.click()  # object 1 has no propagated pixels there: says so, changes nothing
    assert "no propagated mask" in panel.status.text() and panel.state.get(3, 1) is None


def test_critique_frame_accept_and_reject(qtbot, tmp_path, blob, video_model, monkeypatch):
    from engine.video import critique as critique_mod

    disk, gt = tv.red_disk()
    frames = [disk] * 3
    panel = _panel(qtbot, tmp_path, frames, video_model)
    panel.critique()
    assert "no mask" in panel.status.text() and panel.critic_job is None
    half = gt & (np.arange(gt.shape[1])[None, :] < 64)
    _write_result(panel, tmp_path, [np.where(half, 1, 0).astype(np.uint8)] * 3)
    threads = []
    real = critique_mod.critique_frame
    monkeypatch.setattr(critique_mod, "critique_frame",
                        lambda *a, **kw: threads.append(threading.current_thread()) or real(*a, **kw))
    panel.slider.setValue(1)
    with qtbot.waitSignal(panel.critiqued, timeout=60_000) as sig:
        panel.critique()
        assert not panel.critique_button.isEnabled()
    n = sig.args[0]
    assert n >= 2 and threads and threads[0] is not threading.main_thread()
    assert panel.proposal_list.count() == n and len(panel.view.pending) == n and "heuristic" in panel.status.text()
    assert all(p.is_positive and p.x > 64 for p in panel.proposals)
    panel.proposal_list.item(0).setCheckState(Qt.CheckState.Unchecked)  # reject the first one
    panel.accept_button.click()
    p = panel.state.get(1, 1)
    assert len(p.points) == n - 1 and all(lab == 1 for _, _, lab in p.points)
    assert p.box is not None and p.box[0] <= 40 and p.box[2] >= 63  # the critiqued ROI (the mask's box)
    assert panel.prompt_frame == 1 and not panel.view.pending and panel.propagate_button.isEnabled()
    # again on the same frame: reject all adds nothing
    with qtbot.waitSignal(panel.critiqued, timeout=60_000):
        panel.critique()
    panel.reject_button.click()
    assert len(panel.state.get(1, 1).points) == n - 1 and "rejected" in panel.status.text()
    # on frame 2 (no prompt there): nothing ticked = nothing accepted, not even the box
    panel.slider.setValue(2)
    with qtbot.waitSignal(panel.critiqued, timeout=60_000):
        panel.critique()
    for i in range(panel.proposal_list.count()):
        panel.proposal_list.item(i).setCheckState(Qt.CheckState.Unchecked)
    panel.accept_button.click()
    assert panel.state.get(2, 1) is None and not panel.proposals
    # a critic that cannot be built: one line, the window keeps working
    panel.settings = {**panel.settings, "critic": {"name": "nope"}}
    with qtbot.waitSignal(panel.critiqued, timeout=60_000) as sig:
        panel.critique()
    assert sig.args == [-1] and panel.status.text().startswith("critic error:")


def test_correction_cancelled_in_the_gui_resumes(qtbot, tmp_path, video_model, monkeypatch):
    from engine.video.hf_tracker import HFVideoTracker

    frames, _ = tv.moving_blob(5)
    panel = _panel(qtbot, tmp_path, frames, video_model)
    panel.label_edit.setText("moth")
    panel._on_box(10.0, 10.0, 50.0, 40.0)
    panel.new_object()
    panel.label_edit.setText("leaf")
    panel._on_point(70.0, 50.0, True)
    with qtbot.waitSignal(panel.propagated, timeout=120_000):
        panel.propagate()
    out = tmp_path / "out" / "seq"
    assert json.loads((out / "track.json").read_text())["objects"] == {"1": "moth", "2": "leaf"}
    # correct object 1 on frame 2 with a painted mask; object 2 keeps its propagated mask there
    panel.slider.setValue(2)
    panel.select_object(1)
    panel._on_stroke([(20.0, 20.0), (40.0, 30.0)], False)
    assert panel.correct_button.isEnabled()
    step = HFVideoTracker.step
    monkeypatch.setattr(HFVideoTracker, "step", lambda self, *a, **kw: time.sleep(0.3) or step(self, *a, **kw))
    panel.correct_button.click()
    assert panel.cancel_button.isEnabled()
    panel.job.progress.connect(lambda d, t: panel.cancel())
    qtbot.waitUntil(lambda: panel.job is None, timeout=120_000)
    assert "correction cancelled" in panel.status.text()
    rec = json.loads((out / "track.json").read_text())
    done = rec["correcting"]["done"]
    assert 1 <= len(done) < 3 and done[0] == "00002"
    monkeypatch.setattr(HFVideoTracker, "step", step)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    with qtbot.waitSignal(panel.propagated, timeout=120_000):
        panel.correct_button.click()
    rec = json.loads((out / "track.json").read_text())
    fix = rec["corrections"][-1]
    assert fix["resumed_after"] == len(done) and fix["recomputed"] == 3 - len(done)
    assert [o["label"] for o in fix["objects"]][0] == "moth" and "mask_pixels" in fix["objects"][0]
    changed = sorted(n for n, t in stamps.items() if (out / n).stat().st_mtime_ns != t)
    assert changed == [f"{i:05d}.png" for i in range(2 + len(done), 5)]


def test_closing_mid_run_waits_for_the_worker(qtbot, tmp_path, blob, video_model):
    frames, _ = blob
    panel = _panel(qtbot, tmp_path, frames, video_model)
    panel._on_point(30.0, 30.0, True)
    panel.propagate()
    thread = panel.thread
    panel.close()  # cancels between frames and waits: no "QThread destroyed while running"
    assert thread.isFinished()
