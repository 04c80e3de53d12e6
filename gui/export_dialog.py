"""File > Export: format, destination folder and polygon simplification. The export itself runs on
the worker (gui.export_job) with progress in the log panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui import commands as c
from gui.export_job import saved_images

FORMAT_WORDS = {  # what each format writes (README "Export"), shown under the menu
    "png": QT_TRANSLATE_NOOP("ExportDialog", "NAME.png: one 0/255 mask per image (all objects together)"),
    "png-indexed": QT_TRANSLATE_NOOP("ExportDialog", "NAME.png with instance ids + objects.json (id -> label, box)"),
    "coco": QT_TRANSLATE_NOOP("ExportDialog", "COCO annotations.json, one RLE mask per object (exact)"),
    "coco-polygon": QT_TRANSLATE_NOOP("ExportDialog", "COCO annotations.json with polygons"),
    "labelme": QT_TRANSLATE_NOOP("ExportDialog", "LabelMe NAME.json, polygon shapes (editable in labelme / "
                                                 "X-AnyLabeling)"),
    "labelme-mask": QT_TRANSLATE_NOOP("ExportDialog", "LabelMe NAME.json, one exact mask shape per object"),
    "yolo": QT_TRANSLATE_NOOP("ExportDialog", "Ultralytics YOLO segmentation: images/, labels/, classes.txt, "
                                              "data.yaml"),
    "voc": QT_TRANSLATE_NOOP("ExportDialog", "Pascal VOC: SegmentationClass/, SegmentationObject/, labelmap.txt"),
    "cod": QT_TRANSLATE_NOOP("ExportDialog", "COD10K layout: Imgs/, GT/ (0/255), Instance/"),
}


def polygon_formats() -> tuple[str, ...]:
    """The formats Simplify changes (engine.exports.writer.POLYGON_FORMATS)."""
    try:
        from engine.exports.writer import POLYGON_FORMATS
    except ImportError:
        return ("coco-polygon", "labelme", "yolo")
    return tuple(POLYGON_FORMATS)


def export_formats() -> tuple[str, ...]:
    try:
        from engine.exports.writer import FORMATS
    except ImportError:
        return ("png", "coco", "labelme", "yolo", "voc", "cod")
    return tuple(FORMATS)


class ExportDialog(QDialog):
    """`unsaved`: the open image when its work is not saved yet; a checked 'Save it first' box then makes
    the command list save it before exporting (a new annotator exports what they see, not an empty folder)."""

    def __init__(self, out_dir: Path, parent=None, unsaved: str | None = None, unsaved_others: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.out_dir = Path(out_dir)
        self.format = QComboBox()
        self.format.addItems(export_formats())
        self.format_words = QLabel("")
        self.format_words.setWordWrap(True)
        self.format.currentTextChanged.connect(self._format_changed)
        self.folder = QLineEdit(str(self.out_dir))
        self.folder.setMinimumWidth(320)  # a path must stay readable
        browse = QPushButton("...")
        browse.setToolTip(self.tr("Browse"))
        browse.clicked.connect(self._browse)
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.folder, 1)
        rl.addWidget(browse)
        self.simplify = QDoubleSpinBox()
        self.simplify.setRange(0.0, 20.0)
        self.simplify.setSingleStep(0.5)
        self.simplify.setSuffix(" px")
        self.simplify.setToolTip(self.tr("polygon simplification tolerance (0: the exact outline)"))
        form = QFormLayout()
        form.addRow(self.tr("Format"), self.format)
        form.addRow("", self.format_words)
        form.addRow(self.tr("Outputs folder (saved images)"), row)
        form.addRow(self.tr("Simplify polygons"), self.simplify)
        note = QLabel(self.tr("Exports every image saved in the outputs folder; the files go to "
                              "<outputs>/export-<format>."))
        note.setWordWrap(True)
        self.save_first = QCheckBox(self.tr("Save '{0}' first (its work is not saved yet)").format(unsaved or ""))
        self.save_first.setChecked(bool(unsaved))
        self.save_first.setVisible(bool(unsaved))
        self.save_first.toggled.connect(self._count)
        self.unsaved = unsaved
        self.unsaved_others = unsaved_others
        self.count_label = QLabel("")
        self.count_label.setWordWrap(True)
        self.count_label.setObjectName("export-count")
        self.folder.textChanged.connect(self._count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.save_first)
        lay.addWidget(self.count_label)
        lay.addWidget(buttons)
        self._count()
        self._format_changed(self.format.currentText())

    def _format_changed(self, fmt: str) -> None:
        words = FORMAT_WORDS.get(fmt)
        self.format_words.setText(QCoreApplication.translate("ExportDialog", words) if words else "")
        self.simplify.setEnabled(fmt in polygon_formats())  # a mask format has no polygon to simplify

    def _count(self, *_args) -> None:
        folder = Path(self.folder.text().strip() or self.out_dir)
        n = saved_images(folder)
        first = self.save_first.isChecked() and bool(self.unsaved)
        if first and not (folder / str(self.unsaved) / "final_mask.png").is_file():
            n += 1  # the open image, saved first, is exported too
        if n == 0:
            text = self.tr("Nothing is saved in this folder yet: Save (Ctrl+S) writes the open image there; "
                           "Export converts the saved images.")
        else:
            text = self.tr("{0} image(s) will be exported.").format(n)
            if first:
                text += " " + self.tr("'{0}' is saved first.").format(self.unsaved)
        if self.unsaved_others:
            text += " " + self.tr("{0} other image(s) in progress have unsaved work: it is not in the export "
                                  "(open each and Save).").format(self.unsaved_others)
        self.count_label.setText(text)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def command(self) -> c.Export:
        return c.Export(self.format.currentText(), self.folder.text().strip() or str(self.out_dir),
                        float(self.simplify.value()))

    def commands(self) -> list[c.Command]:
        """What OK asks the worker for, in order: the save of the open image when asked, then the export."""
        export = self.command()
        return ([c.Save(export.out_dir)] if self.save_first.isChecked() and self.unsaved else []) + [export]
