"""Every keyboard shortcut in one table: the main window builds its actions from it and the help
dialog lists it, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)


@dataclass(frozen=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]
    text: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("open", ("Ctrl+O",), "Open a folder (plain, aux or COD layout)"),
    Shortcut("save", ("Ctrl+S",), "Save the outputs of this image"),
    Shortcut("next", ("D", "PgDown"), "Next image"),
    Shortcut("previous", ("A", "PgUp"), "Previous image"),
    Shortcut("flag", ("X",), "Flag / unflag this image"),
    Shortcut("run", ("R",), "Run the segmenter from the ROI and accepted points"),
    Shortcut("propose", ("P",), "Propose: one critic round, shown without applying"),
    Shortcut("apply", ("Return", "Enter"), "Apply the accepted proposals (refine)"),
    Shortcut("auto", ("Shift+A",), "Auto: N rounds, every proposal accepted"),
    Shortcut("accept", ("Y",), "Accept the selected proposal(s)"),
    Shortcut("reject", ("N",), "Reject the selected proposal(s)"),
    Shortcut("flip", ("F",), "Flip the selected point(s) positive/negative"),
    Shortcut("accept_all", ("Shift+Y",), "Accept all pending proposals"),
    Shortcut("reject_all", ("Shift+N",), "Reject all pending proposals"),
    Shortcut("delete", ("Delete", "Backspace"), "Delete the selected point(s)"),
    Shortcut("mode_points", ("1",), "Points mode: left click +, right click -, drag on empty space draws an ROI"),
    Shortcut("mode_roi", ("2",), "ROI mode: drag draws a new ROI box"),
    Shortcut("mode_brush", ("3",), "Brush: paint onto the mask"),
    Shortcut("mode_eraser", ("4",), "Eraser: remove from the mask"),
    Shortcut("brush_bigger", ("]",), "Bigger brush"),
    Shortcut("brush_smaller", ("[",), "Smaller brush"),
    Shortcut("undo", ("Ctrl+Z",), "Undo"),
    Shortcut("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo"),
    Shortcut("toggle_mask", ("M",), "Show / hide the mask"),
    Shortcut("toggle_outline", ("O",), "Mask outline on / off"),
    Shortcut("toggle_anchors", ("G",), "Show / hide anchors and squares"),
    Shortcut("fit", ("Ctrl+0", "Home"), "Fit the image to the window"),
    Shortcut("zoom_in", ("Ctrl+=", "Ctrl++"), "Zoom in (or mouse wheel)"),
    Shortcut("zoom_out", ("Ctrl+-",), "Zoom out (or mouse wheel)"),
    Shortcut("cancel", ("Esc",), "Cancel the running job"),
    Shortcut("settings", ("Ctrl+,",), "Settings"),
    Shortcut("help", ("F1",), "This list"),
    Shortcut("quit", ("Ctrl+Q",), "Quit"),
)

MOUSE_HELP = (
    ("Left click", "add a positive point (points mode)"),
    ("Right click", "add a negative point; on a point: delete it"),
    ("Click a point", "flip it (Shift/Ctrl+click only selects)"),
    ("Drag a point", "move it"),
    ("Drag on empty space", "draw a new ROI box"),
    ("Drag ROI handles", "resize (corners) or move (centre)"),
    ("Wheel", "zoom around the cursor"),
    ("Middle drag / Space + drag", "pan"),
)


class KeepTypingKeys(QObject):
    """Event filter for text fields: Return/Enter stay with the field instead of firing the
    window's plain-key shortcut (Apply). Letters, Delete and Backspace already do."""

    KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in self.KEYS:
            event.accept()
            return True
        return False


def by_action() -> dict[str, Shortcut]:
    return {s.action: s for s in SHORTCUTS}


class HelpDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard and mouse")
        rows = [(" / ".join(s.keys), s.text) for s in SHORTCUTS] + list(MOUSE_HELP)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Key / gesture", "Does"])
        table.verticalHeader().setVisible(False)
        for r, (k, t) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(k))
            table.setItem(r, 1, QTableWidgetItem(t))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(table)
        lay.addWidget(buttons)
        self.resize(620, 640)
