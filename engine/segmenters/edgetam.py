"""`edgetam`: EdgeTAM (a RepViT image encoder with SAM 2's prompt encoder and mask decoder) through transformers'
EdgeTamModel, from a save_pretrained folder (yonigozlan/EdgeTAM-hf layout). The encoder is a fraction of SAM 2's
cost: the CPU choice. Preprocessing is SAM 2's (Sam2Processor); the timm backbone needs the `timm` package."""

from __future__ import annotations

import importlib.util
from typing import Any

from engine.errors import BackendError
from engine.registry import SEGMENTERS
from engine.segmenters.sam2 import Sam2Segmenter


@SEGMENTERS.register("edgetam")
class EdgeTamSegmenter(Sam2Segmenter):
    name = "edgetam"
    family = "EdgeTAM"
    model_class = "EdgeTamModel"
    layout = "the yonigozlan/EdgeTAM-hf layout: config.json + model.safetensors"

    def _model_class(self) -> Any:
        if importlib.util.find_spec("timm") is None:
            raise BackendError("segmenter 'edgetam' needs the timm package for its RepViT encoder: "
                               "pip install 'sam-sculpt[sam]' (or pip install timm)")
        return super()._model_class()

