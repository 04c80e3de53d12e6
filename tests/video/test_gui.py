"""The video panel with pytest-qt: open a frame folder, scrub, drag a box, Propagate on its thread (tiny
random-weights sam2_video folder), scrub the result overlay; Cancel stops between frames; errors show one line."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from tests.video import tiny_video as tv  # noqa: E402


@pytest.fixture(autouse=True)
def _guard(qapp):
    from gui.compat import guard_none_refcount

    guard_none_refcount()


def _panel(qtbot, tmp_path, frames, model_dir):
    from gui.video.panel import VideoPanel

    seq = tv.write_frames(tmp_path / "seq", frames)
    panel = VideoPanel({"track": {"model_dir": str(model_dir), "device": "cpu"}})
    qtbot.addWidget(panel)
    panel.open_folder(seq, tmp_path / "out")
    return panel


def test_scrub_box_propagate_and_scrub_results(qtbot, tmp_path, blob, video_model):
    frames, _ = blob
    panel = _panel(qtbot, tmp_path, frames, video_model)
    assert panel.slider.maximum() == 5 and not panel.propagate_button.isEnabled()
    panel.slider.setValue(2)
    assert panel.frame_label.text() == "frame 3 / 6"
    qtbot.mousePress(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(panel.view, QPoint(40, 30))
    qtbot.mouseRelease(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(40, 30))
    assert panel.view.box == (10.0, 10.0, 41.0, 31.0) and panel.prompt_frame == 2
    assert panel.propagate_button.isEnabled()
    with qtbot.waitSignal(panel.propagated, timeout=120_000) as sig:
        panel.propagate()
        assert panel.cancel_button.isEnabled() and not panel.propagate_button.isEnabled()
    out = tmp_path / "out" / "seq"
    assert sig.args == [str(out)] and len(list(out.glob("*.png"))) == 6
    assert panel.bar.value() == 6 and "done" in panel.status.text()
    for i in range(6):
        panel.slider.setValue(i)
        assert panel.result_ids(i) is not None
    # correct frame 5 (two objects now) and re-propagate from it: frames 0..4 are kept
    assert not panel.correct_button.isEnabled()
    panel.slider.setValue(4)
    panel.label_edit.setText("moth")
    panel._on_box(8.0, 8.0, 44.0, 36.0)
    panel.new_object()
    panel.label_edit.setText("leaf")
    panel._on_box(50.0, 30.0, 90.0, 70.0)
    assert panel.view.boxes == [(8.0, 8.0, 44.0, 36.0), (50.0, 30.0, 90.0, 70.0)]
    assert panel.correct_button.isEnabled()
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    with qtbot.waitSignal(panel.propagated, timeout=120_000):
        panel.correct_button.click()
    changed = sorted(n for n, t in before.items() if (out / n).stat().st_mtime_ns != t)
    assert changed == ["00004.png", "00005.png"]
    import json

    rec = json.loads((out / "track.json").read_text())
    assert [o["label"] for o in rec["corrections"][0]["objects"]] == ["moth", "leaf"]


def test_cancel_and_error(qtbot, tmp_path, blob, video_model):
    frames, _ = blob
    panel = _panel(qtbot, tmp_path, frames, video_model)
    panel._on_box(5.0, 5.0, 30.0, 30.0)
    panel.propagate()
    panel.cancel()
    qtbot.waitUntil(lambda: panel.job is None, timeout=120_000)
    assert "cancelled" in panel.status.text() or "done" in panel.status.text()
    panel.settings = {"track": {"model_dir": str(tmp_path / "missing")}}
    panel.propagate()
    qtbot.waitUntil(lambda: panel.job is None, timeout=60_000)
    assert panel.status.text().startswith("error:") and "missing" in panel.status.text()
