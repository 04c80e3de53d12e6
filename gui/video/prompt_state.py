"""The video window's prompts: objects (id -> label) and, per frame and object, a box, clicks and/or a painted
mask. Qt-free (the brush pixels come from engine.sculpt.painting.rasterise).

One kind of prompt per object and frame, because the tracker takes a mask OR a box with clicks
(engine.video.prompts.ObjectPrompt): painting replaces that object's box and clicks on the frame; a box or a
click replaces its painted mask. Accepted critic proposals become clicks (with the critiqued box when the frame
had none, so the prompt keeps its ROI)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BoxT = tuple[float, float, float, float]
PointT = tuple[float, float, int]  # x, y, 1 positive / 0 negative


@dataclass
class FramePrompt:
    box: BoxT | None = None
    points: list[PointT] = field(default_factory=list)
    mask: np.ndarray | None = None  # bool HxW, painted (or loaded from the propagated result, then painted)

    def empty(self) -> bool:
        return self.box is None and not self.points and (self.mask is None or not self.mask.any())


class PromptState:
    def __init__(self) -> None:
        self.labels: dict[int, str] = {}  # object id -> label, every object of the window
        self.frames: dict[int, dict[int, FramePrompt]] = {}  # frame index -> object id -> its prompt there
        self.current_id = 1

    # ---- objects ----------------------------------------------------------------------------------
    def new_object(self) -> int:
        """The next prompt goes to a new object (ids 1, 2, ...); the current one is kept if it has no prompt yet."""
        if self.current_id in self.labels or self._prompted(self.current_id):
            self.current_id = max([*self.labels, *self._all_ids(), 0]) + 1
        return self.current_id

    def set_label(self, obj_id: int, label: str) -> None:
        self.labels[obj_id] = label.strip() or "object"

    def label(self, obj_id: int) -> str:
        return self.labels.get(obj_id, "object")

    def _all_ids(self) -> set[int]:
        return {i for per in self.frames.values() for i in per}

    def _prompted(self, obj_id: int) -> bool:
        return any(obj_id in per and not per[obj_id].empty() for per in self.frames.values())

    # ---- prompts ----------------------------------------------------------------------------------
    def at(self, frame: int, obj_id: int) -> FramePrompt:
        return self.frames.setdefault(frame, {}).setdefault(obj_id, FramePrompt())

    def get(self, frame: int, obj_id: int) -> FramePrompt | None:
        return self.frames.get(frame, {}).get(obj_id)

    def on_frame(self, frame: int) -> dict[int, FramePrompt]:
        return {i: p for i, p in sorted(self.frames.get(frame, {}).items()) if not p.empty()}

    def set_box(self, frame: int, obj_id: int, box: BoxT) -> FramePrompt:
        p = self.at(frame, obj_id)
        p.box, p.mask = tuple(float(v) for v in box), None  # type: ignore[assignment]
        return p

    def add_point(self, frame: int, obj_id: int, x: float, y: float, positive: bool) -> FramePrompt:
        p = self.at(frame, obj_id)
        p.points.append((float(x), float(y), 1 if positive else 0))
        p.mask = None
        return p

    def set_mask(self, frame: int, obj_id: int, mask: np.ndarray) -> FramePrompt:
        p = self.at(frame, obj_id)
        p.mask, p.box, p.points = mask.astype(bool).copy(), None, []
        return p

    def paint(self, frame: int, obj_id: int, stroke: list[tuple[float, float]], radius: float, erase: bool,
              shape: tuple[int, int]) -> FramePrompt:
        from engine.sculpt.painting import Stroke, rasterise

        p = self.at(frame, obj_id)
        base = p.mask if p.mask is not None and p.mask.shape == shape else np.zeros(shape, bool)
        pix = rasterise(Stroke(tuple(stroke), float(radius), erase), shape)
        return self.set_mask(frame, obj_id, (base & ~pix) if erase else (base | pix))

    def accept_points(self, frame: int, obj_id: int, points: list[PointT], box: BoxT | None) -> FramePrompt:
        p = self.at(frame, obj_id)
        if p.box is None and box is not None:
            p.box = tuple(float(v) for v in box)  # type: ignore[assignment]
        p.points.extend((float(x), float(y), int(lab)) for x, y, lab in points)
        p.mask = None
        return p

    def clear(self, frame: int, obj_id: int) -> None:
        self.frames.get(frame, {}).pop(obj_id, None)

    def object_prompts(self, frame: int, keep: dict[int, np.ndarray] | None = None) -> list:
        """ObjectPrompts of `frame` (engine.video.prompts); `keep`: masks (e.g. the propagated result there) for
        objects that have no prompt on this frame, so a correction keeps tracking them."""
        from engine.types import Box
        from engine.video.prompts import ObjectPrompt

        out = []
        prompts = self.on_frame(frame)
        for obj_id, p in prompts.items():
            if p.mask is not None:
                out.append(ObjectPrompt(obj_id, self.label(obj_id), mask=p.mask))
            else:
                out.append(ObjectPrompt(obj_id, self.label(obj_id), box=Box(*p.box) if p.box else None,
                                        points=list(p.points)))
        for obj_id, m in sorted((keep or {}).items()):
            if obj_id not in prompts and m.any():
                out.append(ObjectPrompt(obj_id, self.label(obj_id), mask=m))
        return sorted(out, key=lambda o: o.obj_id)
