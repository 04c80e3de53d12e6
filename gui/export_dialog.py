"""File > Export: format, destination folder and polygon simplification. The export itself runs on
the worker (gui.export_job) with progress in the log panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
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


def export_formats() -> tuple[str, ...]:
    try:
        from engine.exports.writer import FORMATS
    except ImportError:
        return ("png", "coco", "labelme", "yolo", "voc", "cod")
    return tuple(FORMATS)


class ExportDialog(QDialog):
    def __init__(self, out_dir: Path, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.out_dir = Path(out_dir)
        self.format = QComboBox()
        self.format.addItems(export_formats())
        self.folder = QLineEdit(str(self.out_dir))
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
        form.addRow(self.tr("Outputs folder (saved images)"), row)
        form.addRow(self.tr("Simplify polygons"), self.simplify)
        note = QLabel(self.tr("Exports every image saved in the outputs folder; the files go to "
                              "<outputs>/export-<format>."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def command(self) -> c.Export:
        return c.Export(self.format.currentText(), self.folder.text().strip() or str(self.out_dir),
                        float(self.simplify.value()))
