"""The video window's mouse modes (Box / clicks, Brush, Eraser) as checkable buttons with keyboard shortcuts, and
the brush radius. The keys are the image window's (gui/shortcuts.py) where the mode is the same: 1 / 2 (points /
ROI there) -> Box / clicks, 3 brush, 4 eraser, [ / ] radius; plus B and E for brush and eraser (B is "new object"
in the image window; the video window has a button for that). The keys live on the panel (its children included),
so they work whether the panel is its own window or embedded; a text field keeps its letters."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QPushButton, QSpinBox, QWidget

MODE_KEYS: dict[str, tuple[str, ...]] = {"prompt": ("1", "2"), "brush": ("B", "3"), "eraser": ("E", "4")}
RADIUS_KEYS = {"smaller": "[", "bigger": "]"}
MODE_TEXTS = {"prompt": QT_TRANSLATE_NOOP("VideoPanel", "Box / clicks"), "brush": QT_TRANSLATE_NOOP("VideoPanel", "Brush"),
              "eraser": QT_TRANSLATE_NOOP("VideoPanel", "Eraser")}
MODE_TIPS = {
    "prompt": QT_TRANSLATE_NOOP("VideoPanel", "Box / clicks: drag a box, left click positive, right click negative ({0})"),
    "brush": QT_TRANSLATE_NOOP("VideoPanel", "Brush: paint the current object's mask, a right drag erases ({0})"),
    "eraser": QT_TRANSLATE_NOOP("VideoPanel", "Eraser: erase from the current object's mask ({0})")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("VideoPanel", text)  # the panel's context: its other strings are there


def keys_text(keys: tuple[str, ...]) -> str:
    return " / ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


def _shortcut(owner: QWidget, key: str, slot: Callable[[], None]) -> QShortcut:
    sc = QShortcut(QKeySequence(key), owner)
    sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    sc.activated.connect(slot)
    return sc


class ModeButtons:
    """One checkable button per mode (exclusive); `on_mode(mode)` runs when a button or a key selects a mode."""

    def __init__(self, owner: QWidget, on_mode: Callable[[str], None]) -> None:
        self.group = QButtonGroup(owner)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: list[QShortcut] = []
        for mode, keys in MODE_KEYS.items():
            b = QPushButton(_tr(MODE_TEXTS[mode]), owner)
            b.setCheckable(True)
            b.setToolTip(_tr(MODE_TIPS[mode]).format(keys_text(keys)))
            self.group.addButton(b)
            self.buttons[mode] = b
            self.shortcuts += [_shortcut(owner, k, b.click) for k in keys]
        self.buttons["prompt"].setChecked(True)  # the view starts in this mode: no on_mode call yet
        for mode, b in self.buttons.items():
            b.toggled.connect(lambda on, m=mode: on and on_mode(m))

    def check(self, mode: str) -> None:
        self.buttons[mode].setChecked(True)


def radius_keys(owner: QWidget, spin: QSpinBox) -> list[QShortcut]:
    """[ / ] step the brush radius spin box down / up; its tooltip names the keys."""
    spin.setToolTip(_tr(QT_TRANSLATE_NOOP("VideoPanel", "Brush radius in frame pixels ({0} smaller, {1} bigger)"))
                    .format(RADIUS_KEYS["smaller"], RADIUS_KEYS["bigger"]))
    return [_shortcut(owner, RADIUS_KEYS["smaller"], lambda: spin.stepBy(-1)),
            _shortcut(owner, RADIUS_KEYS["bigger"], lambda: spin.stepBy(1))]
