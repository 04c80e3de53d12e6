"""What the worker sends the UI: frozen views copied out of the engine's session (no live engine
objects cross the thread boundary, and the UI cannot change them by accident)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.sculpt.views import PointView, RoundFigures, SquarePlace  # the engine's frozen views


@dataclass(frozen=True)
class SquareView(SquarePlace):  # anchor_id, x0, y0, side
    inner: np.ndarray = field(compare=False)
    reason: str = ""  # the critic's words for this anchor's square


@dataclass(frozen=True)
class VerdictView:
    outcome: str  # better | worse | same
    reason: str
    confidence: float
    backend: str
    error: str | None = None
    suggest_keep: bool = True  # the verdict's suggestion (a "worse" verdict suggests reverting)
    decided: bool = False  # the annotator (or auto mode) has kept or reverted the round


@dataclass(frozen=True)
class RoundView(RoundFigures):  # index, proposals, applied, iou, area_before, area_after
    abstain_reason: str = ""  # why the critic proposed nothing (empty when it proposed points)
    verdict: VerdictView | None = None
    reverted: bool = False


@dataclass(frozen=True)
class ObjectRow:
    """One object of the image, for the Objects dock and for picking on the canvas."""

    id: int
    label: str
    colour: tuple[int, int, int]
    visible: bool
    locked: bool
    z: int
    status: str  # active | pending
    area: int
    box: tuple[float, float, float, float]
    mask: np.ndarray | None = field(compare=False)  # read-only view of the engine's mask
    painted: bool = False


@dataclass(frozen=True)
class Snapshot:
    """Everything the UI draws for one image, copied out of the session."""

    name: str
    state_id: int
    parent_id: int | None  # the state before the change (None: not an undoable change)
    label: str  # what changed, for the undo stack
    box: tuple[float, float, float, float] | None
    mask: np.ndarray | None = field(compare=False)
    points: tuple[PointView, ...]
    anchors: tuple[tuple[int, float, float], ...]
    squares: tuple[SquareView, ...]
    rounds: tuple[RoundView, ...]
    instance: str
    segmenter: str
    critic: str
    notice: str = ""  # a warning for the annotator (e.g. the segmenter returned an empty mask)
    overlay: object | None = field(default=None, compare=False)  # QImage of the mask, rendered on the worker
    overlay_style: object | None = None  # the gui.canvas.render.OverlayStyle it was rendered in
    objects: tuple[ObjectRow, ...] = ()
    selected: int | None = None  # the object the box/mask/points/rounds above belong to
    labels: tuple[str, ...] = ()  # the label list (labels.txt / settings) for the relabel combo
    painted: bool = False  # the selected object's brush/eraser edits are kept through the next clicks
    history: tuple[tuple[int, str], ...] = ()  # on open / recovery: the engine's undo history to mirror


@dataclass(frozen=True)
class LoadedImage:
    name: str
    image: np.ndarray = field(compare=False)
    resumed: bool
    qimage: object | None = field(default=None, compare=False)  # the image as a QImage, made on the worker
