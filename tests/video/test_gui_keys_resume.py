"""The video window's mode keys (B / E and the image window's 1-4, [ / ] for the radius) with their tooltips, and a
correction cancelled, the window closed and reopened on the same output folder, then resumed: the frames the
cancelled run finished are not recomputed (tracker calls counted by a wrapper). Tiny random-weights sam2_video."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.video import tiny_video as tv  # noqa: E402


@pytest.fixture(autouse=True)
def _guard(qapp):
    from gui.compat import guard_none_refcount

    guard_none_refcount()


class CountingTracker:
    """A real VideoTracker that records the frames it is asked for (step: computed; prompt: given) and can be slowed
    down (`delay` seconds per step) so a cancel lands between frames."""

    def __init__(self, inner: Any, log: dict[str, list[int]], delay: float = 0.0) -> None:
        self.inner, self.log, self.delay = inner, log, delay

    def step(self, index: int, *args: Any, **kw: Any):
        time.sleep(self.delay)
        self.log["step"].append(index)
        return self.inner.step(index, *args, **kw)

    def prompt(self, index: int, *args: Any, **kw: Any):
        self.log["anchor" if kw.get("anchor") else "prompt"].append(index)
        return self.inner.prompt(index, *args, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _count_tracker_calls(monkeypatch, delay: float = 0.0) -> dict[str, list[int]]:
    import engine.video.tracker as trk

    log: dict[str, list[int]] = {"step": [], "prompt": [], "anchor": []}
    build = trk.build_tracker
    monkeypatch.setattr(trk, "build_tracker", lambda *a, **kw: CountingTracker(build(*a, **kw), log, delay))
    return log


def test_mode_keys_and_tooltips(qtbot, tmp_path, blob):
    from gui.video.panel import VideoPanel

    panel = VideoPanel({})
    qtbot.addWidget(panel)
    panel.open_folder(tv.write_frames(tmp_path / "seq", blob[0]), tmp_path / "out")
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    for key, mode, button in ((Qt.Key.Key_B, "brush", panel.brush_button), (Qt.Key.Key_1, "prompt", panel.prompt_mode),
                              (Qt.Key.Key_E, "eraser", panel.eraser_button), (Qt.Key.Key_3, "brush", panel.brush_button),
                              (Qt.Key.Key_4, "eraser", panel.eraser_button), (Qt.Key.Key_2, "prompt", panel.prompt_mode)):
        qtbot.keyClick(panel.view, key)
        assert panel.view.mode == mode and button.isChecked(), (key, mode)
    assert "(B / 3)" in panel.brush_button.toolTip() and "(E / 4)" in panel.eraser_button.toolTip()
    assert "(1 / 2)" in panel.prompt_mode.toolTip() and "[" in panel.radius.toolTip()
    qtbot.keyClick(panel.view, Qt.Key.Key_BracketRight)
    assert panel.radius.value() == 7 and panel.view.radius == 7.0
    qtbot.keyClick(panel.view, Qt.Key.Key_BracketLeft)
    assert panel.radius.value() == 6
    # letters typed into the label field stay there
    panel.label_edit.setFocus()
    panel.label_edit.clear()
    qtbot.keyClicks(panel.label_edit, "beetle")
    assert panel.label_edit.text() == "beetle" and panel.view.mode == "prompt"


def _paint_object_1_on_frame_2(panel) -> None:
    panel.slider.setValue(2)
    panel.select_object(1)
    panel._on_stroke([(20.0, 20.0), (40.0, 30.0)], False)


def test_cancelled_correction_resumes_after_the_window_is_reopened(qtbot, tmp_path, video_model, monkeypatch):
    from gui.video.window import show_video_window

    frames, _ = tv.moving_blob(5)
    seq, out_root = tv.write_frames(tmp_path / "seq", frames), tmp_path / "out"
    settings = {"track": {"model_dir": str(video_model), "device": "cpu"}}
    panel = show_video_window(None, settings, seq, out_root)
    qtbot.addWidget(panel)
    panel.label_edit.setText("moth")
    panel._on_box(10.0, 10.0, 50.0, 40.0)
    panel.new_object()
    panel.label_edit.setText("leaf")
    panel._on_point(70.0, 50.0, True)
    with qtbot.waitSignal(panel.propagated, timeout=120_000):
        panel.propagate()
    out = out_root / "seq"
    _paint_object_1_on_frame_2(panel)  # object 2 keeps its propagated mask on frame 2
    log = _count_tracker_calls(monkeypatch, delay=0.3)
    panel.correct_button.click()
    panel.job.progress.connect(lambda d, t: panel.cancel())
    qtbot.waitUntil(lambda: panel.job is None, timeout=120_000)
    done = json.loads((out / "track.json").read_text())["correcting"]["done"]
    assert 1 <= len(done) < 3 and done[0] == "00002" and (out / "correcting.npz").is_file()
    panel.close()

    reopened = show_video_window(None, settings, seq, out_root)
    qtbot.addWidget(reopened)
    assert reopened.result_dir == out and reopened.first_prompt == 0  # the earlier track is back
    assert reopened.state.labels == {1: "moth", 2: "leaf"} and reopened.result_ids(4) is not None
    assert not reopened.correct_button.isEnabled()  # no prompt on a frame yet
    _paint_object_1_on_frame_2(reopened)  # the same prompt as before the window was closed
    assert reopened.correct_button.isEnabled()
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    log = _count_tracker_calls(monkeypatch)
    with qtbot.waitSignal(reopened.propagated, timeout=120_000):
        reopened.correct_button.click()
    first_missing = 2 + len(done)
    assert log["step"] == list(range(first_missing, 5))  # the finished frames are not recomputed
    assert log["prompt"] == [2]  # frame 2's prompt is given again (its mask is not rewritten)
    rec = json.loads((out / "track.json").read_text())
    fix = rec["corrections"][-1]
    assert fix["resumed_after"] == len(done) and fix["recomputed"] == 3 - len(done) and "correcting" not in rec
    changed = sorted(n for n, t in stamps.items() if (out / n).stat().st_mtime_ns != t)
    assert changed == [f"{i:05d}.png" for i in range(first_missing, 5)]
    assert not (out / "correcting.npz").exists()


def test_other_prompts_after_reopening_start_the_correction_over(tmp_path):
    import numpy as np

    from engine.video.correct import MASKS_NPZ, _save_masks, pending_objects
    from engine.video.prompts import ObjectPrompt

    mask = np.zeros((8, 8), bool)
    mask[2:5, 2:5] = True
    kept = np.zeros((8, 8), bool)
    kept[5:, 5:] = True
    own = [ObjectPrompt(1, "moth", mask=mask)]
    started = [*own, ObjectPrompt(2, "leaf", mask=kept)]
    key = {"frame": "00002", "objects": [o.to_json() for o in started], "tracker": ["sam2-video", "m"]}
    (tmp_path / "track.json").write_text(json.dumps({"correcting": {"key": key, "done": ["00002"]}}))
    _save_masks(tmp_path / MASKS_NPZ, started)
    got = pending_objects(tmp_path, "00002", own)
    assert [o.obj_id for o in got] == [1, 2] and np.array_equal(got[1].mask, kept) and got[1].label == "leaf"
    assert pending_objects(tmp_path, "00003", own) is None  # another frame
    assert pending_objects(tmp_path, "00002", [ObjectPrompt(1, "moth", mask=~mask)]) is None  # other prompts
    (tmp_path / MASKS_NPZ).unlink()
    assert pending_objects(tmp_path, "00002", own) is None  # the kept masks are gone: start over
