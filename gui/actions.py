"""The window's actions, menus and toolbar, built from gui.shortcuts.SHORTCUTS (one table for the
keys, the menus and the help dialog). Titles are translated here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow

from gui.i18n import translate
from gui.shortcuts import SHORTCUTS

MODES = ("mode_points", "mode_roi", "mode_brush", "mode_eraser")


def _menus() -> dict[str, list[str]]:
    return {
        QCoreApplication.translate("MainWindow", "&File"): ["open", "open_video", "save", "save_automatically", "export", "discard_autosave", "settings", "models", "quit"],
        QCoreApplication.translate("MainWindow", "&Edit"): ["undo", "redo", "delete", "new_object", "delete_object"],
        QCoreApplication.translate("MainWindow", "&Session"): ["run", "run_from_box", "propose", "apply", "auto", "accept", "reject", "flip", "accept_all",
                                      "reject_all", "verdict", "cancel"],
        QCoreApplication.translate("MainWindow", "&Tools"): [*MODES, "brush_bigger", "brush_smaller"],
        QCoreApplication.translate("MainWindow", "&View"): ["toggle_mask", "toggle_outline", "toggle_anchors", "fit", "zoom_in", "zoom_out"],
        QCoreApplication.translate("MainWindow", "&Navigate"): ["next", "previous", "flag"],
        QCoreApplication.translate("MainWindow", "&Help"): ["help"],
    }


def _toolbar() -> list[tuple[str, str]]:
    return [("open", QCoreApplication.translate("MainWindow", "Open")), ("save", QCoreApplication.translate("MainWindow", "Save")), ("undo", QCoreApplication.translate("MainWindow", "Undo")),
            ("redo", QCoreApplication.translate("MainWindow", "Redo")),
            ("new_object", QCoreApplication.translate("MainWindow", "New object")), ("mode_points", QCoreApplication.translate("MainWindow", "Points")),
            ("mode_roi", QCoreApplication.translate("MainWindow", "ROI")), ("mode_brush", QCoreApplication.translate("MainWindow", "Brush")),
            ("mode_eraser", QCoreApplication.translate("MainWindow", "Eraser")), ("fit", QCoreApplication.translate("MainWindow", "Fit")),
            ("settings", QCoreApplication.translate("MainWindow", "Settings")), ("help", QCoreApplication.translate("MainWindow", "Help"))]


def build_actions(window: QMainWindow, handlers: dict[str, Callable[[], None]]) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    for sc in SHORTCUTS:
        act = QAction(translate("Shortcuts", sc.text), window)
        act.setObjectName(f"action-{sc.action}")
        act.setShortcuts([QKeySequence(k) for k in sc.keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(handlers[sc.action])
        window.addAction(act)
        actions[sc.action] = act
    group = QActionGroup(window)
    for name in MODES:
        a = actions[name]
        a.setCheckable(True)
        group.addAction(a)
    actions["mode_points"].setChecked(True)
    actions["save_automatically"].setCheckable(True)
    for title, names in _menus().items():
        menu = window.menuBar().addMenu(title)
        for n in names:
            menu.addAction(actions[n])
    tb = window.addToolBar(QCoreApplication.translate("MainWindow", "Tools"))
    tb.setObjectName("toolbar")
    for n, label in _toolbar():
        a = actions[n]
        a.setIconText(label)
        tb.addAction(a)
    return actions
