"""Options of the transformers SAM-family segmenters: sam2, sam-hq, edgetam, sam3 (segmenter.options.<name>)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.config.base import register_options
from engine.config.segmenters import SamCommonOptions


class HFSamFamilyOptions(SamCommonOptions):
    model_dir: str | None = Field(None, description="a save_pretrained folder; null = found in models_dir or the HF cache")
    variant: str | None = Field(None, description="preferred variant when discovering (e.g. tiny, base-plus, vit-base)")


@register_options("segmenter", "sam2")
class Sam2Options(HFSamFamilyOptions):
    runtime: Literal["torch", "onnx", "auto"] = Field(
        "auto", description="the clicks' decoder: torch, onnx (exported from the weights, run by onnxruntime), "
                            "auto = onnx when onnxruntime is installed and its masks match torch")


@register_options("segmenter", "edgetam")
class EdgeTamOptions(Sam2Options):
    pass


@register_options("segmenter", "sam-hq")
class SamHQOptions(HFSamFamilyOptions):
    hq_token_only: bool = Field(False, description="mask from the HQ token alone (false: SAM's mask + the HQ correction)")


@register_options("segmenter", "sam3")
class Sam3Options(HFSamFamilyOptions):
    score_threshold: float = Field(0.5, ge=0, le=1, description="find-all: keep instances scoring at least this")
    mask_threshold: float = Field(0.5, ge=0, le=1, description="find-all: mask probability threshold")
    max_objects: int = Field(20, ge=1, description="find-all: at most this many instances")
