"""The top-level sections of the settings (one model each). The defaults written here are THE
defaults: resources/settings/defaults.json must agree with them (tests/trust/test_settings_validation.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.config.base import Settings, register_section


@register_section("sculpt")
class SculptSection(Settings):
    strategy: Literal["anchors", "direct"] = "anchors"
    rounds: int = Field(1, ge=0, le=1000)
    ratio: float = Field(0.6, gt=0, le=4, description="square side / ROI short side")
    min_square_side: int = Field(16, ge=1, description="lower clamp of the square side in pixels")
    anchors_k: int = Field(3, ge=1, le=8)
    max_points: int = Field(10, ge=1, description="strategy direct: points per round")
    vlm_max_side: int = Field(720, ge=32, description="long side of images sent to a VLM")
    early_stop_iou: float = Field(0.99, ge=0, le=1)
    roi_expand_margin: float = Field(0.05, ge=0, le=1,
                                     description="fraction of the image's long side added around a positive point outside the ROI")
    direct_roi_factor: float = Field(1.1, gt=0, description="strategy direct: points outside this expansion of the ROI are dropped")
    local_gating: bool = False
    gating_radius_factor: float = Field(1.0, gt=0, description="gating area = the round's squares scaled by this")
    keep_largest_component: bool = False
    verdict: Literal["on", "off", "record"] = Field(
        "on", description="on: a 'worse' critic verdict reverts the round; off: no verdict; record: verdict only")
    keep_painted: bool = Field(True, description="brush/eraser pixels survive the next segmenter call")


class BackendChoice(Settings):
    """A section that picks a backend by name; `options` holds one block per backend, each checked
    against that backend's options model (engine.config.validate)."""

    name: str = Field(min_length=1)
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)


@register_section("segmenter")
class SegmenterSection(BackendChoice):
    name: str = Field("grabcut", min_length=1)


@register_section("critic")
class CriticSection(BackendChoice):
    name: str = Field("heuristic", min_length=1)
    fallback_chain: list[str] = Field(default_factory=list,
                                      description="critics asked in order when the chosen one cannot answer")


@register_section("io")
class IoSection(Settings):
    max_pixels: int = Field(100_000_000, ge=1, description="largest image or mask (width x height) read")


@register_section("models")
class ModelsSection(Settings):
    budget_mb: float | None = Field(None, ge=0, description="memory budget for loaded models (null = none)")


class LocaliserChoice(BackendChoice):
    name: str = Field("clip", min_length=1)


class InpainterChoice(BackendChoice):
    name: str = Field("auto", min_length=1)


@register_section("edit")
class EditSection(Settings):
    steps: int = Field(30, ge=1)
    guidance: float = Field(7.5, ge=0)
    seed: int | None = 42
    negative_prompt: str = ""
    extra_points: bool = True
    sam_ckpt_option: dict[str, str] = Field(default_factory=lambda: {"sam": "checkpoint", "sam-hf": "model_dir"})
    localiser: LocaliserChoice = Field(default_factory=LocaliserChoice)
    inpainter: InpainterChoice = Field(default_factory=InpainterChoice)


@register_section("gui")
class GuiSection(Settings):
    out_dir: str = "outputs"
    work_dir: str = ""
    gt_instances: str = ""  # folder of NAME.png GT instance maps: the oracle judges each object against its own
    autosave: bool = True
    auto_start: bool = True
    prefetch: bool = True
    leave_core_for_ui: bool = True
    overlay_colour: str = Field("#00c8ff", pattern=r"^#[0-9a-fA-F]{6}$")
    overlay_alpha: float = Field(0.4, ge=0, le=1)
    outline: bool = True
    brush_size: int = Field(12, ge=1, le=1000)
    language: Literal["auto", "en", "zh_CN"] = "auto"  # the window's language (auto: the system locale)
    theme: Literal["auto", "light", "dark"] = "auto"  # auto: the system's colour scheme
    preload_models: bool = True  # load the segmenter's model before the window is interactive (no UI stalls)
    confidence_threshold: float = Field(0.0, ge=0, le=1)  # proposals below it are hidden or rejected
    below_threshold: Literal["hide", "reject"] = "hide"


@register_section("labels")
class LabelsSection(Settings):
    file: str | None = Field(None, description="a labels.txt (one class per line, optional colour); "
                                               "default: labels.txt of the dataset folder")
    names: list[str] = Field(default_factory=list, description="classes when there is no labels.txt")


@register_section("batch")
class BatchSection(Settings):
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    ray_gpus_per_actor: float = Field(0, ge=0)
    ray_temp_dir: str | None = None


@register_section("eval")
class EvalSection(Settings):
    max_side: int = Field(1024, ge=0, description="0 = full size")
    max_clicks: int = Field(20, ge=1)
    robot_stop_iou: float = Field(0.9, ge=0, le=1)
    review_cost: float = Field(0.25, ge=0, description="bench: what reviewing one critic proposal costs, in clicks")
