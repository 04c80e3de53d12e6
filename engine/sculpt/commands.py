"""The engine's commands: one frozen dataclass per edit, each with exactly one handler in
ImageSession (engine.sculpt.image_session). The GUI sends these (through its worker) instead of
string op names; every executed command is one undo step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.types import Box

Pt = tuple[float, float]


@dataclass(frozen=True)
class Command:
    """Base class. `label` is what the undo stack shows."""

    @property
    def label(self) -> str:
        return type(self).__name__


# ---- objects -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AddObject(Command):
    box: Box
    label_name: str | None = None  # None: the image's default label (llm_out instance / first of labels.txt)
    start: bool = True  # segment at once (box-only mask, or initial_mask)
    initial_mask: np.ndarray | None = None  # start from this mask instead of the box-only one (--init-mask)

    @property
    def label(self) -> str:
        return "add object"


@dataclass(frozen=True)
class DeleteObject(Command):
    object_id: int

    @property
    def label(self) -> str:
        return "delete object"


@dataclass(frozen=True)
class RelabelObject(Command):
    object_id: int
    label_name: str

    @property
    def label(self) -> str:
        return "relabel object"


@dataclass(frozen=True)
class SetZOrder(Command):
    """z: higher is drawn on top and wins overlaps in the instance map; pins the order."""

    object_id: int
    z: int

    @property
    def label(self) -> str:
        return "reorder objects"


@dataclass(frozen=True)
class SetVisible(Command):
    object_id: int
    visible: bool

    @property
    def label(self) -> str:
        return "show object" if self.visible else "hide object"


@dataclass(frozen=True)
class SetLocked(Command):
    object_id: int
    locked: bool

    @property
    def label(self) -> str:
        return "lock object" if self.locked else "unlock object"


@dataclass(frozen=True)
class AcceptObject(Command):
    """A pending find-all candidate becomes a real object."""

    object_id: int

    @property
    def label(self) -> str:
        return "accept object"


@dataclass(frozen=True)
class RejectObject(Command):
    """A pending find-all candidate is dropped."""

    object_id: int

    @property
    def label(self) -> str:
        return "reject object"


@dataclass(frozen=True)
class FindAll(Command):
    """Every instance of `text` from a text-capable segmenter, as PENDING objects labelled `label_name`."""

    text: str
    label_name: str | None = None

    @property
    def label(self) -> str:
        return f"find all '{self.text}'"


# ---- box and points --------------------------------------------------------------------------
@dataclass(frozen=True)
class SetBox(Command):
    object_id: int
    box: Box
    refine: bool = True

    @property
    def label(self) -> str:
        return "ROI box"


@dataclass(frozen=True)
class AddPoint(Command):
    object_id: int
    x: float
    y: float
    positive: bool = True

    @property
    def label(self) -> str:
        return "add point"


@dataclass(frozen=True)
class MovePoint(Command):
    object_id: int
    point_id: str
    x: float
    y: float

    @property
    def label(self) -> str:
        return "move point"


@dataclass(frozen=True)
class FlipPoint(Command):
    object_id: int
    point_id: str

    @property
    def label(self) -> str:
        return "flip point"


@dataclass(frozen=True)
class DeletePoint(Command):
    object_id: int
    point_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return "delete point" if len(self.point_ids) == 1 else f"delete {len(self.point_ids)} points"


# ---- critic rounds ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ProposeRound(Command):
    object_id: int

    @property
    def label(self) -> str:
        return "propose round"


@dataclass(frozen=True)
class AcceptProposal(Command):
    object_id: int
    point_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return "accept proposal" if len(self.point_ids) == 1 else f"accept {len(self.point_ids)} proposals"


@dataclass(frozen=True)
class RejectProposal(Command):
    object_id: int
    point_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return "reject proposal" if len(self.point_ids) == 1 else f"reject {len(self.point_ids)} proposals"


@dataclass(frozen=True)
class ApplyRound(Command):
    """Apply the latest round (accepted proposals to the segmenter, pending ones rejected); the verdict is
    recorded (settings sculpt.verdict != off) and the GUI offers RevertRound."""

    object_id: int

    @property
    def label(self) -> str:
        return "apply round"


@dataclass(frozen=True)
class RevertRound(Command):
    """Back to the mask before the latest applied round (the verdict's "worse" suggestion, or the annotator's)."""

    object_id: int

    @property
    def label(self) -> str:
        return "revert round"


@dataclass(frozen=True)
class Refine(Command):
    """Re-run the segmenter; from_box=True forgets painted pixels and the mask prompt (start from the box)."""

    object_id: int
    from_box: bool = False

    @property
    def label(self) -> str:
        return "re-run from the box" if self.from_box else "run segmenter"


# ---- direct mask edits ------------------------------------------------------------------------
@dataclass(frozen=True)
class PaintStroke(Command):
    object_id: int
    points: tuple[Pt, ...]
    radius: float
    erase: bool = False

    @property
    def label(self) -> str:
        return "eraser stroke" if self.erase else "brush stroke"


@dataclass(frozen=True, eq=False)
class ImportMask(Command):
    """A mask from a file or a tool (Localise, an importer): into object_id, or a new object when None."""

    mask: np.ndarray
    object_id: int | None = None
    label_name: str | None = None
    source: str = ""

    @property
    def label(self) -> str:
        return "import mask"


ALL_COMMANDS = (AddObject, DeleteObject, RelabelObject, SetZOrder, SetVisible, SetLocked, AcceptObject, RejectObject,
                FindAll, SetBox, AddPoint, MovePoint, FlipPoint, DeletePoint, ProposeRound, AcceptProposal,
                RejectProposal, ApplyRound, RevertRound, Refine, PaintStroke, ImportMask)
