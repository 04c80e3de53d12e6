"""Every keyboard shortcut in one table: the main window builds its actions from it and the help
dialog lists it, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from gui.i18n import translate


@dataclass(frozen=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]
    text: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("open", ("Ctrl+O",), QT_TRANSLATE_NOOP("Shortcuts", "Open a folder (plain, aux or COD layout)")),
    Shortcut("save", ("Ctrl+S",), QT_TRANSLATE_NOOP("Shortcuts", "Save the outputs of this image")),
    Shortcut("export", ("Ctrl+E",), QT_TRANSLATE_NOOP("Shortcuts", "Export the saved images (COCO, LabelMe, YOLO, VOC, COD...)")),
    Shortcut("discard_autosave", ("Ctrl+Shift+Delete",),
             QT_TRANSLATE_NOOP("Shortcuts", "Discard the autosaved work of this image")),
    Shortcut("next", ("D", "PgDown"), QT_TRANSLATE_NOOP("Shortcuts", "Next image")),
    Shortcut("previous", ("A", "PgUp"), QT_TRANSLATE_NOOP("Shortcuts", "Previous image")),
    Shortcut("flag", ("X",), QT_TRANSLATE_NOOP("Shortcuts", "Flag / unflag this image")),
    Shortcut("run", ("R",), QT_TRANSLATE_NOOP("Shortcuts", "Run the segmenter from the ROI and accepted points")),
    Shortcut("run_from_box", ("Shift+R",),
             QT_TRANSLATE_NOOP("Shortcuts", "Re-run from the box (forget the brush/eraser edits)")),
    Shortcut("new_object", ("B",), QT_TRANSLATE_NOOP("Shortcuts", "New object: draw its box")),
    Shortcut("delete_object", ("Ctrl+Delete",), QT_TRANSLATE_NOOP("Shortcuts", "Delete the selected object")),
    Shortcut("propose", ("P",), QT_TRANSLATE_NOOP("Shortcuts", "Propose: one critic round, shown without applying")),
    Shortcut("apply", ("Return", "Enter"), QT_TRANSLATE_NOOP("Shortcuts", "Apply the accepted proposals (refine)")),
    Shortcut("auto", ("Shift+A",), QT_TRANSLATE_NOOP("Shortcuts", "Auto: N rounds, every proposal accepted")),
    Shortcut("accept", ("Y",), QT_TRANSLATE_NOOP("Shortcuts", "Accept the selected proposal(s)")),
    Shortcut("reject", ("N",), QT_TRANSLATE_NOOP("Shortcuts", "Reject the selected proposal(s)")),
    Shortcut("flip", ("F",), QT_TRANSLATE_NOOP("Shortcuts", "Flip the selected point(s) positive/negative")),
    Shortcut("accept_all", ("Shift+Y",), QT_TRANSLATE_NOOP("Shortcuts", "Accept all pending proposals")),
    Shortcut("reject_all", ("Shift+N",), QT_TRANSLATE_NOOP("Shortcuts", "Reject all pending proposals")),
    Shortcut("verdict", ("V",), QT_TRANSLATE_NOOP("Shortcuts", "Verdict: keep or revert the last round, as suggested")),
    Shortcut("delete", ("Delete", "Backspace"), QT_TRANSLATE_NOOP("Shortcuts", "Delete the selected point(s)")),
    Shortcut("mode_points", ("1",), QT_TRANSLATE_NOOP("Shortcuts", "Points mode: left click +, right click -, drag on empty space draws an ROI")),
    Shortcut("mode_roi", ("2",), QT_TRANSLATE_NOOP("Shortcuts", "ROI mode: drag draws a new ROI box")),
    Shortcut("mode_brush", ("3",), QT_TRANSLATE_NOOP("Shortcuts", "Brush: paint onto the mask")),
    Shortcut("mode_eraser", ("4",), QT_TRANSLATE_NOOP("Shortcuts", "Eraser: remove from the mask")),
    Shortcut("brush_bigger", ("]",), QT_TRANSLATE_NOOP("Shortcuts", "Bigger brush")),
    Shortcut("brush_smaller", ("[",), QT_TRANSLATE_NOOP("Shortcuts", "Smaller brush")),
    Shortcut("undo", ("Ctrl+Z",), QT_TRANSLATE_NOOP("Shortcuts", "Undo")),
    Shortcut("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), QT_TRANSLATE_NOOP("Shortcuts", "Redo")),
    Shortcut("toggle_mask", ("M",), QT_TRANSLATE_NOOP("Shortcuts", "Show / hide the mask")),
    Shortcut("toggle_outline", ("O",), QT_TRANSLATE_NOOP("Shortcuts", "Mask outline on / off")),
    Shortcut("toggle_anchors", ("G",), QT_TRANSLATE_NOOP("Shortcuts", "Show / hide anchors and squares")),
    Shortcut("fit", ("Ctrl+0", "Home"), QT_TRANSLATE_NOOP("Shortcuts", "Fit the image to the window")),
    Shortcut("zoom_in", ("Ctrl+=", "Ctrl++"), QT_TRANSLATE_NOOP("Shortcuts", "Zoom in (or mouse wheel)")),
    Shortcut("zoom_out", ("Ctrl+-",), QT_TRANSLATE_NOOP("Shortcuts", "Zoom out (or mouse wheel)")),
    Shortcut("cancel", ("Esc",), QT_TRANSLATE_NOOP("Shortcuts", "Cancel the running job")),
    Shortcut("settings", ("Ctrl+,",), QT_TRANSLATE_NOOP("Shortcuts", "Settings")),
    Shortcut("models", (), QT_TRANSLATE_NOOP("Shortcuts", "Models: find, check and download weights")),
    Shortcut("save_automatically", (),
             QT_TRANSLATE_NOOP("Shortcuts", "Save automatically: save the image when moving to another one")),
    Shortcut("open_video", (), QT_TRANSLATE_NOOP("Shortcuts", "Open video frames and track objects")),
    Shortcut("help", ("F1",), QT_TRANSLATE_NOOP("Shortcuts", "Keyboard shortcuts (this list)")),
    Shortcut("quit", ("Ctrl+Q",), QT_TRANSLATE_NOOP("Shortcuts", "Quit")),
)

MOUSE_HELP = (
    (QT_TRANSLATE_NOOP("Shortcuts", "Left click"), QT_TRANSLATE_NOOP("Shortcuts", "add a positive point (points mode)")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Right click"), QT_TRANSLATE_NOOP("Shortcuts", "add a negative point; on a point: delete it")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Click a point"), QT_TRANSLATE_NOOP("Shortcuts", "flip it (Shift/Ctrl+click only selects)")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag a point"), QT_TRANSLATE_NOOP("Shortcuts", "move it")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag on empty space"), QT_TRANSLATE_NOOP("Shortcuts", "draw a new ROI box")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Click an object (ROI mode)"), QT_TRANSLATE_NOOP("Shortcuts", "select it")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Drag ROI handles"), QT_TRANSLATE_NOOP("Shortcuts", "resize (corners) or move (centre)")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Wheel"), QT_TRANSLATE_NOOP("Shortcuts", "zoom around the cursor")),
    (QT_TRANSLATE_NOOP("Shortcuts", "Middle drag / Space + drag"), QT_TRANSLATE_NOOP("Shortcuts", "pan")),
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
        self.setWindowTitle(self.tr("Keyboard and mouse"))
        rows = [(" / ".join(s.keys), translate("Shortcuts", s.text)) for s in SHORTCUTS]
        rows += [(translate("Shortcuts", k), translate("Shortcuts", t)) for k, t in MOUSE_HELP]
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([self.tr("Key / gesture"), self.tr("Does")])
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
