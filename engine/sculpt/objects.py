"""One object of an image: an id, a class label, flags, and its per-object sculpting core
(engine.sculpt.session.SculptSession: box, points with provenance, rounds, mask, critic rounds)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from engine.sculpt.session import SculptSession
from engine.types import Box, Point, Round


class ObjectStatus(str, Enum):
    ACTIVE = "active"  # a real object: exported, in the instance map
    PENDING = "pending"  # a "find all <label>" candidate waiting for AcceptObject / RejectObject


class ObjectSource(str, Enum):
    BOX = "box"  # drawn or read from a box file
    FIND_ALL = "find_all"  # a text-capable segmenter's candidate
    LOCATE = "locate"  # a VLM grounding box
    MASK = "mask"  # an imported mask


@dataclass
class SculptObject:
    id: int  # unique within the image, never reused (1, 2, ...)
    core: SculptSession
    status: ObjectStatus = ObjectStatus.ACTIVE
    source: ObjectSource = ObjectSource.BOX
    z: int = 0  # instance-map order: higher is on top
    z_pinned: bool = False  # set by SetZOrder: edits no longer raise the object to the top
    visible: bool = True  # display only: hidden objects are still exported
    locked: bool = False  # a locked object refuses every edit command
    score: float | None = None  # a find-all candidate's score

    @property
    def label(self) -> str:
        return self.core.instance.name

    @label.setter
    def label(self, value: str) -> None:
        self.core.instance.name = value

    @property
    def box(self) -> Box:
        return self.core.box

    @property
    def mask(self) -> np.ndarray:
        return self.core.mask

    @property
    def points(self) -> list[Point]:
        return self.core.points

    @property
    def rounds(self) -> list[Round]:
        return self.core.rounds

    @property
    def started(self) -> bool:
        return self.core.started

    @property
    def active(self) -> bool:
        return self.status is ObjectStatus.ACTIVE


def instance_map(objects: list[SculptObject], shape: tuple[int, int]) -> np.ndarray:
    """uint16 (H, W): 0 = background, k = the k-th ACTIVE object in id order (= k-th entry of sculpt.json
    `objects`). Overlaps: the object with the higher z wins (ties: the higher id); z follows the
    last-edited object unless the annotator pinned an order with SetZOrder."""
    out = np.zeros(shape, np.uint16)
    active = [o for o in sorted(objects, key=lambda o: o.id) if o.active and o.started]
    rank = {o.id: k + 1 for k, o in enumerate(active)}
    for o in sorted(active, key=lambda o: (o.z, o.id)):
        out[o.mask] = rank[o.id]
    return out


def union_mask(objects: list[SculptObject], shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape, bool)
    for o in objects:
        if o.active and o.started:
            out |= o.mask
    return out
