"""`clip` localiser: patch-level similarity between a text and the image's patch tokens.

Every patch token is taken to the joint embedding space (vision post-layernorm + visual projection)
and compared with the text embedding. CLIP's patch tokens share a large common component, so the
similarity to a neutral text is subtracted: what is left is what the target text adds. The grid is
upsampled to the image, the maximum is the point, further high/low peaks give positive/negative points."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from engine.edit.clip_model import ClipHandle, load_clip
from engine.edit.localise_base import Localisation
from engine.errors import InputError
from engine.registry import LOCALISERS

DEFAULT_TEMPLATES = ("a photo of a {}.", "a photo of the {}.", "{}")
DEFAULT_NEUTRAL = ("a photo.",)


@LOCALISERS.register("clip")
class ClipLocaliser:
    name = "clip"

    def __init__(self, model_dir: str | None = None, device: str = "auto", templates: Sequence[str] = DEFAULT_TEMPLATES,
                 neutral_texts: Sequence[str] = DEFAULT_NEUTRAL, n_positive: int = 2, n_negative: int = 2,
                 min_separation: float = 0.12, positive_threshold: float = 0.75, negative_threshold: float = 0.25,
                 handle: ClipHandle | None = None) -> None:
        self.model_dir = model_dir
        self.device = device
        self.templates = tuple(templates) or ("{}",)
        self.neutral_texts = tuple(neutral_texts)
        self.n_positive = int(n_positive)
        self.n_negative = int(n_negative)
        self.min_separation = float(min_separation)
        self.positive_threshold = float(positive_threshold)
        self.negative_threshold = float(negative_threshold)
        self._handle = handle

    @property
    def clip(self) -> ClipHandle:
        if self._handle is None:
            self._handle = load_clip(self.model_dir, self.device)
        return self._handle

    def info(self) -> dict:
        return {"name": self.name, **self.clip.info(), "templates": list(self.templates),
                "neutral_texts": list(self.neutral_texts), "n_positive": self.n_positive, "n_negative": self.n_negative}

    def similarity_grid(self, image: np.ndarray, text: str) -> np.ndarray:
        """(g, g) cosine similarity of each patch with the text (minus the neutral text's, if any)."""
        import torch

        clip = self.clip
        patches = clip.patch_embeddings(image)  # (g, g, D)
        target = clip.text_embeddings([t.format(text) for t in self.templates]).mean(0)
        target = torch.nn.functional.normalize(target, dim=-1)
        sim = patches @ target
        if self.neutral_texts:
            neutral = torch.nn.functional.normalize(clip.text_embeddings(list(self.neutral_texts)).mean(0), dim=-1)
            sim = sim - patches @ neutral
        return sim.cpu().numpy().astype(np.float32)

    def localise(self, image: np.ndarray, text: str) -> Localisation:
        if not text or not text.strip():
            raise InputError("localisation needs a target text (--target or --prompt)")
        grid = self.similarity_grid(image, text.strip())
        return localisation_from_grid(grid, image.shape[:2], text.strip(), self.n_positive, self.n_negative,
                                      self.min_separation, self.positive_threshold, self.negative_threshold)


WORK_SIDE = 256  # peaks are found on a map of this long side; the full-size heatmap is an upscale of it


def upsample_grid(grid: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The (g, g) grid stretched over an (H, W) image, smoothed by about half a patch, scaled to [0, 1]."""
    h, w = shape
    heat = cv2.resize(grid.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    sigma = 0.5 * max(h, w) / max(grid.shape)
    heat = cv2.GaussianBlur(heat, (0, 0), sigmaX=max(sigma, 0.5))
    lo, hi = float(heat.min()), float(heat.max())
    return (heat - lo) / (hi - lo) if hi > lo else np.full((h, w), 0.5, np.float32)


def _peaks(values: np.ndarray, n: int, radius: float, accept, avoid: tuple[float, float], avoid_radius: float,
           lowest: bool) -> list[tuple[float, float]]:
    """Greedy non-maximum suppression: up to n extreme points whose value passes `accept`, each at
    least `radius` from the others and `avoid_radius` from `avoid`."""
    work = values.astype(np.float32).copy()
    fill = np.inf if lowest else -np.inf
    h, w = work.shape
    yy, xx = np.mgrid[0:h, 0:w]
    work[(xx - avoid[0]) ** 2 + (yy - avoid[1]) ** 2 <= avoid_radius**2] = fill
    out: list[tuple[float, float]] = []
    for _ in range(n):
        idx = int(np.argmin(work) if lowest else np.argmax(work))
        y, x = divmod(idx, w)
        if not np.isfinite(work[y, x]) or not accept(values[y, x]):
            break
        out.append((float(x), float(y)))
        work[(xx - x) ** 2 + (yy - y) ** 2 <= radius**2] = fill
    return out


def localisation_from_grid(grid: np.ndarray, shape: tuple[int, int], text: str, n_positive: int = 2, n_negative: int = 2,
                           min_separation: float = 0.12, positive_threshold: float = 0.75,
                           negative_threshold: float = 0.25) -> Localisation:
    h, w = shape
    scale = min(1.0, WORK_SIDE / max(h, w))  # a smooth map: peaks found on a small copy cost the same at any size
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    small = upsample_grid(grid, (sh, sw))

    def to_full(p: tuple[float, float]) -> tuple[float, float]:
        return (min(w - 1.0, (p[0] + 0.5) * w / sw - 0.5), min(h - 1.0, (p[1] + 0.5) * h / sh - 0.5))

    by, bx = divmod(int(np.argmax(small)), sw)
    radius = min_separation * max(sh, sw)
    positives = _peaks(small, n_positive, radius, lambda v: v >= positive_threshold, (bx, by), radius, lowest=False)
    # negatives stay well away from the target: twice the spacing from the best point
    negatives = _peaks(small, n_negative, radius, lambda v: v <= negative_threshold, (bx, by), 2 * radius, lowest=True)
    heat = small if (sh, sw) == (h, w) else np.clip(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)
    best = to_full((float(bx), float(by)))
    std = float(grid.std())
    stats = {
        "grid": list(grid.shape),
        "similarity_min": round(float(grid.min()), 5),
        "similarity_max": round(float(grid.max()), 5),
        "similarity_mean": round(float(grid.mean()), 5),
        "similarity_std": round(std, 5),
        "peak_contrast": round((float(grid.max()) - float(grid.mean())) / std, 3) if std > 0 else 0.0,
        "area_above_half": round(float((small >= 0.5).mean()), 4),
        "peak_value": round(float(small[by, bx]), 4),
    }
    return Localisation(text, heat.astype(np.float32), best, [to_full(p) for p in positives],
                        [to_full(p) for p in negatives], stats)
