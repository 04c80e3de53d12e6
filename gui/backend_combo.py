"""A backend menu that says what runs here: the baselines named as baselines (no weights), the models whose
weights were found, the evaluation-only backends, then the ones still missing weights / an API key / their
package, marked so and greyed (still selectable: a path typed in the same dialog may provide them). The answer
comes from engine.models.listing_choices (Qt-free); this widget only shows it. Items keep the registry name as
their data, and setCurrentText(name) selects by that name."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QComboBox, QLabel

from engine.models.listing_choices import Choice, Need, Role, choices
from gui.theme import colour

CTX = "BackendCombo"
TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole
MARKS = {
    Role.BASELINE: QT_TRANSLATE_NOOP("BackendCombo", "{0} (baseline, no weights)"),
    Role.EVALUATION: QT_TRANSLATE_NOOP("BackendCombo", "{0} (evaluation only: needs the ground truth)"),
}
MISSING = {
    Need.WEIGHTS: QT_TRANSLATE_NOOP("BackendCombo", "{0} (no weights: see File > Models)"),
    Need.KEY: QT_TRANSLATE_NOOP("BackendCombo", "{0} (no API key: see File > Models)"),
    Need.PACKAGE: QT_TRANSLATE_NOOP("BackendCombo", "{0} (not installed: {1})"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


def label_for(c: Choice) -> str:
    if not c.available:
        return _tr(MISSING[c.missing]).format(c.name, c.install)
    if c.role in MARKS:
        return _tr(MARKS[c.role]).format(c.name)
    return c.name


def hint_for(c: Choice) -> str:
    """One or two lines under the menu: what the chosen backend is and what it still needs."""
    if c.missing is Need.WEIGHTS:
        return QCoreApplication.translate(
            "BackendCombo", "No weights found for {0}: File > Models downloads them (or lists where they are "
                            "looked for); until then the window cannot use it.").format(c.name)
    if c.missing is Need.KEY:
        return QCoreApplication.translate(
            "BackendCombo", "{0} needs an API key in the environment or the system keyring (File > Models "
                            "says which).").format(c.name)
    if c.missing is Need.PACKAGE:
        return QCoreApplication.translate(
            "BackendCombo", "{0} is not installed: {1}").format(c.name, c.install)
    if c.role is Role.BASELINE:
        return QCoreApplication.translate(
            "BackendCombo", "A classical baseline, not a model: it needs no weights and always runs.")
    if c.role is Role.EVALUATION:
        return QCoreApplication.translate(
            "BackendCombo", "Answers from the ground-truth mask (the dataset's gt folder): for evaluation, "
                            "not for annotating new images.")
    if c.found:
        return QCoreApplication.translate(
            "BackendCombo", "Weights found: {0}").format(c.found)
    return ""


class BackendCombo(QComboBox):
    def __init__(self, kind: str, names: list[str], current: str, settings: dict[str, Any] | None = None,
                 plain: bool = False) -> None:
        """`plain`: the items' texts stay the bare names (the mark goes to the tooltip and the hint line)."""
        super().__init__()
        self.kind = kind
        self.plain = plain
        self.choices: dict[str, Choice] = {}
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("backend-hint")
        self.fill(names, settings)
        self.currentIndexChanged.connect(self._show_hint)
        self.setCurrentText(current)
        self._show_hint()

    def fill(self, names: list[str], settings: dict[str, Any] | None = None) -> None:
        keep = self.current_name()
        self.blockSignals(True)
        self.clear()
        listed = choices(self.kind, list(names), settings)
        self.choices = {c.name: c for c in listed}
        for i, c in enumerate(listed):
            if i and not c.available and listed[i - 1].available:
                self.insertSeparator(self.count())
            self.addItem(c.name if self.plain else label_for(c), c.name)
            row = self.count() - 1
            tip = (f"{label_for(c)}\n" if self.plain else "") + c.description + (f"\n{c.found}" if c.found else "")
            self.setItemData(row, tip, TOOLTIP_ROLE)
            if not c.available:
                self.setItemData(row, QBrush(colour("muted")), Qt.ItemDataRole.ForegroundRole)
        self.blockSignals(False)
        if keep:
            self.setCurrentText(keep)

    def setCurrentText(self, text: str) -> None:  # noqa: N802 - Qt's name; selects by registry name
        i = self.findData(text)
        if i < 0:  # a name the registry does not know (an old setting): shown, so that OK keeps it
            self.addItem(text, text)
            i = self.count() - 1
        self.setCurrentIndex(i)

    def current_name(self) -> str:
        data = self.currentData()
        return str(data) if data is not None else ""

    def current_choice(self) -> Choice | None:
        return self.choices.get(self.current_name())

    def _show_hint(self, *_args) -> None:
        c = self.current_choice()
        text = hint_for(c) if c is not None else ""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
