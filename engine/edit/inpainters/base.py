"""The Inpainter protocol and InpaintModel, the base every backend extends.

InpaintModel owns the resolution strategy; a backend only implements `_run` on an image already at
its working size. Strategy "crop" (default) works on a square-ish crop around the dilated mask,
scaled so its long side is the model's resolution, and pastes the result back: pixels outside the
dilated mask are never touched and a 2048 px image costs the same as a 512 px one. Strategy "full"
scales the whole image instead (what the prototype did). paste_back=False keeps the model's output
for the whole processed region, VAE round trip and all (only useful to measure what paste-back saves)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from engine.errors import InputError
from engine.types import Box

STRATEGIES = ("crop", "full")


@dataclass
class InpaintRequest:
    prompt: str = ""
    negative_prompt: str = ""
    steps: int = 30
    guidance: float = 7.5
    seed: int | None = 42
    progress: Callable[[int, int], None] | None = None  # (step, total), called from the worker thread

    def to_dict(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "negative_prompt": self.negative_prompt, "steps": self.steps,
                "guidance": self.guidance, "seed": self.seed}


@dataclass
class InpaintResult:
    image: np.ndarray  # RGB uint8 (H, W, 3), full size
    mask: np.ndarray  # bool (H, W): the dilated mask that was repainted
    region: Box  # the part of the image the model saw
    work_size: tuple[int, int]  # (width, height) fed to the model
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"region": self.region.as_list(), "work_size": list(self.work_size),
                "inpaint_mask_area": int(self.mask.sum()), "timings_s": {k: round(v, 4) for k, v in self.timings.items()}}


@runtime_checkable
class Inpainter(Protocol):
    name: str

    def inpaint(self, image: np.ndarray, mask: np.ndarray, request: InpaintRequest) -> InpaintResult:
        """Repaint the True pixels of mask (bool (H, W)) in the RGB image; everything else stays."""

    def info(self) -> dict:
        """Name, model and settings for provenance."""


def check_inputs(image: np.ndarray, mask: np.ndarray, source: str = "mask") -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError(f"inpainting needs an RGB uint8 image, got shape {image.shape} {image.dtype}")
    if mask.shape != image.shape[:2]:
        raise InputError(f"{source}: mask is {mask.shape[1]}x{mask.shape[0]} but the image is {image.shape[1]}x{image.shape[0]}")
    if not mask.any():
        raise InputError(f"{source}: mask is empty (nothing to inpaint)")


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    if pixels <= 0:
        return mask.astype(bool)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pixels + 1, 2 * pixels + 1))
    return cv2.dilate(mask.astype(np.uint8), k) > 0


def feather_alpha(mask: np.ndarray, feather: int) -> np.ndarray:
    """float32 alpha: 0 outside the mask, rising to 1 within `feather` px inside it."""
    if feather <= 0:
        return mask.astype(np.float32)
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip(dist / float(feather), 0.0, 1.0).astype(np.float32)


def crop_region(mask: np.ndarray, margin_frac: float, min_margin: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the mask's box plus a margin, grown towards a square where the image allows."""
    h, w = mask.shape
    box = Box.from_mask(mask)
    assert box is not None
    margin = max(float(min_margin), margin_frac * max(box.width, box.height))
    side_w, side_h = box.width + 2 * margin, box.height + 2 * margin
    side = max(side_w, side_h)
    cx, cy = box.center
    out = []
    for c, size, limit in ((cx, min(side, w), w), (cy, min(side, h), h)):
        lo = c - size / 2
        lo = min(max(lo, 0.0), limit - size)  # slide inside the image rather than shrink
        out.append((int(np.floor(lo)), int(min(limit, np.ceil(lo + size)))))
    (x0, x1), (y0, y1) = out
    return x0, y0, x1, y1


def work_size(width: int, height: int, resolution: int | None, max_side: int | None, multiple: int) -> tuple[int, int]:
    """The (w, h) the model runs at: long side = resolution (up or down) if the model has one, else
    native size capped at max_side; both rounded to a multiple the model accepts."""
    long = max(width, height)
    if resolution:
        scale = resolution / long
    elif max_side and long > max_side:
        scale = max_side / long
    else:
        scale = 1.0

    def r(v: int) -> int:
        return max(multiple, int(round(v * scale / multiple)) * multiple)

    return r(width), r(height)


class InpaintModel:
    """Base class: validation, dilation, the crop/full strategy, resizing and paste-back."""

    name = "base"
    size_multiple = 1

    def __init__(self, strategy: str = "crop", crop_margin: float = 0.25, min_crop_margin: int = 32, mask_dilate: int = 8,
                 feather: int = 4, paste_back: bool = True, max_side: int | None = None) -> None:
        if strategy not in STRATEGIES:
            raise InputError(f"unknown inpainting strategy {strategy!r} (use {' or '.join(STRATEGIES)})")
        self.strategy = strategy
        self.crop_margin = float(crop_margin)
        self.min_crop_margin = int(min_crop_margin)
        self.mask_dilate = int(mask_dilate)
        self.feather = int(feather)
        self.paste_back = bool(paste_back)
        self.max_side = int(max_side) if max_side else None

    @property
    def resolution(self) -> int | None:
        """The long side the model works best at; None = native size (capped at max_side)."""
        return None

    def _run(self, image: np.ndarray, mask: np.ndarray, request: InpaintRequest) -> np.ndarray:
        """Inpaint an image already at working size; returns RGB uint8 of the same size."""
        raise NotImplementedError

    def strategy_info(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "resolution": self.resolution, "max_side": self.max_side, "mask_dilate": self.mask_dilate,
                "feather": self.feather, "crop_margin": self.crop_margin, "paste_back": self.paste_back}

    def info(self) -> dict:
        return {"name": self.name, **self.strategy_info()}

    def inpaint(self, image: np.ndarray, mask: np.ndarray, request: InpaintRequest | None = None) -> InpaintResult:
        request = request or InpaintRequest()
        check_inputs(image, mask)
        t0 = time.perf_counter()
        grown = dilate(mask, self.mask_dilate)
        h, w = mask.shape
        x0, y0, x1, y1 = crop_region(grown, self.crop_margin, self.min_crop_margin) if self.strategy == "crop" else (0, 0, w, h)
        crop, crop_mask = image[y0:y1, x0:x1], grown[y0:y1, x0:x1]
        cw, ch = x1 - x0, y1 - y0
        ww, wh = work_size(cw, ch, self.resolution, self.max_side, self.size_multiple)
        resized = (ww, wh) != (cw, ch)
        if resized:
            down = ww * wh < cw * ch
            small = cv2.resize(crop, (ww, wh), interpolation=cv2.INTER_AREA if down else cv2.INTER_CUBIC)
            # INTER_AREA keeps any pixel with some mask coverage: thin parts of the mask survive downscaling
            small_mask = cv2.resize(crop_mask.astype(np.float32), (ww, wh), interpolation=cv2.INTER_AREA) > 0
        else:
            small, small_mask = np.ascontiguousarray(crop), crop_mask
        t1 = time.perf_counter()
        painted = self._run(small, small_mask, request)
        t2 = time.perf_counter()
        if painted.shape[:2] != (wh, ww):
            painted = cv2.resize(painted, (ww, wh), interpolation=cv2.INTER_CUBIC)
        if resized:
            painted = cv2.resize(painted, (cw, ch), interpolation=cv2.INTER_CUBIC)
        out = image.copy()
        if self.paste_back:
            alpha = feather_alpha(crop_mask, self.feather)[:, :, None]
            blended = crop.astype(np.float32) * (1 - alpha) + painted.astype(np.float32) * alpha
            out[y0:y1, x0:x1] = np.where(crop_mask[:, :, None], np.clip(np.round(blended), 0, 255).astype(np.uint8), crop)
        else:
            out[y0:y1, x0:x1] = painted
        t3 = time.perf_counter()
        timings = {"prepare": t1 - t0, "model": t2 - t1, "paste": t3 - t2}
        return InpaintResult(out, grown, Box(x0, y0, x1, y1), (ww, wh), timings)
