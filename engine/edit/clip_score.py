"""CLIP score: cosine similarity of the image and text embeddings, x100 and floored at 0 (the
common CLIPScore convention), for the whole image and for a crop around the mask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.edit.clip_model import ClipHandle
from engine.types import Box


@dataclass
class ClipScores:
    whole: float
    crop: float | None  # None when there is no mask
    cosine_whole: float
    cosine_crop: float | None

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None, n: int) -> float | None:
            return None if v is None else round(float(v), n)

        return {"whole": r(self.whole, 2), "crop": r(self.crop, 2),
                "cosine_whole": r(self.cosine_whole, 5), "cosine_crop": r(self.cosine_crop, 5)}


def mask_crop(image: np.ndarray, mask: np.ndarray, margin: float = 0.15) -> np.ndarray | None:
    """A square-ish crop around the mask's box with some context (CLIP needs to see the surroundings)."""
    box = Box.from_mask(mask)
    if box is None:
        return None
    h, w = image.shape[:2]
    side = max(box.width, box.height) * (1 + 2 * margin)
    cx, cy = box.center
    x0, y0, x1, y1 = Box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2).clip(w, h).as_int_tuple()
    crop = image[y0:y1, x0:x1]
    return crop if crop.size else None


def clip_scores(clip: ClipHandle, image: np.ndarray, text: str, mask: np.ndarray | None = None) -> ClipScores:
    crop = mask_crop(image, mask) if mask is not None else None
    images = [image] if crop is None else [image, crop]
    img = clip.image_embeddings(images)
    txt = clip.text_embeddings([text])[0]
    cos = (img @ txt).cpu().numpy().astype(float)
    whole = float(cos[0])
    crop_cos = float(cos[1]) if crop is not None else None
    return ClipScores(max(100.0 * whole, 0.0), None if crop_cos is None else max(100.0 * crop_cos, 0.0), whole, crop_cos)
