"""Plain data types shared by every part of the engine (no Qt, no model code)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np


class PointLabel(str, Enum):
    POS = "pos"
    NEG = "neg"

    def flipped(self) -> PointLabel:
        return PointLabel.NEG if self is PointLabel.POS else PointLabel.POS


class PointSource(str, Enum):
    HUMAN = "human"
    CRITIC = "critic"
    AUTO = "auto"


class PointStatus(str, Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Intent(str, Enum):
    FIX_LEAK = "fix_leak"
    RECOVER_MISS = "recover_miss"


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in image pixels; x1/y1 are exclusive-ish edges (x0 < x1, y0 < y1)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def short_side(self) -> float:
        return min(self.width, self.height)

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)

    def is_valid(self) -> bool:
        return self.x1 > self.x0 and self.y1 > self.y0

    def clip(self, width: int, height: int) -> Box:
        return Box(
            min(max(self.x0, 0.0), float(width)),
            min(max(self.y0, 0.0), float(height)),
            min(max(self.x1, 0.0), float(width)),
            min(max(self.y1, 0.0), float(height)),
        )

    def scaled(self, factor: float) -> Box:
        """The box grown (factor > 1) or shrunk about its centre."""
        cx, cy = self.center
        hw, hh = self.width * factor / 2.0, self.height * factor / 2.0
        return Box(cx - hw, cy - hh, cx + hw, cy + hh)

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def including(self, x: float, y: float, margin: float = 0.0) -> Box:
        return Box(min(self.x0, x - margin), min(self.y0, y - margin), max(self.x1, x + margin), max(self.y1, y + margin))

    def as_list(self) -> list[float]:
        return [float(self.x0), float(self.y0), float(self.x1), float(self.y1)]

    def as_int_tuple(self) -> tuple[int, int, int, int]:
        return (int(round(self.x0)), int(round(self.y0)), int(round(self.x1)), int(round(self.y1)))

    @classmethod
    def from_mask(cls, mask: np.ndarray) -> Box | None:
        ys, xs = np.nonzero(mask)
        if len(xs) == 0:
            return None
        return cls(float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))


@dataclass
class Point:
    x: float
    y: float
    label: PointLabel = PointLabel.POS
    source: PointSource = PointSource.HUMAN
    status: PointStatus = PointStatus.ACCEPTED
    anchor_id: int | None = None
    reason: str = ""
    round_index: int | None = None
    moved_from: tuple[float, float] | None = None
    flipped: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    confidence: float = 1.0  # the critic's confidence in this point, 0..1 (1.0 for human clicks)

    @property
    def is_positive(self) -> bool:
        return self.label is PointLabel.POS

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "x": round(float(self.x), 2),
            "y": round(float(self.y), 2),
            "label": self.label.value,
            "source": self.source.value,
            "status": self.status.value,
            "anchor_id": self.anchor_id,
            "reason": self.reason,
            "round": self.round_index,
            "moved_from": list(self.moved_from) if self.moved_from else None,
            "flipped": self.flipped,
            "confidence": round(float(self.confidence), 4),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Point:
        return cls(
            x=float(d["x"]),
            y=float(d["y"]),
            label=PointLabel(d.get("label", "pos")),
            source=PointSource(d.get("source", "human")),
            status=PointStatus(d.get("status", "accepted")),
            anchor_id=d.get("anchor_id"),
            reason=d.get("reason", ""),
            round_index=d.get("round"),
            moved_from=tuple(d["moved_from"]) if d.get("moved_from") else None,
            flipped=bool(d.get("flipped", False)),
            id=d.get("id") or uuid.uuid4().hex[:10],
            confidence=float(d.get("confidence", 1.0)),
        )


@dataclass(frozen=True)
class Anchor:
    """A numbered point on the mask boundary; (nx, ny) is the unit outward normal."""

    id: int
    x: float
    y: float
    nx: float = 0.0
    ny: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "x": round(self.x, 2), "y": round(self.y, 2), "normal": [round(self.nx, 4), round(self.ny, 4)]}


@dataclass
class Square:
    """A square crop centred on an anchor, split by the mask boundary into region 1 (inner) and 2 (outer)."""

    anchor_id: int
    x0: int
    y0: int
    side: int
    inner: np.ndarray  # bool (side, side): region 1, inside the current mask
    outer: np.ndarray  # bool (side, side): region 2, outside the current mask
    clamped: bool = False  # True when the lower clamp overrode ratio x ROI short side

    @property
    def x1(self) -> int:
        return self.x0 + self.side

    @property
    def y1(self) -> int:
        return self.y0 + self.side

    def region(self, index: int) -> np.ndarray:
        return self.inner if index == 1 else self.outer

    def to_dict(self) -> dict[str, Any]:
        return {
            "anchor_id": self.anchor_id,
            "x0": self.x0,
            "y0": self.y0,
            "side": self.side,
            "inner_px": int(self.inner.sum()),
            "outer_px": int(self.outer.sum()),
            "clamped": self.clamped,
        }


@dataclass
class AnchorChoice:
    anchor_id: int
    intent: Intent = Intent.FIX_LEAK
    score: float = 0.0
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"anchor_id": self.anchor_id, "intent": self.intent.value, "score": round(float(self.score), 4), "reason": self.reason}


@dataclass
class SquareJudgement:
    """The critic's answer for one square. region None means "leave this square alone"."""

    anchor_id: int
    region: int | None  # 1 inner, 2 outer
    action: PointLabel | None
    reason: str = ""
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "anchor_id": self.anchor_id,
            "region": self.region,
            "action": self.action.value if self.action else None,
            "reason": self.reason,
            "confidence": round(float(self.confidence), 4),
        }


@dataclass
class CriticReply:
    """One critic answer: the parsed result plus everything needed to audit it."""

    kind: str  # "anchors" | "square" | "points" | "locate"
    parsed: Any  # list[AnchorChoice] | SquareJudgement | list[Point] | Box | None
    raw: str = ""
    backend: str = ""
    prompt_id: str = ""
    latency_s: float = 0.0
    fallback: bool = False
    error: str | None = None
    hops: list[str] = field(default_factory=list)  # backends tried, in order, when a fallback chain ran

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "parsed": _jsonable(self.parsed),
            "raw": self.raw,
            "backend": self.backend,
            "prompt_id": self.prompt_id,
            "latency_s": round(self.latency_s, 4),
            "fallback": self.fallback,
            "error": self.error,
            "hops": list(self.hops),
        }


@dataclass
class InstanceInfo:
    """What the object is called, plus optional semantic context from llm_out."""

    name: str = "object"
    reason: str = ""
    synonyms: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"instance": self.name, "reason": self.reason, "synonyms": self.synonyms, "cues": self.cues, "distractors": self.distractors}


@dataclass
class Round:
    index: int
    anchors: list[Anchor] = field(default_factory=list)
    selected: list[AnchorChoice] = field(default_factory=list)
    squares: list[Square] = field(default_factory=list)
    judgements: list[SquareJudgement] = field(default_factory=list)
    replies: list[CriticReply] = field(default_factory=list)
    proposals: list[Point] = field(default_factory=list)
    applied: bool = False
    iou_with_previous: float | None = None
    mask_area_before: int = 0
    mask_area_after: int | None = None
    box_after: Box | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "anchors": [a.to_dict() for a in self.anchors],
            "selected": [c.to_dict() for c in self.selected],
            "squares": [s.to_dict() for s in self.squares],
            "judgements": [j.to_dict() for j in self.judgements],
            "critic_replies": [r.to_dict() for r in self.replies],
            "proposals": [p.to_dict() for p in self.proposals],
            "applied": self.applied,
            "iou_with_previous": None if self.iou_with_previous is None else round(self.iou_with_previous, 5),
            "mask_area_before": self.mask_area_before,
            "mask_area_after": self.mask_area_after,
            "box_after": self.box_after.as_list() if self.box_after else None,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
        }


@dataclass
class SculptResult:
    name: str
    mask: np.ndarray  # bool (H, W), final
    initial_mask: np.ndarray
    box: Box
    initial_box: Box
    instance: InstanceInfo
    rounds: list[Round]
    points: list[Point]
    params: dict[str, Any]
    backends: dict[str, Any]
    timings: dict[str, float]
    stop_reason: str = ""

    def provenance(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "instance": self.instance.to_dict(),
            "box_initial": self.initial_box.as_list(),
            "box_final": self.box.as_list(),
            "params": self.params,
            "backends": self.backends,
            "rounds": [r.to_dict() for r in self.rounds],
            "points": [p.to_dict() for p in self.points],
            "mask_area_initial": int(self.initial_mask.sum()),
            "mask_area_final": int(self.mask.sum()),
            "stop_reason": self.stop_reason,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Box):
        return value.as_list()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)
