"""File > Export on the worker thread: the outputs folder's saved images written in one format
(engine.exports), with progress. Called by gui.worker.EngineWorker.on_export."""

from __future__ import annotations

import inspect
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from engine.errors import SculptError


def run_export(worker, cmd) -> str | None:
    from engine.exports.items import collect_outputs
    from engine.exports.writer import export

    src = Path(worker.settings.get("gui", {}).get("export_source") or cmd.out_dir)
    worker.progress.emit(0, 0, QCoreApplication.translate("ExportJob", "collecting the saved images in {0}").format(src))
    images = Path(worker.root) / "images" if worker.root and (Path(worker.root) / "images").is_dir() else None
    items = collect_outputs(src, images or (worker.root or None))
    if not items:
        raise SculptError(QCoreApplication.translate("ExportJob", "nothing to export: no saved image in {0} (save first, Ctrl+S)").format(src))
    dest = Path(cmd.out_dir) / f"export-{cmd.format}" if not getattr(cmd, "dest", None) else Path(cmd.dest)
    kwargs = {}
    params = inspect.signature(export).parameters
    if cmd.simplify and "simplify" in params:
        kwargs["simplify"] = cmd.simplify
    if "progress" in params:
        kwargs["progress"] = lambda done, total: worker.progress.emit(done, total, QCoreApplication.translate("ExportJob", "exporting"))
    worker.progress.emit(0, len(items), QCoreApplication.translate("ExportJob", "exporting {0} images as {1}").format(len(items), cmd.format))
    paths = export(items, cmd.format, dest, **kwargs)
    worker.progress.emit(len(items), len(items), QCoreApplication.translate("ExportJob", "exporting"))
    worker.log.emit(QCoreApplication.translate("ExportJob", "exported {0} images as {1} to {2} ({3} files)").format(len(items), cmd.format, dest, len(paths)))
    return str(dest)
