"""The undo/redo history of an ImageSession: a list of states (one per executed command, the first
being the state when the image was opened) and a cursor. Undo moves the cursor back and restores
that state; a new command drops the redo tail. States hold array references, so a step costs only
the points/rounds copy. The GUI's QUndoStack mirrors it by state_id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UNDO_LIMIT = 200


@dataclass
class Entry:
    state_id: int
    label: str
    state: dict[str, Any]  # ImageSession._capture(): in-memory (array references)
    object_ids: tuple[int, ...] = ()


class History:
    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self.limit = limit
        self.entries: list[Entry] = []
        self.cursor = -1  # index of the current state
        self._next_id = 1

    def reset(self, state: dict[str, Any], label: str = "open") -> Entry:
        self.entries, self.cursor = [], -1
        return self.push(state, label)

    def push(self, state: dict[str, Any], label: str, object_ids: tuple[int, ...] = ()) -> Entry:
        del self.entries[self.cursor + 1 :]
        entry = Entry(self._next_id, label, state, object_ids)
        self._next_id += 1
        self.entries.append(entry)
        if len(self.entries) > self.limit + 1:
            del self.entries[: len(self.entries) - self.limit - 1]
        self.cursor = len(self.entries) - 1
        return entry

    @property
    def current(self) -> Entry | None:
        return self.entries[self.cursor] if self.cursor >= 0 else None

    @property
    def can_undo(self) -> bool:
        return self.cursor > 0

    @property
    def can_redo(self) -> bool:
        return self.cursor < len(self.entries) - 1

    def undo(self) -> Entry | None:
        """The entry to restore (the one before the current), or None."""
        if not self.can_undo:
            return None
        self.cursor -= 1
        return self.entries[self.cursor]

    def redo(self) -> Entry | None:
        if not self.can_redo:
            return None
        self.cursor += 1
        return self.entries[self.cursor]

    def goto(self, state_id: int) -> Entry | None:
        for i, e in enumerate(self.entries):
            if e.state_id == state_id:
                self.cursor = i
                return e
        return None

    def labels(self) -> list[tuple[int, str]]:
        return [(e.state_id, e.label) for e in self.entries]
