"""Autosave of an ImageSession with its undo history, through the plain store (engine.io.session_store:
snapshot.npz: JSON + arrays, no pickle). After a crash, load_session() brings back every state of the history
(up to `limit`), so undo works as before the crash."""

from __future__ import annotations

from pathlib import Path

from engine.io.session_store import has_snapshot, load_snapshot, remove_snapshot, save_snapshot
from engine.sculpt.image_session import ImageSession

KIND = "image-session"
HISTORY_LIMIT = 50  # states written to disk (the in-memory history keeps more)


def save_session(folder: str | Path, session: ImageSession, limit: int = HISTORY_LIMIT) -> None:
    doc, arrays = session.history_snapshot(limit)
    save_snapshot(folder, doc, arrays, KIND)


def load_session(folder: str | Path, session: ImageSession) -> bool:
    """Restore `session` (same image) from folder; False when there is nothing saved. A damaged or foreign
    snapshot raises engine.io.snapshot_codec.SnapshotError (an InputError: one line naming the file)."""
    found = load_snapshot(folder, KIND)
    if found is None:
        return False
    doc, arrays = found
    session.restore(doc, arrays)
    return True


def has_session(folder: str | Path) -> bool:
    return has_snapshot(folder)


def discard_session(folder: str | Path) -> None:
    remove_snapshot(folder)
