"""Undo/redo. Every change the worker makes produces a numbered state; a command holds the state
before and after, and undo/redo ask the worker to restore one of them. The first redo is a no-op:
the change has already happened when the command is pushed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand


class StateCommand(QUndoCommand):
    def __init__(self, text: str, before: int, after: int, restore: Callable[[int], None]) -> None:
        super().__init__(text)
        self.before = before
        self.after = after
        self._restore = restore
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._restore(self.after)

    def undo(self) -> None:
        self._restore(self.before)
