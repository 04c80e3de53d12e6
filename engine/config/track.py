"""The `track` section: video tracking (sam-sculpt track, engine/video). Defaults live here and in
resources/settings/defaults.json under "track"."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.config.base import Settings, register_section


@register_section("track")
class TrackSection(Settings):
    model_dir: str | None = Field(None, description="the video model folder (else found like the segmenter's weights)")
    models_dir: str | None = Field(None, description="where to look for model folders (else the usual search order)")
    variant: str | None = Field(None, description="e.g. tiny, small, base-plus, large")
    device: str = Field("auto", description="auto, cpu, cuda, cuda:1, mps")
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    mask_threshold: float = Field(0.0, description="mask logit threshold")
    max_frames: int = Field(0, ge=0, description="track at most this many frames (0 = all)")
