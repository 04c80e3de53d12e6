"""The Models dialog: the same list as `sam-sculpt models` (every family, what it needs, whether its package
is installed, what was found where) and a download with progress and Cancel. The download runs in a
DownloadWorker on its own QThread; the UI thread only shows its signals. No model math here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.errors import SculptError
from engine.models.download import Plan, download, plan, target_root
from engine.models.families import get_family
from engine.models.listing import list_rows
from engine.models.listing_choices import Role, invalidate_choices, role_of
from engine.models.progress import DownloadCancelled, ProgressHook


class DownloadWorker(QObject):
    """Runs one download off the UI thread; cancel() is safe to call from any thread."""

    progress = Signal(object, object, str)  # bytes done, bytes total (None = unknown), what (Python ints: > 2 GB ok)
    finished = Signal(str)  # the downloaded path
    failed = Signal(str)  # one line
    cancelled = Signal(str)

    def __init__(self, job: Plan, timeout_s: float = 30.0) -> None:
        super().__init__()
        self.job = job
        self.timeout_s = timeout_s
        self.hook = ProgressHook(callback=lambda d, t, w: self.progress.emit(d, t, w), show_bar=False)

    def cancel(self) -> None:
        self.hook.cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            path = download(self.job, self.hook, timeout_s=self.timeout_s)
        except DownloadCancelled as exc:
            self.cancelled.emit(str(exc))
        except SculptError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # never let a worker die silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(str(path))


class ModelsDialog(QDialog):
    COLUMNS = ("family", "kind", "status", "needs", "package", "found")

    def __init__(self, settings: dict[str, Any] | None = None, parent: QWidget | None = None,
                 dest: str | Path | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or {}
        self.dest = dest
        self.rows: list[dict[str, Any]] = []
        self.thread: QThread | None = None
        self.worker: DownloadWorker | None = None
        self.setWindowTitle(self.tr("Models"))
        self.resize(980, 520)
        headers = [self.tr("Family"), self.tr("Kind"), self.tr("Status"), self.tr("Needs"), self.tr("Package"),
                   self.tr("Found")]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.variant = QComboBox(self)
        self.source = QComboBox(self)
        self.source.addItem(self.tr("Hugging Face (HF_ENDPOINT)"), "hf")
        self.source.addItem(self.tr("ModelScope"), "modelscope")
        self.download_button = QPushButton(self.tr("Download"), self)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.cancel_button.setEnabled(False)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.close)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Variant"), self))
        controls.addWidget(self.variant)
        controls.addWidget(QLabel(self.tr("Source"), self))
        controls.addWidget(self.source)
        controls.addStretch(1)
        for b in (self.download_button, self.cancel_button, self.refresh_button, self.close_button):
            controls.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(controls)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        self.refresh()

    # ---- the list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-reads the list (file system and catalogue only: no model is loaded)."""
        invalidate_choices()  # weights may have come (a download, a copy by hand): menus look again too
        selected = self.selected_family()
        self.rows = list_rows(self.settings)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            package = self.tr("installed") if r["installed"] else self.tr("missing: {0}").format(r["install"])
            found = "; ".join(f"{f['path']} ({f['variant']}, {f['size_mb']:.0f} MB, {f['source']})" for f in r["found"])
            if r["key"]:
                found = self._key_text(r["key"])
            kind = self._kind_text(r["kind"])
            role = role_of(f"{r['kind']}s", r["backend"])
            if role in (Role.BASELINE, Role.EVALUATION):  # never presented as a model
                kind += " " + (self.tr("(baseline)") if role is Role.BASELINE else self.tr("(evaluation only)"))
            values = (r["family"], kind, self._status_text(r["status"]), self._needs_text(r),
                      package, found)
            for j, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if j == len(values) - 1 and r["looked_in"]:
                    item.setToolTip(self.tr("Looked in:") + "\n" + "\n".join(r["looked_in"]))
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        if selected:
            self.select_family(selected)
        self._selection_changed()

    def _kind_text(self, kind: str) -> str:
        texts = {"segmenter": self.tr("segmenter"), "critic": self.tr("critic"), "localiser": self.tr("localiser"),
                 "inpainter": self.tr("inpainter")}
        return texts.get(kind, kind)

    def _needs_text(self, row: dict[str, Any]) -> str:
        """The engine's 'needs' in the window's language (the engine words it for the CLI)."""
        needs = str(row["needs"])
        env = re.search(r"[A-Z][A-Z0-9_]*_API_KEY", needs)
        if env:
            return self.tr("an API key ({0} or the OS keyring)").format(env.group(0))
        texts = {"weights": self.tr("weights"), "nothing (no weights)": self.tr("nothing (no weights)")}
        return texts.get(needs, needs)

    def _key_text(self, key: str) -> str:
        env = re.search(r"[A-Z][A-Z0-9_]*_API_KEY", key)
        if env is None:
            return self.tr("key {0}").format(key)
        if key.startswith("set in"):
            return self.tr("key set in {0}").format(env.group(0))
        return self.tr("key not in {0} (the OS keyring is not checked here)").format(env.group(0))

    def _status_text(self, status: str) -> str:
        texts = {"found": self.tr("found"), "not found": self.tr("not found"), "ready": self.tr("ready"),
                 "needs a key": self.tr("needs a key"), "package missing": self.tr("package missing")}
        return texts.get(status, status)

    def selected_family(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[rows[0].row()]["family"] if rows else None

    def select_family(self, name: str) -> None:
        for i, r in enumerate(self.rows):
            if r["family"] == name:
                self.table.selectRow(i)
                return

    def _selection_changed(self) -> None:
        name = self.selected_family()
        row = next((r for r in self.rows if r["family"] == name), None)
        self.variant.clear()
        for v in (row or {}).get("variants", []):
            self.variant.addItem(v, v)
        if row and row.get("default_variant"):
            self.variant.setCurrentIndex(max(0, self.variant.findData(row["default_variant"])))
        self.download_button.setEnabled(bool(row and row["variants"]) and self.worker is None)

    # ---- the download --------------------------------------------------------------------------
    def start_download(self) -> None:
        name = self.selected_family()
        if not name or self.worker is not None:
            return
        try:
            job = plan(get_family(name), self.variant.currentData(), self.source.currentData(), target_root(self.dest))
        except SculptError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(self.tr("Downloading {0} to {1}").format(job.repo, job.dest))
        self.bar.setValue(0)
        self.thread = QThread(self)
        self.worker = DownloadWorker(job)
        self.worker.family = name  # type: ignore[attr-defined]
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        for sig in (self.worker.finished, self.worker.failed, self.worker.cancelled):
            sig.connect(self._stop_thread)
        self.download_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.thread.start()

    def cancel_download(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText(self.tr("Cancelling..."))

    def _on_progress(self, done: int, total: int | None, what: str) -> None:
        if total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(1.0, done / total)))
            self.bar.setFormat(f"{what}  {done / 1e6:.1f} / {total / 1e6:.1f} MB")
        else:
            self.bar.setRange(0, 0)  # indeterminate

    def _on_finished(self, path: str) -> None:
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000)
        text = self.tr("Downloaded to {0}").format(path)
        row = next((r for r in self.rows if r["family"] == getattr(self.worker, "family", None)), None)
        where = {"segmenter": self.tr("Settings > Segmenter"), "critic": self.tr("Settings > Critic")}
        if row is not None and row["kind"] in where:  # a download is not a choice: say where the choice is
            text += "\n" + self.tr("To use it, choose {0} in {1}.").format(row["backend"], where[row["kind"]])
        self.status.setText(text)

    def _on_failed(self, message: str) -> None:
        self.status.setText(self.tr("Download failed: {0}").format(message))

    def _on_cancelled(self, message: str) -> None:
        self.status.setText(self.tr("Cancelled: partial files are kept, Download again resumes."))

    def _stop_thread(self, *_: object) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(5000)
        self.thread, self.worker = None, None
        self.cancel_button.setEnabled(False)
        self.refresh()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt)
        if self.worker is not None:
            self.worker.cancel()
            if self.thread is not None:
                self.thread.quit()
                self.thread.wait(10000)
        super().closeEvent(event)


def open_models_dialog(parent: QWidget | None, settings: dict[str, Any] | None) -> ModelsDialog:
    """What the main window's Models action calls: a modeless dialog over the window."""
    dlg = ModelsDialog(settings, parent)
    dlg.show()
    return dlg
