"""The edit pipeline: localise (CLIP) -> segment (any registered segmenter, prompted by the CLIP
points) -> inpaint (any registered inpainter) -> score (CLIP). Each stage is a public method so the
GUI worker can run them one at a time; run() does all four and records timings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.edit.clip_model import ClipHandle
from engine.edit.clip_score import ClipScores, clip_scores
from engine.edit.inpainters.base import InpaintRequest, InpaintResult, check_inputs
from engine.edit.localise_base import Localisation
from engine.errors import BackendError, InputError


@dataclass
class EditResult:
    original: np.ndarray  # RGB uint8
    mask: np.ndarray  # bool: the segmenter's mask (or the given one), before dilation
    edited: np.ndarray  # RGB uint8
    inpaint: InpaintResult
    prompt: str
    target: str
    request: InpaintRequest
    localisation: Localisation | None = None
    mask_source: str = "given"
    scores: dict[str, ClipScores] | None = None  # "original" / "edited" against the prompt
    timings: dict[str, float] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        h, w = self.mask.shape
        return {
            "prompt": self.prompt,
            "target": self.target,
            "image_size": [w, h],
            "localisation": self.localisation.to_dict() if self.localisation else None,
            "mask_source": self.mask_source,
            "mask_area": int(self.mask.sum()),
            "mask_fraction": round(float(self.mask.mean()), 5),
            "inpaint": {**self.request.to_dict(), **self.inpaint.to_dict()},
            "clip_score": {k: v.to_dict() for k, v in self.scores.items()} if self.scores else None,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "models": self.models,
        }


class EditPipeline:
    def __init__(self, inpainter: Any, segmenter: Any = None, localiser: Any = None, clip: ClipHandle | None = None,
                 extra_points: bool = True) -> None:
        self.inpainter = inpainter
        self.segmenter = segmenter
        self.localiser = localiser
        self.clip = clip  # for the scores; None = no scores
        self.extra_points = extra_points

    def localise(self, image: np.ndarray, target: str) -> Localisation:
        if self.localiser is None:
            raise InputError("localisation needs a CLIP model: pass --clip-model DIR (or give a --mask)")
        return self.localiser.localise(image, target)

    def segment(self, image: np.ndarray, loc: Localisation) -> np.ndarray:
        if self.segmenter is None:
            raise InputError("no segmenter to turn the CLIP point into a mask (or give a --mask)")
        self.segmenter.prepare(image)
        pred = self.segmenter.predict(None, loc.points(self.extra_points))
        mask = np.asarray(pred.best_mask(), bool)
        if not mask.any():
            x, y = loc.best
            raise BackendError(f"segmenter '{self.segmenter.name}' returned an empty mask for the CLIP point "
                               f"({x:.0f}, {y:.0f}); give a mask with --mask")
        return mask

    def inpaint(self, image: np.ndarray, mask: np.ndarray, request: InpaintRequest) -> InpaintResult:
        return self.inpainter.inpaint(image, mask, request)

    def score(self, original: np.ndarray, edited: np.ndarray, text: str, mask: np.ndarray) -> dict[str, ClipScores] | None:
        if self.clip is None:
            return None
        return {"original": clip_scores(self.clip, original, text, mask), "edited": clip_scores(self.clip, edited, text, mask)}

    def run(self, image: np.ndarray, prompt: str, target: str | None = None, mask: np.ndarray | None = None,
            request: InpaintRequest | None = None, mask_source: str = "given") -> EditResult:
        request = request or InpaintRequest(prompt=prompt)
        target = (target or prompt).strip()
        timings: dict[str, float] = {}
        t_all = time.perf_counter()
        loc = None
        if mask is None:
            t = time.perf_counter()
            loc = self.localise(image, target)
            timings["localise"] = time.perf_counter() - t
            t = time.perf_counter()
            mask = self.segment(image, loc)
            timings["segment"] = time.perf_counter() - t
            mask_source = f"segmenter:{self.segmenter.name}"
        check_inputs(image, mask, mask_source)
        t = time.perf_counter()
        painted = self.inpaint(image, mask, request)
        timings["inpaint"] = time.perf_counter() - t
        t = time.perf_counter()
        scores = self.score(image, painted.image, prompt, mask)
        if scores is not None:
            timings["score"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t_all
        models = {"inpainter": self.inpainter.info()}
        if loc is not None:
            models["localiser"] = self.localiser.info()
            models["segmenter"] = self.segmenter.info()
        if self.clip is not None:
            models["clip_score"] = self.clip.info()
        return EditResult(image, mask, painted.image, painted, prompt, target, request, loc, mask_source, scores, timings, models)
