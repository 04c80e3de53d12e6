"""The UI thread stays responsive while the worker computes: the largest gap between ticks of a
10 ms QTimer stays under 100 ms during deliberately slow jobs, and a long job can be cancelled."""

from __future__ import annotations

import gc
import time

import numpy as np
from PySide6.QtCore import QTimer

from engine.registry import SEGMENTERS
from engine.segmenters.grabcut import GrabCutSegmenter
from tests.gui.conftest import SAMPLES

SLOW_S = 1.5


@SEGMENTERS.register("slow-test")
class SlowSegmenter(GrabCutSegmenter):
    """grabcut whose prepare() also burns CPU for SLOW_S seconds, like an image embedding."""

    name = "slow-test"

    def prepare(self, image: np.ndarray) -> None:
        # single-threaded work (elementwise numpy releases the GIL) plus a little pure Python that
        # holds it; multithreaded BLAS is avoided so the test measures the app, not a saturated CPU
        t0 = time.perf_counter()
        a = np.random.default_rng(0).standard_normal(200_000)
        while time.perf_counter() - t0 < SLOW_S:
            a = np.tanh(np.sin(a) * 1.5)
            sum(range(5000))
        super().prepare(image)


class TickMeter:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.gaps: list[float] = []
        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.times.append(now)
        self.last = now

    def worst_at(self, t0: float) -> str:
        i = max(range(len(self.gaps)), key=self.gaps.__getitem__)
        return f"{self.gaps[i] * 1000:.0f} ms ending {1000 * (self.times[i] - t0):.0f} ms after start"

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(self.gaps) if self.gaps else float("inf")


def test_ui_responsive_during_slow_embedding(qtbot, make_window):
    gc.collect()  # earlier tests' windows are garbage: their collection is not this window's stall
    w = make_window({"segmenter": {"name": "slow-test"}})
    meter = TickMeter()
    w.open_folder(SAMPLES, select="demo")  # lists the folder on the UI thread, then the worker starts
    qtbot.waitUntil(lambda: w.busy, timeout=5000)
    meter.start()  # from here on the worker is loading and embedding
    t0 = meter.last
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    worst = meter.stop()
    print(meter.worst_at(t0))
    assert len(meter.gaps) > SLOW_S / 0.02, "the timer kept ticking through the job"
    print(f"worst gap {worst * 1000:.1f} ms over {len(meter.gaps)} ticks")
    assert worst < 0.100, f"UI stalled for {worst * 1000:.0f} ms"


def test_slow_job_reports_progress_and_cancels(qtbot, make_window):
    w = make_window()
    meter = TickMeter()
    meter.start()
    w.submit("slow", seconds=60.0)
    qtbot.waitUntil(lambda: w.busy and w.log_panel.progress.value() > 0, timeout=10000)
    assert w.log_panel.cancel.isEnabled()
    t0 = time.perf_counter()
    w.log_panel.cancel.click()
    qtbot.waitUntil(lambda: not w.busy, timeout=5000)
    assert time.perf_counter() - t0 < 2.0
    assert "cancelled" in w.log_panel.text.toPlainText()
    assert meter.stop() < 0.100
