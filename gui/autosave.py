"""Autosave of the work in progress to the project's work folder, and the crash-recovery marker.

Layout of the work folder:
    recovery.json             {"root": ..., "name": ..., "dirty": true, "pid": ...} while unsaved work exists
    <name>/snapshot.npz       the session state (box, points, rounds, instance...) as plain, versioned JSON
                              plus its masks and square regions as .npy members (engine.io.session_store:
                              one zip, one atomic write; arrays read with allow_pickle=False)
    <name>/mask.png           the current mask, for humans
    flags.json                names the annotator flagged
Nothing here is ever unpickled: an old autosave.pkl is ignored with one log line. Every write is atomic
(engine.io.atomic), so a crash leaves the previous autosave intact. Names are checked to stay inside
the work folder (engine.io.safe_paths)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.io.atomic import write_json, write_mask
from engine.io.safe_paths import safe_join
from engine.io.session_store import has_snapshot, ignore_pickles, load_objects, save_objects
from engine.io.snapshot_codec import SnapshotError

MARKER = "recovery.json"
KIND = "gui-autosave"
log = logging.getLogger("sam_sculpt.autosave")


@dataclass
class Recovery:
    root: str
    name: str


def _plain(value: Any) -> Any:
    """Packed 1-bit masks (anything with .bits and .shape) become bool arrays; the rest is unchanged."""
    if hasattr(value, "bits") and hasattr(value, "shape") and isinstance(value.bits, np.ndarray):
        n = int(np.prod(value.shape))
        return np.unpackbits(value.bits, count=n).astype(bool).reshape(tuple(value.shape))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class AutosaveStore:
    def __init__(self, work_dir: str | Path) -> None:
        self.work_dir = Path(work_dir)

    def item_dir(self, name: str) -> Path:
        return safe_join(self.work_dir, name, what="image name")

    def has(self, name: str) -> bool:
        try:
            return has_snapshot(self.item_dir(name))
        except InputError:
            return False

    def save(self, name: str, root: str, state: dict[str, Any], mask: np.ndarray | None) -> None:
        d = self.item_dir(name)
        try:
            save_objects(d, _plain(state), KIND)
        except SnapshotError as exc:  # a type the snapshot format does not know: say so, keep going
            raise OSError(f"autosave of {name}: {exc}") from None
        if mask is not None:
            write_mask(d / "mask.png", mask)
        write_json(self.work_dir / MARKER, {"root": str(root), "name": name, "dirty": True, "pid": os.getpid()})

    def load(self, name: str) -> dict[str, Any] | None:
        try:
            d = self.item_dir(name)
            state = load_objects(d, KIND)
        except InputError as exc:  # damaged, foreign or newer: never stops the app
            log.warning("autosave ignored: %s", exc)
            return None
        if state is None:
            return None
        if not isinstance(state, dict) or "session" not in state:
            log.warning("autosave ignored: %s holds no session state", d)
            return None
        return state

    def discard(self, name: str) -> None:
        with contextlib.suppress(InputError):
            shutil.rmtree(self.item_dir(name), ignore_errors=True)

    def mark_clean(self) -> None:
        """Everything on screen is saved (or deliberately dropped): nothing to recover."""
        with contextlib.suppress(FileNotFoundError):
            (self.work_dir / MARKER).unlink()

    def pending_recovery(self) -> Recovery | None:
        path = self.work_dir / MARKER
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not data.get("dirty") or not isinstance(data.get("name"), str):
            return None
        name = data["name"]
        if not self.has(name):
            with contextlib.suppress(InputError):
                ignore_pickles(self.item_dir(name))  # an old autosave.pkl: named in the log, never opened
            return None
        return Recovery(root=str(data.get("root", "")), name=name)

    # ---- flags --------------------------------------------------------------------------
    def flags(self) -> set[str]:
        try:
            data = json.loads((self.work_dir / "flags.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return set()
        return {n for n in data if isinstance(n, str)} if isinstance(data, list) else set()

    def set_flag(self, name: str, flagged: bool) -> None:
        names = self.flags()
        names.add(name) if flagged else names.discard(name)
        write_json(self.work_dir / "flags.json", sorted(names))
