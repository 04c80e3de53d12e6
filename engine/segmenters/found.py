"""What a text-promptable segmenter (SAM 3) proposes for "find all <label>": one FoundObject per instance. Light
module (numpy only) so engine/sculpt and the CLI can import it without torch.

Contract (see also /work/coord/segmenters_api.md):
    seg.find_all(image, text, box=None) -> list[FoundObject]   every instance of `text`, best first,
        score >= the backend's score_threshold, at most max_objects; [] when none. It prepares the image itself.
    seg.predict_text(text, box=None) -> Prediction   the best instance for the prepared image, whatever its score
        (masks (1, H, W), scores (1,), logits None): the initial mask from the object's label alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.types import Box


@dataclass(frozen=True)
class FoundObject:
    mask: np.ndarray  # bool (H, W) at full image resolution
    box: Box  # in image pixels
    score: float  # 0..1 (instance score x presence score)

    @property
    def area(self) -> int:
        return int(self.mask.sum())


def supports_text(segmenter: Any) -> bool:
    """True when the segmenter takes text prompts (has find_all and predict_text)."""
    return callable(getattr(segmenter, "find_all", None)) and callable(getattr(segmenter, "predict_text", None))
