"""The Localiser protocol: text in, a heatmap and prompt points for a segmenter out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from engine.types import Point, PointLabel, PointSource


@dataclass
class Localisation:
    text: str
    heatmap: np.ndarray  # float32 (H, W) in [0, 1], full image resolution
    best: tuple[float, float]  # (x, y) pixels: the single point the prototype gave SAM
    positives: list[tuple[float, float]] = field(default_factory=list)  # further high points (best excluded)
    negatives: list[tuple[float, float]] = field(default_factory=list)  # points in low regions
    stats: dict[str, Any] = field(default_factory=dict)

    def points(self, use_extra: bool = True) -> list[Point]:
        """Segmenter prompts: the best point, then (optionally) the other positives and the negatives."""
        pts = [Point(*self.best, label=PointLabel.POS, source=PointSource.AUTO, reason="clip best")]
        if use_extra:
            pts += [Point(x, y, label=PointLabel.POS, source=PointSource.AUTO, reason="clip high") for x, y in self.positives]
            pts += [Point(x, y, label=PointLabel.NEG, source=PointSource.AUTO, reason="clip low") for x, y in self.negatives]
        return pts

    def to_dict(self) -> dict[str, Any]:
        def r(p: tuple[float, float]) -> list[float]:
            return [round(float(p[0]), 1), round(float(p[1]), 1)]

        return {"text": self.text, "point": r(self.best), "positives": [r(p) for p in self.positives],
                "negatives": [r(p) for p in self.negatives], "heatmap_stats": self.stats}


@runtime_checkable
class Localiser(Protocol):
    name: str

    def localise(self, image: np.ndarray, text: str) -> Localisation:
        """Where in the RGB image (H, W, 3) the text is."""

    def info(self) -> dict:
        """Name, model and settings for provenance."""
