"""One image's edit, step by step, for the GUI worker (Qt-free): localise -> (mask from the points,
adjusted by the user) -> inpaint to a pending preview -> accept (write the files) or discard.
Every method is blocking; call them on the engine thread, not the GUI thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from engine.edit import factory
from engine.edit.inpainters.base import check_inputs
from engine.edit.localise_base import Localisation
from engine.edit.outputs import write_edit_outputs
from engine.edit.pipeline import EditPipeline, EditResult
from engine.errors import InputError


class EditSession:
    def __init__(self, image: np.ndarray, settings: dict[str, Any], segmenter: Any = None, clip_model: str | None = None,
                 sd_model: str | None = None) -> None:
        self.image = image
        self.settings = settings
        self.segmenter = segmenter  # already prepared for this image by the caller, or None
        self.clip_model = factory.clip_dir(settings, clip_model)
        self.sd_model = sd_model
        self.localisation: Localisation | None = None
        self.pending: EditResult | None = None
        self._clip = None

    def _clip_handle(self):
        if self._clip is None and self.clip_model:
            from engine.edit.clip_model import load_clip

            self._clip = load_clip(self.clip_model, factory.localiser_options(self.settings)[1].get("device", "auto"))
        return self._clip

    def localise(self, target: str) -> Localisation:
        if not self.clip_model:
            raise InputError("localisation needs a CLIP model folder: set edit.localiser.options.clip.model_dir")
        self.localisation = factory.build_localiser(self.settings, self.clip_model).localise(self.image, target)
        return self.localisation

    def mask_from_localisation(self) -> np.ndarray:
        if self.localisation is None:
            raise InputError("localise first")
        pipe = EditPipeline(None, self.segmenter, extra_points=bool(self.settings["edit"].get("extra_points", True)))
        return pipe.segment(self.image, self.localisation)

    def inpaint(self, mask: np.ndarray, prompt: str, options: dict[str, Any] | None = None,
                progress: Callable[[int, int], None] | None = None) -> EditResult:
        """options as the Edit panel sends them: inpainter, steps, guidance, seed, negative_prompt."""
        options = options or {}
        check_inputs(self.image, mask, "the current mask")
        inpainter = factory.build_inpainter(self.settings, options.get("inpainter"), self.sd_model)
        request = factory.build_request(self.settings, prompt, options.get("steps"), options.get("guidance"),
                                        options.get("seed"), options.get("negative_prompt"), progress)
        t = time.perf_counter()
        painted = inpainter.inpaint(self.image, mask, request)
        timings = {"inpaint": time.perf_counter() - t}
        clip = self._clip_handle()
        pipe = EditPipeline(inpainter, clip=clip)
        t = time.perf_counter()
        scores = pipe.score(self.image, painted.image, prompt, mask)
        if scores is not None:
            timings["score"] = time.perf_counter() - t
        models = {"inpainter": inpainter.info(), **({"clip_score": clip.info()} if clip is not None else {})}
        target = self.localisation.text if self.localisation else prompt
        self.pending = EditResult(self.image, mask.astype(bool), painted.image, painted, prompt, target, request,
                                  self.localisation, "annotation tool", scores, timings, models)
        return self.pending

    def accept(self, out_dir: str | Path, extra: dict[str, Any] | None = None) -> dict[str, Path]:
        if self.pending is None:
            raise InputError("nothing to accept: inpaint first")
        paths = write_edit_outputs(out_dir, self.pending, extra)
        self.pending = None
        return paths

    def discard(self) -> None:
        self.pending = None
