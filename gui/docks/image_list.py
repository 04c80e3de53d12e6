"""The image list: every image of the folder with its state and a filter. Images that failed to
load are marked with their error and skipped by next/previous."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.theme import colour

STATES = ("new", "in progress", "done", "flagged", "error")
STATE_NAMES = {  # shown translated; the keys stay the program's
    "new": QT_TRANSLATE_NOOP("ImageListPanel", "new"),
    "in progress": QT_TRANSLATE_NOOP("ImageListPanel", "in progress"),
    "done": QT_TRANSLATE_NOOP("ImageListPanel", "done"),
    "flagged": QT_TRANSLATE_NOOP("ImageListPanel", "flagged"),
    "error": QT_TRANSLATE_NOOP("ImageListPanel", "error"),
}


def state_name(state: str) -> str:
    return QCoreApplication.translate("ImageListPanel", STATE_NAMES.get(state, state))

NAME_ROLE = Qt.ItemDataRole.UserRole


def empty_folder_words(root) -> str:
    """What to say when a folder holds no image (a new user opened the parent, or a folder of videos)."""
    from engine.io.images import IMAGE_SUFFIXES

    return QCoreApplication.translate(
        "ImageListPanel", "no images in {0}: open a folder of {1} files, or one with an images/ (aux) or Imgs/ "
                          "(COD) folder").format(root, ", ".join(IMAGE_SUFFIXES))


class ImageListPanel(QWidget):
    activated = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("filter by name"))
        self.filter_edit.setClearButtonEnabled(True)
        self.state_combo = QComboBox()
        self.state_combo.addItem(self.tr("all"), "all")
        for st in STATES:
            self.state_combo.addItem(state_name(st), st)
        self.list = QListWidget()
        self.progress = QLabel("")  # how far the dataset is: done / in progress / flagged of all
        self.progress.setObjectName("image-progress")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.state_combo)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.progress)
        self.states: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._items: dict[str, QListWidgetItem] = {}
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.state_combo.currentIndexChanged.connect(self._apply_filter)
        self.list.itemActivated.connect(self._on_activated)
        self.list.itemClicked.connect(self._on_activated)

    def set_items(self, names: list[str], states: dict[str, str]) -> None:
        self.list.clear()
        self._items.clear()
        self.states = {n: states.get(n, "new") for n in names}
        self.errors.clear()
        for n in names:
            item = QListWidgetItem()
            item.setData(NAME_ROLE, n)
            self.list.addItem(item)
            self._items[n] = item
            self._render(n)
        self._apply_filter()

    def set_state(self, name: str, state: str, error: str | None = None) -> None:
        if name not in self._items:
            return
        self.states[name] = state
        if error:
            self.errors[name] = error
        self._render(name)
        self._apply_filter()

    def state(self, name: str) -> str:
        return self.states.get(name, "new")

    def _render(self, name: str) -> None:
        item = self._items[name]
        state = self.states[name]
        item.setText(f"{name}    [{state_name(state)}]")
        item.setForeground(QBrush(colour(state)))
        item.setToolTip(self.errors.get(name, state_name(state)))

    def _show_progress(self) -> None:
        counts = {st: sum(1 for s in self.states.values() if s == st) for st in ("done", "in progress", "flagged")}
        self.progress.setText(self.tr("{0} of {1} done, {2} in progress, {3} flagged").format(
            counts["done"], len(self.states), counts["in progress"], counts["flagged"]))

    def _apply_filter(self) -> None:
        self._show_progress()
        text = self.filter_edit.text().strip().lower()
        want = self.state_combo.currentData() or "all"
        for name, item in self._items.items():
            hide = (text and text not in name.lower()) or (want != "all" and self.states[name] != want)
            item.setHidden(bool(hide))

    def select(self, name: str) -> None:
        item = self._items.get(name)
        if item is not None:
            self.list.setCurrentItem(item)

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(NAME_ROLE)

    def neighbour(self, name: str | None, step: int) -> str | None:
        """The next (step 1) or previous (step -1) visible image that did not fail to load."""
        names = list(self._items)
        if not names:
            return None
        i = names.index(name) if name in names else (-1 if step > 0 else len(names))
        i += step
        while 0 <= i < len(names):
            n = names[i]
            if self.states[n] != "error" and not self._items[n].isHidden():
                return n
            i += step
        return None

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.activated.emit(item.data(NAME_ROLE))
