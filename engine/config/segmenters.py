"""Options of the segmenter backends (settings: segmenter.options.<name>)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.config.base import Options, register_options


@register_options("segmenter", "grabcut")
class GrabCutOptions(Options):
    iterations: int = Field(5, ge=1, le=100)
    max_side: int = Field(512, ge=16, description="long side GrabCut works at (0 is refused: it gave an empty mask)")
    seed_radius_frac: float = Field(0.025, gt=0, le=0.5)
    context: float = Field(0.15, ge=0, le=2, description="margin around the box given to GrabCut (x box side)")
    local_band: float = Field(0.03, ge=0, le=1, description="refining: only this far (x crop side) from the old boundary may change")


class SamCommonOptions(Options):
    """Options every SAM-family segmenter built on engine.segmenters.sam_common shares; a new SAM
    backend can subclass this and add its own weight location fields."""

    models_dir: str | None = None
    device: str = Field("auto", min_length=1, description="auto, cpu, cuda, cuda:1, mps")
    dtype: str = Field("auto", min_length=1, description="auto, float32, float16, bfloat16")
    multimask: Literal["auto", "always", "never"] = "auto"
    all_masks: bool = False
    threads: int | None = Field(None, ge=1)
    decoder_threads: int | None = Field(None, ge=1)
    cache_memory_mb: float = Field(512, ge=0)
    disk_cache: bool = True
    cache_dir: str | None = None
    cache_disk_max_mb: float | None = Field(4096, ge=0)


@register_options("segmenter", "sam")
class SamOptions(SamCommonOptions):
    checkpoint: str | None = Field(None, description="a sam_vit_{b,l,h}_*.pth; null = the first one found in models_dir")
    runtime: Literal["torch", "onnx", "auto"] = Field(
        "auto", description="the clicks' decoder: torch, onnx (exported from the checkpoint, run by onnxruntime), "
                            "auto = onnx when onnxruntime is installed and its masks match torch")
    quantize: Literal["none", "int8"] = Field("none", description="int8: dynamically quantised ONNX decoder (check its mask IoU)")


@register_options("segmenter", "sam-hf")
class SamHfOptions(SamCommonOptions):
    model_dir: str | None = Field(None, description="a facebook/sam-vit-* folder; null = found in models_dir")
