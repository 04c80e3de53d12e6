"""The model loads before the window is interactive and the worker reuses it; the worker thread
runs at a lower CPU priority (gui/warmup.py says why: issue #17's UI stalls)."""

from __future__ import annotations

import sys
import threading

import pytest

from engine.settings import deep_merge, load_settings
from gui.warmup import lower_this_thread_priority, preload_segmenter


def test_preloaded_segmenter_is_reused(qtbot, make_window, tmp_path):
    settings = load_settings(tmp_path / "none.json")
    seg = preload_segmenter(settings)
    assert seg is not None and getattr(seg, "name", "") == settings["segmenter"]["name"]
    assert preload_segmenter(deep_merge(settings, {"gui": {"preload_models": False}})) is None
    from gui.main_window import MainWindow

    w = MainWindow(settings, tmp_path / "out", tmp_path / "work", segmenter=seg)
    qtbot.addWidget(w)
    try:
        assert w.worker.worker._segmenter() is seg
    finally:
        w.worker.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux")
def test_worker_thread_priority_is_lowered():
    import os

    out = {}

    def run() -> None:
        before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        out["ok"] = lower_this_thread_priority(3)
        out["delta"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) - before

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert out["ok"] and out["delta"] > 0


def test_the_worker_is_not_niced_by_default():
    """A niced worker makes the threads it starts (Qt's image/paint helper pool among them) niced too, and the UI
    thread then waits for them in a repaint (gui/warmup.py): the default leaves its priority alone."""
    import os

    out = {}

    def run() -> None:
        before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        out["ok"] = lower_this_thread_priority()
        out["delta"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) - before

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert out == {"ok": False, "delta": 0}


def test_a_job_without_a_count_shows_seconds_not_an_animation(qtbot):
    from gui.docks.log_panel import LogPanel

    panel = LogPanel()
    qtbot.addWidget(panel)
    panel.set_progress(0, 0, "segmenting")
    assert panel.progress.maximum() == 1 and panel.progress.value() == 0  # never Qt's busy range (0, 0)
    assert "0 s" in panel.progress.format() and panel._ticker.isActive()
    panel.set_progress(2, 5, "exporting")
    assert panel.progress.maximum() == 5 and not panel._ticker.isActive()
    panel.set_busy(False)
    assert panel.status.text() and not panel._ticker.isActive()
