"""The Critic protocol and the view a critic looks at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from engine.sculpt.render import render_anchor_overlay, render_square_crop
from engine.types import Anchor, Box, CriticReply, InstanceInfo, Square

if TYPE_CHECKING:
    from engine.critics.verdict import Verdict


@dataclass
class RenderedImage:
    image: np.ndarray  # RGB uint8 as sent to a VLM
    scale: float  # rendered pixels per image pixel (rendered = image * scale)


@dataclass
class CriticView:
    """Everything a critic may look at in one round. Raw arrays for classical critics, rendered
    images (cached, made on first use) for VLM critics."""

    image: np.ndarray  # RGB uint8 (H, W, 3)
    mask: np.ndarray  # bool (H, W), the current mask
    box: Box
    anchors: list[Anchor]
    squares: dict[int, Square] = field(default_factory=dict)  # anchor id -> square, filled before judging
    max_side: int = 720  # long side of images sent to a VLM
    square_render_side: int = 336
    deadline: float | None = None  # time.monotonic() by which an API critic's answers for this round are due

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @cached_property
    def anchor_overlay(self) -> RenderedImage:
        """Image + translucent mask + ROI + numbered anchors, long side <= max_side."""
        img, scale = render_anchor_overlay(self.image, self.mask, self.box, self.anchors, self.max_side)
        return RenderedImage(img, scale)

    def square_crop(self, anchor_id: int) -> RenderedImage:
        """The square around an anchor with region 1 (inner) and region 2 (outer) marked."""
        square = self.squares[anchor_id]
        img = render_square_crop(self.image, square, self.square_render_side)
        return RenderedImage(img, self.square_render_side / max(square.side, 1))

    def anchor(self, anchor_id: int) -> Anchor:
        for a in self.anchors:
            if a.id == anchor_id:
                return a
        raise KeyError(anchor_id)


@runtime_checkable
class Critic(Protocol):
    """Answers the three questions of the sculpting protocol. Every method returns a CriticReply
    whose `parsed` is typed (see engine.types) and whose `raw` keeps the backend's text."""

    name: str

    def select_anchors(self, view: CriticView, instance: InstanceInfo, k: int) -> CriticReply:
        """parsed: list[AnchorChoice], best first, at most k."""

    def judge_square(self, view: CriticView, anchor_id: int, instance: InstanceInfo) -> CriticReply:
        """parsed: SquareJudgement (region None = leave it)."""

    def judge_squares(self, view: CriticView, anchor_ids: Sequence[int], instance: InstanceInfo) -> list[CriticReply]:
        """All squares of a round; backends batch or run these concurrently."""

    def propose_points(self, view: CriticView, instance: InstanceInfo, max_points: int) -> CriticReply:
        """parsed: list[Point] in image pixels (strategy 'direct')."""

    def verdict(self, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
        """After a round: is `after.mask` better, worse or the same as `before.mask`? (engine.critics.verdict).
        Call it through engine.critics.verdict.ask_verdict, which never raises for a critic that cannot answer."""

    def info(self) -> dict:
        """Name, version, model and settings for provenance (never an API key)."""


class SequentialSquaresMixin:
    """judge_squares as one judge_square call after another (fine for fast local critics)."""

    def judge_squares(self, view: CriticView, anchor_ids: Sequence[int], instance: InstanceInfo) -> list[CriticReply]:
        return [self.judge_square(view, a, instance) for a in anchor_ids]  # type: ignore[attr-defined]
