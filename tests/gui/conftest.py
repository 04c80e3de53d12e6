"""GUI test fixtures: a MainWindow on the bundled samples with temporary out/work folders and a
temporary QSettings file, plus helpers to drive the canvas with the mouse."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402

from engine.settings import deep_merge, load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "auxiliary"


@pytest.fixture(autouse=True)
def _none_refcount_guard(qapp):
    from gui.compat import guard_none_refcount

    guard_none_refcount()  # see gui/compat.py: PySide6 6.12 + Python 3.11 aborts after many Qt calls otherwise


@pytest.fixture
def qsettings_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "qsettings.ini"
    monkeypatch.setenv("SAM_SCULPT_QSETTINGS", str(path))
    return path


@pytest.fixture
def make_window(qtbot, tmp_path, qsettings_file):
    from gui.main_window import MainWindow

    made = []

    def make(overrides: dict | None = None, out: Path | None = None, work: Path | None = None):
        settings = load_settings(tmp_path / "no-user-settings.json")
        settings = deep_merge(settings, {"gui": {"prefetch": False}, **(overrides or {})})
        w = MainWindow(settings, out or tmp_path / "out", work or tmp_path / "work")
        qtbot.addWidget(w)
        w.resize(1200, 800)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.worker.stop()


def to_view(window, x: float, y: float) -> QPoint:
    return window.view.mapFromScene(QPointF(x, y))


def click(qtbot, window, x: float, y: float, button=Qt.MouseButton.LeftButton, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.mouseClick(window.view.viewport(), button, modifier, to_view(window, x, y))


def drag(qtbot, window, start: tuple[float, float], end: tuple[float, float], steps: int = 6):
    vp = window.view.viewport()
    a, b = to_view(window, *start), to_view(window, *end)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        qtbot.mouseMove(vp, p)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def wait_state(qtbot, window, after: int, timeout: int = 30000):
    """Wait until the window shows a snapshot newer than state `after` and the worker is idle."""
    qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.state_id > after and not window.busy,
                    timeout=timeout)
    return window.snapshot


def state_id(window) -> int:
    return window.snapshot.state_id if window.snapshot is not None else 0


TALKATIVE = {"critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.05}}}}  # proposes on samples


def open_sample(qtbot, make_window, name: str, overrides=None, **kw):
    """A new window (make_window(overrides, **kw)) with the sample `name` open and its first mask shown."""
    w = make_window(overrides, **kw)
    w.open_folder(SAMPLES, select=name)
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    return w
