"""ImageSession: one image, its prepared segmenter (the embedding is computed once), and its objects.

Every edit is a typed command (engine.sculpt.commands) with one handler here; `execute(cmd)` runs it
and records one undo step (engine.sculpt.history). `iter_rounds(n)` is the one orchestration of
critic rounds (CLI, batch, bench, the GUI's Auto). `view()` gives frozen views for drawing,
`snapshot()`/`restore()` plain JSON + arrays (autosave: engine.sculpt.autosave). Qt-free.

One segmenter serves one open ImageSession at a time: after using it for another image, call
prepare(force=True) (restore() does)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.errors import BackendError, InputError
from engine.sculpt import commands as C
from engine.sculpt.history import Entry, History
from engine.sculpt.labels import LabelList
from engine.sculpt.objects import ObjectSource, ObjectStatus, SculptObject, instance_map, union_mask
from engine.sculpt.painting import Stroke
from engine.sculpt.params import SculptParams
from engine.sculpt.session import SculptSession
from engine.sculpt.session_rounds import SessionRoundsMixin
from engine.sculpt.session_state import SessionStateMixin
from engine.sculpt.views import SessionView, object_view
from engine.types import Box, InstanceInfo, PointLabel, PointStatus


@dataclass(frozen=True)
class Change:
    """What execute/undo/redo did: the new state's id, its label, the objects touched, a created object."""

    state_id: int
    label: str
    object_ids: tuple[int, ...] = ()
    created: int | None = None


class LockedError(InputError):
    pass


class ImageSession(SessionRoundsMixin, SessionStateMixin):
    def __init__(self, image: np.ndarray, segmenter: Any, critic: Any = None, params: SculptParams | None = None,
                 name: str = "image", instance: InstanceInfo | None = None, labels: LabelList | None = None) -> None:
        self.image = image
        self.height, self.width = image.shape[:2]
        self.segmenter = segmenter
        self.critic = critic
        self.params = params or SculptParams()
        self.name = name
        self.default_instance = instance or InstanceInfo()
        self.labels = labels or LabelList()
        self.objects: list[SculptObject] = []
        self.timings: dict[str, float] = {}
        self.listeners: list[Callable[[Change], None]] = []  # called after every execute / undo / redo
        self._next_id = 1
        self._z = 0
        self._prepared = False
        self._handlers: dict[type, Callable[[Any], tuple[int, ...] | int | None]] = {
            C.AddObject: self._add_object, C.DeleteObject: self._delete_object, C.RelabelObject: self._relabel,
            C.SetZOrder: self._set_z, C.SetVisible: self._set_visible, C.SetLocked: self._set_locked,
            C.AcceptObject: self._accept_object, C.RejectObject: self._delete_object, C.FindAll: self._find_all,
            C.SetBox: self._set_box, C.AddPoint: self._add_point, C.MovePoint: self._move_point,
            C.FlipPoint: self._flip_point, C.DeletePoint: self._delete_point, C.ProposeRound: self._propose,
            C.AcceptProposal: self._accept_proposal, C.RejectProposal: self._reject_proposal,
            C.ApplyRound: self._apply_round, C.RevertRound: self._revert_round, C.Refine: self._refine,
            C.PaintStroke: self._paint, C.ImportMask: self._import_mask,
        }
        self.history = History()
        self.history.reset(self._capture(), "open")

    # ---- set-up --------------------------------------------------------------------------------
    def prepare(self, force: bool = False) -> None:
        if force or not self._prepared:
            t = time.perf_counter()
            self.segmenter.prepare(self.image)
            self.timings["prepare"] = self.timings.get("prepare", 0.0) + time.perf_counter() - t
            self._prepared = True
            for o in self.objects:
                o.core._prepared = True

    def _new_core(self, box: Box, label: str | None, initial_mask: np.ndarray | None = None) -> SculptSession:
        self.prepare()
        name = label or self.default_label()
        inst = replace(self.default_instance) if name == self.default_instance.name else InstanceInfo(name=name)
        core = SculptSession(self.image, box, self.segmenter, self._object_critic(box, initial_mask), inst, self.params,
                             name=self.name, initial_mask=initial_mask)
        core._prepared = True
        return core

    def _object_critic(self, box: Box, initial_mask: np.ndarray | None) -> Any:
        """The critic of a new object: a critic with per-object GT (the oracle built with GT instances) is bound
        to the object's GT instance (`for_object`); any other critic is shared as it is."""
        bind = getattr(type(self.critic), "for_object", None)
        return bind(self.critic, box, initial_mask) if callable(bind) else self.critic

    def default_label(self) -> str:
        """llm_out's instance name; with a label list and a generic default name, the list's first class."""
        if self.labels.names and self.default_instance.name in ("", "object"):
            return self.labels.names[0]
        return self.default_instance.name

    # ---- objects ---------------------------------------------------------------------------------
    def object(self, object_id: int) -> SculptObject:
        for o in self.objects:
            if o.id == object_id:
                return o
        raise InputError(f"{self.name}: no object {object_id}")

    @property
    def active_objects(self) -> list[SculptObject]:
        return [o for o in self.objects if o.active]

    @property
    def pending_objects(self) -> list[SculptObject]:
        return [o for o in self.objects if o.status is ObjectStatus.PENDING]

    def instance_map(self) -> np.ndarray:
        return instance_map(self.objects, (self.height, self.width))

    def union_mask(self) -> np.ndarray:
        return union_mask(self.objects, (self.height, self.width))

    # ---- commands ------------------------------------------------------------------------------
    def execute(self, cmd: C.Command) -> Change:
        handler = self._handlers.get(type(cmd))
        if handler is None:
            raise InputError(f"unknown command {type(cmd).__name__}")
        oid = getattr(cmd, "object_id", None)
        if oid is not None and not isinstance(cmd, C.SetLocked) and self.object(oid).locked:
            raise LockedError(f"object {oid} ({self.object(oid).label}) is locked")
        try:
            touched = handler(cmd)
        except Exception:
            self._restore_state(self.history.current.state)  # a failed command leaves no half-done edit
            raise
        created = touched if isinstance(touched, int) and isinstance(cmd, (C.AddObject, C.ImportMask)) else None
        ids = (touched,) if isinstance(touched, int) else tuple(touched or ((oid,) if oid is not None else ()))
        return self._commit(cmd.label, ids, created)

    def _commit(self, label: str, ids: tuple[int, ...], created: int | None = None) -> Change:
        entry = self.history.push(self._capture(), label, ids)
        return self._notify(Change(entry.state_id, label, ids, created))

    def _notify(self, change: Change) -> Change:
        for fn in list(self.listeners):
            fn(change)
        return change

    def undo(self) -> Change | None:
        return self._jump(self.history.undo(), "undo")

    def redo(self) -> Change | None:
        return self._jump(self.history.redo(), "redo")

    def goto(self, state_id: int) -> Change | None:
        return self._jump(self.history.goto(state_id), "goto")

    def _jump(self, entry: Entry | None, what: str) -> Change | None:
        if entry is None:
            return None
        self._restore_state(entry.state)
        return self._notify(Change(entry.state_id, f"{what}: {entry.label}", entry.object_ids))

    @property
    def state_id(self) -> int:
        return self.history.current.state_id if self.history.current else 0

    # convenience wrappers (each one command = one undo step)
    def add_object(self, box: Box, label: str | None = None, start: bool = True) -> int:
        return self.execute(C.AddObject(box, label, start)).created  # type: ignore[return-value]

    def paint(self, object_id: int, stroke: list[tuple[float, float]], radius: float, erase: bool = False) -> Change:
        return self.execute(C.PaintStroke(object_id, tuple((float(x), float(y)) for x, y in stroke), float(radius), erase))

    # ---- handlers (return the touched object id(s)) ---------------------------------------------------
    def _touch(self, o: SculptObject, new: bool = False) -> None:
        """Last edited on top, until the annotator sets an order (SetZOrder): then edits keep it and
        only new objects go on top."""
        if new or not any(x.z_pinned for x in self.objects):
            self._z += 1
            o.z = self._z

    def _add_object(self, cmd: C.AddObject) -> int:
        box = self._valid_box(cmd.box)
        init = None if cmd.initial_mask is None else np.asarray(cmd.initial_mask).astype(bool)
        if init is not None and init.shape != (self.height, self.width):
            raise InputError(f"initial mask is {init.shape[::-1]}, the image {self.width}x{self.height}")
        o = SculptObject(self._next_id, self._new_core(box, cmd.label_name, init))
        self._next_id += 1
        self.objects.append(o)
        self._touch(o, new=True)
        if cmd.start:
            o.core.start()
        return o.id

    def _valid_box(self, box: Box) -> Box:
        b = box.clip(self.width, self.height)
        if not b.is_valid() or b.width < 2 or b.height < 2:
            raise InputError(f"{self.name}: box {box.as_list()} is empty or outside the {self.width}x{self.height} image")
        return b

    def _delete_object(self, cmd: C.DeleteObject | C.RejectObject) -> int:
        o = self.object(cmd.object_id)
        self.objects.remove(o)
        return o.id

    def _relabel(self, cmd: C.RelabelObject) -> int:
        name = cmd.label_name.strip()
        if not name:
            raise InputError("a label cannot be empty")
        self.object(cmd.object_id).label = name
        return cmd.object_id

    def _set_z(self, cmd: C.SetZOrder) -> int:
        o = self.object(cmd.object_id)
        o.z, o.z_pinned = int(cmd.z), True
        self._z = max(self._z, o.z)
        return o.id

    def _set_visible(self, cmd: C.SetVisible) -> int:
        self.object(cmd.object_id).visible = bool(cmd.visible)
        return cmd.object_id

    def _set_locked(self, cmd: C.SetLocked) -> int:
        self.object(cmd.object_id).locked = bool(cmd.locked)
        return cmd.object_id

    def _accept_object(self, cmd: C.AcceptObject) -> int:
        o = self.object(cmd.object_id)
        o.status = ObjectStatus.ACTIVE
        self._touch(o)
        return o.id

    def _find_all(self, cmd: C.FindAll) -> tuple[int, ...]:
        fn = getattr(self.segmenter, "find_all", None)
        if fn is None:
            raise BackendError(f"segmenter '{getattr(self.segmenter, 'name', '?')}' cannot find objects by text "
                               "(use a text-capable segmenter such as sam3)")
        self.prepare()
        found = fn(self.image, cmd.text)
        ids = []
        for f in found:
            mask = np.asarray(f.mask, bool)
            box = f.box if f.box is not None else Box.from_mask(mask)
            if box is None or not mask.any():
                continue
            o = SculptObject(self._next_id, self._new_core(self._valid_box(box), cmd.label_name or cmd.text, mask),
                             status=ObjectStatus.PENDING, source=ObjectSource.FIND_ALL, score=float(f.score))
            o.core.start()
            self._next_id += 1
            self.objects.append(o)
            self._touch(o, new=True)
            ids.append(o.id)
        return tuple(ids)

    def _set_box(self, cmd: C.SetBox) -> int:
        """A new box replaces the object's prompt (as in ISAT / X-AnyLabeling): the segmentation starts fresh
        from it. The old mask is no longer the mask prompt (GrabCut took it as its initial labels and gave an
        empty mask for a box moved onto another object; SAM took its logits), painted pixels are forgotten,
        and clicks outside the new box are dropped (a positive one would widen the box back over the old
        object); clicks inside it are kept. Undo restores the old box, mask, points and paint."""
        o = self.object(cmd.object_id)
        box = self._valid_box(cmd.box)
        c = o.core
        c.set_box(box)
        c.points = [p for p in c.points if box.contains(p.x, p.y)]
        c.logits, c._imported_mask = None, None
        c.paint.clear()
        if cmd.refine:
            self._segment(o, from_box=True)
        return o.id

    def _segment(self, o: SculptObject, from_box: bool = False) -> None:
        if o.core.started:
            o.core.refine(from_box=from_box)
        else:
            o.core.start()
        self._touch(o)

    def _add_point(self, cmd: C.AddPoint) -> int:
        o = self.object(cmd.object_id)
        if not (0 <= cmd.x < self.width and 0 <= cmd.y < self.height):
            raise InputError(f"point ({cmd.x:.0f}, {cmd.y:.0f}) is outside the {self.width}x{self.height} image")
        o.core.add_point(cmd.x, cmd.y, PointLabel.POS if cmd.positive else PointLabel.NEG)
        self._segment(o)
        return o.id

    def _point(self, o: SculptObject, point_id: str):
        try:
            return o.core.point(point_id)
        except KeyError:
            raise InputError(f"object {o.id}: no point {point_id}") from None

    def _move_point(self, cmd: C.MovePoint) -> int:
        o = self.object(cmd.object_id)
        p = self._point(o, cmd.point_id)
        o.core.move(cmd.point_id, cmd.x, cmd.y)
        if p.status is PointStatus.ACCEPTED:
            self._segment(o)
        return o.id

    def _flip_point(self, cmd: C.FlipPoint) -> int:
        o = self.object(cmd.object_id)
        p = self._point(o, cmd.point_id)
        o.core.flip(cmd.point_id)
        if p.status is PointStatus.ACCEPTED:
            self._segment(o)
        return o.id

    def _delete_point(self, cmd: C.DeletePoint) -> int:
        o = self.object(cmd.object_id)
        points = [self._point(o, i) for i in cmd.point_ids]
        for p in points:
            o.core.remove_point(p.id)
        if any(p.status is PointStatus.ACCEPTED for p in points):
            self._segment(o)
        return o.id

    def _refine(self, cmd: C.Refine) -> int:
        o = self.object(cmd.object_id)
        self._segment(o, from_box=cmd.from_box)
        return o.id

    def _paint(self, cmd: C.PaintStroke) -> int:
        o = self.object(cmd.object_id)
        if cmd.radius <= 0 or not cmd.points:
            raise InputError("a stroke needs points and a radius > 0")
        o.core.paint_stroke(Stroke(tuple(cmd.points), float(cmd.radius), bool(cmd.erase), time.time()))
        self._touch(o)
        return o.id

    def _import_mask(self, cmd: C.ImportMask) -> int:
        mask = np.asarray(cmd.mask).astype(bool)
        if mask.shape != (self.height, self.width):
            raise InputError(f"imported mask is {mask.shape[::-1]}, the image {self.width}x{self.height}")
        if cmd.object_id is None:
            box = Box.from_mask(mask)
            if box is None:
                raise InputError("the imported mask is empty")
            o = SculptObject(self._next_id, self._new_core(box, cmd.label_name, mask), source=ObjectSource.MASK)
            self._next_id += 1
            self.objects.append(o)
            self._touch(o, new=True)
            o.core.start()
        else:
            o = self.object(cmd.object_id)
            o.core.set_mask(mask, as_prompt=True)
            if cmd.label_name:
                o.label = cmd.label_name
        self._touch(o)
        return o.id

    # ---- drawing ------------------------------------------------------------------------------------
    def view(self) -> SessionView:
        cur = self.history.current
        undo = self.history.entries[self.history.cursor].label if self.history.can_undo else ""
        redo = self.history.entries[self.history.cursor + 1].label if self.history.can_redo else ""
        return SessionView(self.name, cur.state_id if cur else 0, self.width, self.height,
                           tuple(object_view(o, self.labels.colour(o.label)) for o in self.objects),
                           tuple(self.labels.names), self.history.can_undo, self.history.can_redo, undo, redo)
