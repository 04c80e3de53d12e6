"""ImageSession's state: capture/restore for the undo history (array references) and the plain
snapshot (JSON + arrays) for autosave. A mixin: ImageSession is the only class that uses it."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.sculpt.history import Entry
from engine.sculpt.objects import ObjectSource, ObjectStatus, SculptObject
from engine.sculpt.persist import ArrayBank, copy_points_rounds, state_from_plain, state_to_plain

SNAPSHOT_FORMAT = "sam-sculpt/image-session"
SNAPSHOT_VERSION = 1


class SessionStateMixin:
    # ---- state -----------------------------------------------------------------------------------------
    def _capture_object(self, o: SculptObject) -> dict[str, Any]:
        c = o.core
        points, rounds = copy_points_rounds(c.points, c.rounds)
        return {
            "id": o.id, "status": o.status.value, "source": o.source.value, "z": o.z, "z_pinned": o.z_pinned,
            "visible": o.visible, "locked": o.locked, "score": o.score,
            "instance": replace(c.instance, synonyms=list(c.instance.synonyms), cues=list(c.instance.cues),
                                distractors=list(c.instance.distractors)),
            "box": c.box, "initial_box": c.initial_box, "mask": c.mask, "initial_mask": c.initial_mask,
            "logits": c.logits, "seg_score": c.score, "paint_on": c.paint.on, "paint_off": c.paint.off,
            "strokes": list(c.paint.strokes), "imported": c._imported_mask, "points": points, "rounds": rounds,
            "round_meta": copy.deepcopy(c.round_meta), "failures": copy.deepcopy(c.failures), "partial": c.partial,
            "step": c.step, "stop_reason": c.stop_reason, "timings": dict(c.timings),
            "views": dict(c.views), "pre_round": dict(c.pre_round),
        }

    def _capture(self) -> dict[str, Any]:
        return {"next_id": self._next_id, "z": self._z, "objects": [self._capture_object(o) for o in self.objects]}

    def _restore_state(self, state: dict[str, Any]) -> None:
        existing = {o.id: o for o in self.objects}
        objects = []
        for st in state["objects"]:
            o = existing.get(st["id"])
            if o is None:
                o = SculptObject(st["id"], self._new_core(st["box"], st["instance"].name))
            self._apply_object_state(o, st)
            objects.append(o)
        self.objects = objects
        self._next_id, self._z = int(state["next_id"]), int(state["z"])

    def _apply_object_state(self, o: SculptObject, st: dict[str, Any]) -> None:
        c = o.core
        o.status, o.source = ObjectStatus(st["status"]), ObjectSource(st["source"])
        o.z, o.z_pinned, o.visible, o.locked, o.score = st["z"], st["z_pinned"], st["visible"], st["locked"], st["score"]
        c.instance = replace(st["instance"], synonyms=list(st["instance"].synonyms), cues=list(st["instance"].cues),
                             distractors=list(st["instance"].distractors))
        c.box, c.initial_box, c.mask, c.initial_mask = st["box"], st["initial_box"], st["mask"], st["initial_mask"]
        if c.mask is None:
            c.mask = np.zeros((self.height, self.width), bool)
        c.logits, c.score = st["logits"], float(st.get("seg_score") or 0.0)
        c.paint.on, c.paint.off, c.paint.strokes = st["paint_on"], st["paint_off"], list(st["strokes"])
        c._imported_mask = st.get("imported")
        c.points, c.rounds = copy_points_rounds(st["points"], st["rounds"])
        c.round_meta, c.failures = copy.deepcopy(st["round_meta"]), copy.deepcopy(st["failures"])
        c.partial, c.step, c.stop_reason = bool(st["partial"]), float(st["step"]), st["stop_reason"]
        c.timings = dict(st["timings"])
        c.views, c.pre_round = dict(st.get("views") or {}), dict(st.get("pre_round") or {})

    def snapshot(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(plain JSON-able dict, arrays) of the current state."""
        bank = ArrayBank()
        return self._plain_header() | {"state": self._state_plain(self._capture(), bank)}, bank.arrays

    def history_snapshot(self, limit: int | None = None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The whole undo history (up to `limit` most recent states) as plain JSON + arrays (shared arrays once)."""
        bank = ArrayBank()
        entries = self.history.entries if limit is None else self.history.entries[-limit:]
        offset = len(self.history.entries) - len(entries)
        plain = [{"state_id": e.state_id, "label": e.label, "object_ids": list(e.object_ids),
                  "state": self._state_plain(e.state, bank)} for e in entries]
        return self._plain_header() | {"history": {"cursor": max(0, self.history.cursor - offset),
                                                   "next_id": self.history._next_id, "entries": plain}}, bank.arrays

    def _plain_header(self) -> dict[str, Any]:
        return {"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "name": self.name,
                "image_size": [self.width, self.height], "labels": self.labels.to_dict()}

    @staticmethod
    def _state_plain(state: dict[str, Any], bank: ArrayBank) -> dict[str, Any]:
        return {"next_id": state["next_id"], "z": state["z"],
                "objects": [state_to_plain(st, bank) for st in state["objects"]]}

    def _check_header(self, plain: dict[str, Any]) -> None:
        if plain.get("format") != SNAPSHOT_FORMAT or plain.get("version") != SNAPSHOT_VERSION:
            raise InputError(f"not an image-session snapshot (format {plain.get('format')!r} version {plain.get('version')!r})")
        if list(plain.get("image_size") or []) != [self.width, self.height]:
            raise InputError(f"snapshot is for a {plain.get('image_size')} image, this one is {self.width}x{self.height}")

    @staticmethod
    def _state_from(d: dict[str, Any], bank: ArrayBank, cache: dict[str, np.ndarray]) -> dict[str, Any]:
        return {"next_id": int(d["next_id"]), "z": int(d["z"]),
                "objects": [state_from_plain(o, bank, cache) for o in d["objects"]]}

    def restore(self, plain: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """From snapshot() (current state; the history restarts there) or history_snapshot() (whole history)."""
        self._check_header(plain)
        bank, cache = ArrayBank(arrays), {}
        self.prepare(force=True)
        if "history" in plain:
            h = plain["history"]
            self.history.entries = [Entry(int(e["state_id"]), str(e["label"]), self._state_from(e["state"], bank, cache),
                                          tuple(e.get("object_ids", []))) for e in h["entries"]]
            if not self.history.entries:
                raise InputError("snapshot history is empty")
            self.history.cursor = min(int(h["cursor"]), len(self.history.entries) - 1)
            self.history._next_id = int(h["next_id"])
        else:
            self.history.reset(self._state_from(plain["state"], bank, cache), "restored")
        self._restore_state(self.history.current.state)
