"""The Segmenter protocol: per-image work once in prepare(), cheap predict() calls after it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from engine.types import Box, Point


class Prediction(NamedTuple):
    masks: np.ndarray  # bool (N, H, W) at full image resolution
    scores: np.ndarray  # float (N,)
    logits: np.ndarray | None  # float (N, h, w) low-res logits a later call may take back, or None

    def best_index(self) -> int:
        return int(np.argmax(self.scores)) if len(self.scores) else 0

    def best_mask(self) -> np.ndarray:
        return self.masks[self.best_index()]

    def best_logits(self) -> np.ndarray | None:
        return None if self.logits is None else self.logits[self.best_index()]


@runtime_checkable
class Segmenter(Protocol):
    name: str

    def prepare(self, image: np.ndarray) -> None:
        """Per-image work (an embedding, a colour model) done once; later predicts reuse it."""

    def predict(self, box: Box | None, points: Sequence[Point], prev_logits: np.ndarray | None = None) -> Prediction:
        """Masks for the prepared image from a box and/or points (only accepted points are passed)."""

    def info(self) -> dict:
        """Name, version and settings for provenance."""
