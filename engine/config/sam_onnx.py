"""Options of the `sam-onnx` segmenter (segmenter.options.sam-onnx): SAM through ONNX Runtime only."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.config.base import Options, register_options


@register_options("segmenter", "sam-onnx")
class SamOnnxOptions(Options):
    encoder: str | None = Field(None, description="<name>.encoder.onnx; null = the first pair found in the model folders")
    decoder: str | None = Field(None, description="<name>.decoder.onnx; null = the encoder's name with 'decoder'")
    models_dir: str | None = None
    threads: int | None = Field(None, ge=1, description="onnxruntime threads of the image encoder")
    decoder_threads: int | None = Field(None, ge=1, description="onnxruntime threads of a click (1 is fastest on a busy CPU)")
    providers: Literal["auto", "cpu", "cuda"] = "auto"
    quantize: Literal["none", "int8"] = Field("none", description="int8: dynamically quantised decoder (check its mask IoU)")
    multimask: Literal["auto", "always", "never"] = "auto"
    all_masks: bool = False
    cache_memory_mb: float = Field(512, ge=0)
    disk_cache: bool = True
    cache_dir: str | None = None
    cache_disk_max_mb: float | None = Field(4096, ge=0)
