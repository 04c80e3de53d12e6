"""The hook the main window calls (File > Open video frames...): ask for a frame folder, show a VideoPanel in its
own window (non-modal, kept alive by the parent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from gui.video.panel import VideoPanel


def show_video_window(parent: QWidget | None, settings: dict[str, Any], folder: str | Path | None = None,
                      out_root: str | Path | None = None) -> VideoPanel | None:
    if folder is None:
        folder = QFileDialog.getExistingDirectory(
            parent, QCoreApplication.translate("VideoWindow", "Open a folder of video frames"))
        if not folder:
            return None
    panel = VideoPanel(settings, parent)
    panel.setWindowFlag(Qt.WindowType.Window, True)
    panel.setWindowTitle(QCoreApplication.translate("VideoWindow", "Video: {0}").format(Path(folder).name))
    panel.open_folder(Path(folder), Path(out_root) if out_root else None)
    panel.show()
    return panel
