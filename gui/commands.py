"""Typed commands from the UI to the engine worker: one frozen dataclass per command, each mapped
to exactly one handler of gui.worker.EngineWorker (`HANDLERS`). The UI builds a command and calls
`WorkerThread.submit(cmd)`; nothing crosses the thread boundary as a string op name. The worker
turns the editing ones into the engine's own commands (engine.sculpt.commands) on its ImageSession.
`object_id=None` means the selected object.

`command_from_name()` keeps the old `submit("op", **kwargs)` form working for scripts and
benchmarks: it builds the same dataclass (unknown names or fields fail at once, in the caller)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.io.dataset import DatasetItem


@dataclass(frozen=True)
class Command:
    """Base class; `undoable` commands produce a new state on the UI's undo stack."""


@dataclass(frozen=True)
class Configure(Command):
    settings: dict[str, Any]


@dataclass(frozen=True)
class Open(Command):
    item: DatasetItem
    root: str
    next_item: DatasetItem | None = None


@dataclass(frozen=True)
class AddObject(Command):
    """A new object from a box drawn on the canvas (B, or the first box of an image)."""

    box: tuple[float, float, float, float]
    label: str | None = None


@dataclass(frozen=True)
class SelectObject(Command):
    object_id: int | None


@dataclass(frozen=True)
class DeleteObject(Command):
    object_id: int | None = None


@dataclass(frozen=True)
class RelabelObject(Command):
    label: str
    object_id: int | None = None


@dataclass(frozen=True)
class SetVisible(Command):
    visible: bool
    object_id: int | None = None


@dataclass(frozen=True)
class SetLocked(Command):
    locked: bool
    object_id: int | None = None


@dataclass(frozen=True)
class MoveObject(Command):
    """Reorder: step +1 draws the object above the next one (it wins their overlap), -1 below."""

    step: int
    object_id: int | None = None


@dataclass(frozen=True)
class SetBox(Command):
    box: tuple[float, float, float, float]
    object_id: int | None = None


@dataclass(frozen=True)
class Run(Command):
    from_box: bool = False  # True: re-run from the box, forgetting brush/eraser edits
    object_id: int | None = None


@dataclass(frozen=True)
class AddPoint(Command):
    x: float
    y: float
    positive: bool
    object_id: int | None = None


@dataclass(frozen=True)
class MovePoint(Command):
    id: str
    x: float
    y: float
    object_id: int | None = None


@dataclass(frozen=True)
class FlipPoint(Command):
    id: str
    object_id: int | None = None


@dataclass(frozen=True)
class RemovePoints(Command):
    ids: tuple[str, ...]
    object_id: int | None = None


@dataclass(frozen=True)
class Decide(Command):
    ids: tuple[str, ...]
    decision: str  # "accept" | "reject"
    object_id: int | None = None


@dataclass(frozen=True)
class Paint(Command):
    """A brush/eraser stroke (image pixels, radius): the engine paints it onto the mask it holds at
    that moment, so a stroke queued behind a refine never overwrites the refined mask."""

    points: tuple[tuple[float, float], ...]
    radius: float
    erase: bool = False
    object_id: int | None = None


@dataclass(frozen=True)
class SetStyle(Command):
    """How the worker renders the mask overlay (outline on/off)."""

    outline: bool


@dataclass(frozen=True)
class SetMask(Command):
    """Replace the selected object's mask (or make a new object from it)."""

    mask: np.ndarray = field(compare=False)
    label: str = "brush stroke"
    object_id: int | None = None


@dataclass(frozen=True)
class SetInstance(Command):
    name: str


@dataclass(frozen=True)
class Propose(Command):
    object_id: int | None = None


@dataclass(frozen=True)
class Apply(Command):
    object_id: int | None = None


@dataclass(frozen=True)
class Auto(Command):
    rounds: int
    all_objects: bool = False


@dataclass(frozen=True)
class KeepRound(Command):
    """The annotator's answer to a verdict: keep (True) or revert (False) the last applied round."""

    keep: bool
    object_id: int | None = None


@dataclass(frozen=True)
class Restore(Command):
    state_id: int


@dataclass(frozen=True)
class Save(Command):
    out_dir: str


@dataclass(frozen=True)
class DiscardAutosave(Command):
    name: str


@dataclass(frozen=True)
class Export(Command):
    format: str
    out_dir: str
    simplify: float = 0.0


@dataclass(frozen=True)
class EditLocalise(Command):
    target: str


@dataclass(frozen=True)
class EditInpaint(Command):
    prompt: str
    options: dict[str, Any]


@dataclass(frozen=True)
class EditAccept(Command):
    out_dir: str


@dataclass(frozen=True)
class EditDiscard(Command):
    pass


@dataclass(frozen=True)
class Slow(Command):
    """A deliberately slow job (responsiveness checks)."""

    seconds: float


@dataclass(frozen=True)
class Call(Command):
    """Run a callable on the worker thread (benchmarks: a real model call)."""

    fn: Any = field(compare=False)


# the old op names -> the command classes (for submit("op", **kwargs))
BY_NAME: dict[str, type[Command]] = {
    "configure": Configure, "open": Open, "add_object": AddObject, "select_object": SelectObject,
    "delete_object": DeleteObject, "relabel_object": RelabelObject, "set_visible": SetVisible,
    "set_locked": SetLocked, "move_object": MoveObject, "set_style": SetStyle, "set_box": SetBox, "run": Run, "add_point": AddPoint,
    "move_point": MovePoint, "flip_point": FlipPoint, "remove_points": RemovePoints, "decide": Decide,
    "paint": Paint, "set_mask": SetMask, "set_instance": SetInstance, "propose": Propose, "apply": Apply,
    "auto": Auto, "keep_round": KeepRound, "restore": Restore, "save": Save,
    "discard_autosave": DiscardAutosave, "export": Export, "edit_localise": EditLocalise,
    "edit_inpaint": EditInpaint, "edit_accept": EditAccept, "edit_discard": EditDiscard, "slow": Slow,
    "call": Call,
}
NAMES: dict[type[Command], str] = {cls: name for name, cls in BY_NAME.items()}


def command_from_name(op: str, **kwargs: Any) -> Command:
    cls = BY_NAME.get(op)
    if cls is None:
        raise KeyError(f"unknown worker command {op!r}")
    for key in ("ids",):
        if key in kwargs and not isinstance(kwargs[key], tuple):
            kwargs[key] = tuple(kwargs[key])
    return cls(**kwargs)


def name_of(cmd: Command) -> str:
    return NAMES.get(type(cmd), type(cmd).__name__)
