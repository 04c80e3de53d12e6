"""Autosave of the work in progress to the project's work folder, and the crash-recovery marker.

Layout of the work folder:
    recovery.json          {"root": ..., "name": ..., "dirty": true, "pid": ...} while unsaved work exists
    <name>/autosave.pkl    the session state (box, points, rounds, masks, instance) of one image
    <name>/mask.png        the current mask, for humans
    flags.json             names the annotator flagged
Every write is atomic (engine.io.atomic), so a crash leaves the previous autosave intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.io.atomic import write_bytes, write_json, write_mask

MARKER = "recovery.json"


@dataclass
class Recovery:
    root: str
    name: str


class AutosaveStore:
    def __init__(self, work_dir: str | Path) -> None:
        self.work_dir = Path(work_dir)

    def item_dir(self, name: str) -> Path:
        return self.work_dir / name

    def has(self, name: str) -> bool:
        return (self.item_dir(name) / "autosave.pkl").exists()

    def save(self, name: str, root: str, state: dict[str, Any], mask: np.ndarray | None) -> None:
        d = self.item_dir(name)
        write_bytes(d / "autosave.pkl", pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        if mask is not None:
            write_mask(d / "mask.png", mask)
        write_json(self.work_dir / MARKER, {"root": str(root), "name": name, "dirty": True, "pid": os.getpid()})

    def load(self, name: str) -> dict[str, Any] | None:
        path = self.item_dir(name) / "autosave.pkl"
        if not path.exists():
            return None
        try:
            with open(path, "rb") as f:
                return pickle.load(f)  # our own file in the user's work folder
        except Exception:  # noqa: BLE001 - a damaged autosave must never stop the app
            return None

    def discard(self, name: str) -> None:
        shutil.rmtree(self.item_dir(name), ignore_errors=True)

    def mark_clean(self) -> None:
        """Everything on screen is saved (or deliberately dropped): nothing to recover."""
        with contextlib.suppress(FileNotFoundError):
            (self.work_dir / MARKER).unlink()

    def pending_recovery(self) -> Recovery | None:
        path = self.work_dir / MARKER
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not data.get("dirty") or not self.has(str(data.get("name", ""))):
            return None
        return Recovery(root=str(data.get("root", "")), name=str(data["name"]))

    # ---- flags --------------------------------------------------------------------------
    def flags(self) -> set[str]:
        try:
            return set(json.loads((self.work_dir / "flags.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return set()

    def set_flag(self, name: str, flagged: bool) -> None:
        names = self.flags()
        names.add(name) if flagged else names.discard(name)
        write_json(self.work_dir / "flags.json", sorted(names))
