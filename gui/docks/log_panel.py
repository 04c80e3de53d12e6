"""The log and the progress bar with its cancel button."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class LogPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(2000)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setTextVisible(True)
        self._started = 0.0
        self._ticker = QTimer(self)  # once a second while a job without a count runs
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self.status = QLabel(self.tr("idle"))
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setEnabled(False)
        self.cancel.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.progress, 2)
        row.addWidget(self.cancel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.text, 1)

    def append(self, line: str) -> None:
        self.text.appendPlainText(f"{time.strftime('%H:%M:%S')}  {line}")

    def set_progress(self, done: int, total: int, what: str) -> None:
        if total <= 0:  # no count: a still bar with the seconds elapsed, not Qt's busy animation, whose
            # repaints stalled the UI thread during an embedding (see gui/warmup.py)
            if not self._ticker.isActive():
                self._started = time.monotonic()
                self.progress.setRange(0, 1)
                self.progress.setValue(0)
                self._tick()
                self._ticker.start()
        else:
            self._ticker.stop()
            self.progress.resetFormat()
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if what:
            self.status.setText(what)

    def _tick(self) -> None:
        self.progress.setFormat(self.tr("working... {0} s").format(int(time.monotonic() - self._started)))

    def set_busy(self, busy: bool) -> None:
        self.cancel.setEnabled(busy)
        if not busy:
            self._ticker.stop()
            self.progress.resetFormat()
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.status.setText(self.tr("idle"))
