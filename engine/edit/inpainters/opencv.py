"""`opencv`: cv2.inpaint (Telea or Navier-Stokes). Needs no weights: the offline default for removing
an object. It ignores the prompt; it fills the mask from its surroundings."""

from __future__ import annotations

import cv2
import numpy as np

from engine.edit.inpainters.base import InpaintModel, InpaintRequest
from engine.errors import InputError
from engine.registry import INPAINTERS

METHODS = {"telea": cv2.INPAINT_TELEA, "ns": cv2.INPAINT_NS}


@INPAINTERS.register("opencv")
class OpenCVInpainter(InpaintModel):
    name = "opencv"

    def __init__(self, method: str = "telea", radius: int = 5, max_side: int | None = 1024, **strategy) -> None:
        if method not in METHODS:
            raise InputError(f"opencv inpainter: unknown method {method!r} (use {' or '.join(METHODS)})")
        super().__init__(max_side=max_side, **strategy)
        self.method = method
        self.radius = int(radius)

    def info(self) -> dict:
        return {"name": self.name, "method": self.method, "radius": self.radius, "opencv": cv2.__version__, **self.strategy_info()}

    def _run(self, image: np.ndarray, mask: np.ndarray, request: InpaintRequest) -> np.ndarray:
        out = cv2.inpaint(np.ascontiguousarray(image), mask.astype(np.uint8) * 255, self.radius, METHODS[self.method])
        if request.progress is not None:
            request.progress(1, 1)
        return out
