"""File > Export on the worker thread: every image saved in the outputs folder written in one format
through engine.exports.writer.export_dataset, with progress after each image and Cancel between
images. Called by gui.worker.EngineWorker.on_export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication


def saved_images(out_dir: Path) -> int:
    """How many images the outputs folder holds (OUTPUTS/NAME/final_mask.png: what Export converts)."""
    try:
        return sum(1 for p in Path(out_dir).iterdir() if (p / "final_mask.png").is_file())
    except OSError:
        return 0


def run_export(worker, cmd) -> str | None:
    from engine.exports.writer import export_dataset

    src = Path(cmd.out_dir)
    dest = src / f"export-{cmd.format}"
    if saved_images(src) == 0:  # the engine's words name a CLI option; say what to do in the window
        worker.log.emit(QCoreApplication.translate(
            "ExportJob", "nothing to export: no image is saved in {0} yet (File > Save, Ctrl+S, writes the open "
                         "image there; Export converts the saved images)").format(src))
        return None
    images = Path(worker.root) / "images" if worker.root and (Path(worker.root) / "images").is_dir() else None
    worker.progress.emit(0, 0, QCoreApplication.translate("ExportJob", "exporting"))

    def progress(done: int, total: int, name: str) -> None:
        worker.progress.emit(done, total, QCoreApplication.translate("ExportJob", "exporting {0} ({1}/{2})")
                             .format(name, done, total))

    report = export_dataset(src, cmd.format, dest, simplify=cmd.simplify or None, progress=progress,
                            cancel=lambda: worker.cancel_token.cancelled, images_dir=images)
    if report.cancelled:
        worker.log.emit(QCoreApplication.translate("ExportJob", "export cancelled: {0}").format(report.summary()))
    else:
        worker.log.emit(report.summary())
    return str(dest)
