"""Options of the text-guided editing backends (settings: edit.localiser.options.<name>,
edit.inpainter.options.<name>)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.config.base import Options, register_options


@register_options("localiser", "clip")
class ClipOptions(Options):
    model_dir: str | None = None
    device: str = Field("auto", min_length=1)
    n_positive: int = Field(2, ge=0, le=32)
    n_negative: int = Field(2, ge=0, le=32)
    min_separation: float = Field(0.12, ge=0, le=1)
    positive_threshold: float = Field(0.75, ge=0, le=1)
    negative_threshold: float = Field(0.25, ge=0, le=1)


class InpaintStrategyOptions(Options):
    strategy: Literal["crop", "full"] = "crop"
    mask_dilate: int = Field(8, ge=0)
    feather: int = Field(4, ge=0)


@register_options("inpainter", "opencv")
class OpenCVInpaintOptions(InpaintStrategyOptions):
    method: Literal["telea", "ns"] = "telea"
    radius: int = Field(5, ge=1)
    max_side: int | None = Field(1024, ge=16)


@register_options("inpainter", "sd")
class SDInpaintOptions(InpaintStrategyOptions):
    model_dir: str | None = None
    device: str = Field("auto", min_length=1)
    dtype: str = Field("auto", min_length=1)
    attention_slicing: bool = False
    cpu_offload: bool = False
    free_gpu: bool | Literal["auto"] = "auto"
    crop_margin: float = Field(0.25, ge=0)
