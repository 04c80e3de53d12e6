"""Critique one video frame: the configured critic (settings `critic` section; default the heuristic baseline,
no weights) looks at the frame with one object's mask and box and proposes positive/negative points, exactly as
one round of the image sculpting protocol (engine.sculpt.session.SculptSession.propose: the `sculpt.strategy`
square/direct, anchors_k, max_points). Nothing is applied: the proposals come back PENDING for the annotator to
accept (they become that object's points on the frame) or reject. Qt-free; the GUI runs it on a worker thread."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.types import Anchor, Box, InstanceInfo, Point

MASK_BOX_PAD = 1.3  # no box given: the mask's bounding box grown 30% (the critic looks a little around the mask)


class GivenMaskSegmenter:
    """Not a model: the frame's mask is given (a propagated or painted one), so a critic round needs no segmenter
    call; prepare() is the only method a proposal round uses."""

    name = "given-mask"

    def prepare(self, image: np.ndarray) -> None:
        pass

    def info(self) -> dict:
        return {"name": self.name}


@dataclass
class FrameCritique:
    proposals: list[Point]  # PENDING, source critic, in frame pixels
    anchors: list[Anchor]
    critic: str  # the critic's name (provenance)
    seconds: float
    box: Box | None = None  # the ROI the critic looked at (the given box, or the mask's bounding box)
    errors: list[str] = field(default_factory=list)  # a critic reply that could not be used, one line each

    def to_json(self) -> dict[str, Any]:
        return {"critic": self.critic, "seconds": round(self.seconds, 4),
                "box": self.box.as_list() if self.box is not None else None, "errors": list(self.errors),
                "proposals": [p.to_dict() for p in self.proposals]}


def _settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    from engine.config import defaults
    from engine.settings import deep_merge

    return deep_merge(defaults(), settings or {})


def critique_frame(frame: np.ndarray, mask: np.ndarray, box: Box | None = None, *, label: str = "object",
                   settings: dict[str, Any] | None = None, critic: Any = None) -> FrameCritique:
    """`mask` bool HxW (the object's mask on this frame), `box` its ROI (default: the mask's bounding box, grown by MASK_BOX_PAD).
    `critic`: an already built critic (else built from `settings`). Raises InputError for an empty mask and
    BackendError/CriticUnavailable when the critic cannot be built or cannot answer."""
    from engine.sculpt.params import SculptParams
    from engine.sculpt.runner import build_critic
    from engine.sculpt.session import SculptSession

    mask = np.asarray(mask).astype(bool)
    if mask.shape != frame.shape[:2]:
        raise InputError(f"the mask is {mask.shape[1]}x{mask.shape[0]} px, the frame {frame.shape[1]}x{frame.shape[0]}")
    if not mask.any():
        raise InputError(f"object {label!r}: no mask on this frame to critique (propagate, paint or draw first)")
    h, w = mask.shape
    if box is None or not box.is_valid():
        box = Box.from_mask(mask).scaled(MASK_BOX_PAD)
    full = _settings(settings)
    if critic is None:
        critic = build_critic(full)
    params = SculptParams.from_dict(full["sculpt"])
    t0 = time.perf_counter()
    box = box.clip(w, h)
    session = SculptSession(np.ascontiguousarray(frame), box, GivenMaskSegmenter(), critic,  # type: ignore[arg-type]
                            InstanceInfo(name=label), params, name="frame", initial_mask=mask)
    session.start()
    rnd = session.propose()
    errors = [f"{r.kind}: {r.error}" for r in rnd.replies if getattr(r, "error", None)]
    name = str((critic.info() or {}).get("name", getattr(critic, "name", "critic")))
    return FrameCritique(list(rnd.proposals), list(rnd.anchors), name, time.perf_counter() - t0, box, errors)
