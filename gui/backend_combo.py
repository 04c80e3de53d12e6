"""A backend menu that says what runs here: the baselines named as baselines (no weights), the models whose
weights were found, the evaluation-only backends, then the ones still missing weights / an API key / their
package, marked so and greyed (still selectable: a path typed in the same dialog may provide them). The answer
comes from engine.models.listing_choices (Qt-free); this widget only shows it. Items keep the registry name as
their data, and setCurrentText(name) selects by that name.

Nothing slow runs on the UI thread (issue #17): the menu fills at once from the last full answer (a second
open of Settings) or from everything but the keyring lookup (the measured cost: ~130 ms cold), and the full
answer comes from a daemon thread and relabels the items; the chosen name never changes because of it."""

from __future__ import annotations

import copy
import itertools
import threading
import weakref
from typing import Any

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QComboBox, QLabel

from engine.models.listing_choices import (
    Choice,
    Need,
    Role,
    cached_choices,
    choices,
    fingerprint,
    refresh_choices,
)
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


class _Relay(QObject):
    """Lives on the UI thread: a discovery thread emits `done`, the queued slot hands the answer to the menu
    that asked, if that menu still exists."""

    done = Signal(int, object)  # ticket, list[Choice] | None

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, weakref.ref[BackendCombo]] = {}
        self.done.connect(self._deliver)

    @Slot(int, object)
    def _deliver(self, ticket: int, listed: object) -> None:
        ref = self.waiting.pop(ticket, None)
        combo = ref() if ref is not None else None
        if combo is not None and shiboken6.isValid(combo) and isinstance(listed, list):
            combo._refreshed(ticket, listed)


_RELAY: _Relay | None = None
_TICKETS = itertools.count(1)


def _relay() -> _Relay:
    global _RELAY
    if _RELAY is None or not shiboken6.isValid(_RELAY):
        _RELAY = _Relay()  # first made by a menu, i.e. on the UI thread
    return _RELAY


def _discover(relay: _Relay, ticket: int, kind: str, names: list[str], settings: dict[str, Any] | None,
              key: tuple[str, ...]) -> None:
    try:
        listed: list[Choice] | None = refresh_choices(kind, names, settings, key)
    except Exception:  # noqa: BLE001 - a failed look-up leaves the menu as it was filled
        listed = None
    try:
        relay.done.emit(ticket, listed)
    except RuntimeError:  # the application is gone
        pass


class BackendCombo(QComboBox):
    refreshed = Signal()  # the full answer arrived and the items were relabelled

    def __init__(self, kind: str, names: list[str], current: str, settings: dict[str, Any] | None = None,
                 plain: bool = False) -> None:
        """`plain`: the items' texts stay the bare names (the mark goes to the tooltip and the hint line)."""
        super().__init__()
        self.kind = kind
        self.plain = plain
        self.choices: dict[str, Choice] = {}
        self._ticket = 0
        self._pending: list[Choice] | None = None  # an answer that came while the popup was open
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("backend-hint")
        self.fill(names, settings)
        self.currentIndexChanged.connect(self._show_hint)
        self.setCurrentText(current)
        self._show_hint()

    def fill(self, names: list[str], settings: dict[str, Any] | None = None) -> None:
        """Fills at once (the last full answer, else all but the keyring) and asks for the full answer on a
        daemon thread (not Qt's pool: a keyring call that hangs must not hold up quitting)."""
        names = list(names)
        key = fingerprint(self.kind, names, settings)
        listed = cached_choices(self.kind, names, settings, key)
        self._show(listed if listed is not None else choices(self.kind, names, settings, keyring=False))
        relay = _relay()
        self._ticket = next(_TICKETS)
        relay.waiting[self._ticket] = weakref.ref(self)
        args = (relay, self._ticket, self.kind, names, copy.deepcopy(settings), key)
        threading.Thread(target=_discover, args=args, name=f"discover-{self.kind}", daemon=True).start()

    def _refreshed(self, ticket: int, listed: list[Choice]) -> None:
        if ticket != self._ticket:  # an answer for an older fill
            return
        self._pending = listed
        self._apply_pending()

    def _apply_pending(self) -> None:
        """Relabels, unless the popup is open (the items must not move under the pointer): then once it
        closes (hidePopup, or this check again: not every way of closing it goes through hidePopup)."""
        if self._pending is None or not shiboken6.isValid(self):
            return
        if self.view().isVisible():
            QTimer.singleShot(250, self._apply_pending)
            return
        listed, self._pending = self._pending, None
        self._show(listed)
        self._show_hint()
        self.refreshed.emit()

    def hidePopup(self) -> None:  # noqa: N802 - Qt's name
        super().hidePopup()
        self._apply_pending()

    def _show(self, listed: list[Choice]) -> None:
        """The items for `listed`; the chosen name stays chosen (also one the list does not hold)."""
        keep = self.current_name()
        self.blockSignals(True)
        self.clear()
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
        if keep:
            self.setCurrentText(keep)
        self.blockSignals(False)

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
