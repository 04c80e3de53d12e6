"""File > Models... opens the model manager's dialog and File > Open video... the tracking window,
both from the main window's menu (not only from their own modules)."""

from __future__ import annotations

from PySide6.QtGui import QAction

from gui.models_dialog import ModelsDialog


def _file_menu_actions(window) -> list[str]:
    return [a.objectName() for a in window.menuBar().actions()[0].menu().actions()]


def test_models_and_video_are_in_the_file_menu(qtbot, make_window, monkeypatch) -> None:
    w = make_window()
    names = _file_menu_actions(w)
    assert "action-models" in names and "action-open_video" in names
    w.findChild(QAction, "action-models").trigger()
    dialog = w._models_dialog
    assert isinstance(dialog, ModelsDialog) and dialog.isVisible()
    dialog.close()
    calls = []
    monkeypatch.setattr("gui.video.window.show_video_window", lambda parent, settings: calls.append(parent) or None)
    w.findChild(QAction, "action-open_video").trigger()
    assert calls == [w]


class UnloadRecorderStub:
    """A stand-in for a loaded segmenter: it only records that the worker unloaded it."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def unload(self, reason: str = "asked") -> bool:
        self.reasons.append(reason)
        return True


def test_switching_the_segmenter_unloads_the_previous_one(qtbot, make_window) -> None:
    from engine.settings import deep_merge
    from tests.gui.conftest import SAMPLES

    w = make_window()
    w.open_folder(SAMPLES, select="moth")
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    stub = UnloadRecorderStub()
    w.worker.worker.segmenter = stub  # the EngineWorker inside the WorkerThread
    w.apply_settings(deep_merge(w.settings, {"segmenter": {"options": {"grabcut": {"iterations": 3}}}}))
    qtbot.waitUntil(lambda: stub.reasons == ["segmenter changed in settings"], timeout=30000)
