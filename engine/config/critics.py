"""Options of the critic backends (settings: critic.options.<name>)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.config.base import Options, register_options

Coords = Literal["pixels", "norm1", "norm1000"]


@register_options("critic", "heuristic")
class HeuristicOptions(Options):
    min_evidence: float = Field(0.25, ge=0)
    smooth_frac: float = Field(0.015, ge=0, le=1)
    verdict_margin: float = Field(0.2, ge=0, le=1, description="agreement needed for a better/worse verdict")
    verdict_min_change: float = Field(0.002, ge=0, le=1, description="changed share of the ROI below which: same")
    verdict_policy: Literal["conservative", "strict", "evidence"] = Field(
        "conservative", description="conservative: a change is never kept on colour evidence alone (camouflage); "
        "strict: kept only when the colour/texture agreement says better; evidence: better/worse/same from it")


@register_options("critic", "oracle")
class OracleOptions(Options):
    pass


@register_options("critic", "noisy-oracle")
class NoisyOracleOptions(Options):
    noise: float = Field(0.2, ge=0, le=1, description="probability that each judgement is flipped")
    seed: int = 0


@register_options("critic", "qwen")
class QwenOptions(Options):
    model_path: str = Field("models/Qwen2.5-VL-3B-Instruct", min_length=1)
    device: str = Field("auto", min_length=1)
    min_pixels: int = Field(200704, ge=1)
    max_pixels: int = Field(1003520, ge=1)
    max_side: int = Field(0, ge=0, description="extra cap on the long side sent to the model (0 = none)")
    batch_size: int = Field(8, ge=1)
    load_in: Literal["", "4bit", "8bit"] = Field("", description="quantise on load (bitsandbytes): '', 4bit or 8bit")


class ApiRetryOptions(Options):
    """Time limits and retries every API critic shares (engine.critics.api_base.RetryPolicy)."""

    timeout_s: float = Field(60, gt=0, description="one request, wall clock")
    max_retries: int = Field(3, ge=0, le=100)
    backoff_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(20.0, ge=0, description="longest wait between two attempts")
    jitter: float = Field(0.25, ge=0, le=1, description="+- share of each wait, randomised")
    round_deadline_s: float = Field(180, gt=0, description="every request of one round, wall clock")
    concurrency: int = Field(4, ge=1, le=64)


@register_options("critic", "dashscope")
class DashScopeOptions(ApiRetryOptions):
    model: str = Field("qwen-vl-plus-latest", min_length=1)
    base_url: str | None = None
    coords: Coords = "norm1000"
    high_resolution: bool = False
    key_env: str | None = Field(None, min_length=1, description="None: DASHSCOPE_API_KEY (sent only to DashScope)")


@register_options("critic", "openai")
class OpenAIOptions(ApiRetryOptions):
    preset: Literal["openai", "dashscope-compatible"] | None = Field(
        None, description="dashscope-compatible: DashScope's compatible mode with DASHSCOPE_API_KEY")
    model: str | None = Field(None, min_length=1, description="None: the preset's (gpt-4o-mini without one)")
    base_url: str | None = Field(None, description="None: the preset's, else the SDK's own ($OPENAI_BASE_URL)")
    coords: Coords = "norm1000"
    key_env: str | None = Field(None, min_length=1, description="None: the preset's / OPENAI_API_KEY (sent only "
                                "to its own endpoint; a local server gets a placeholder)")
    extra_headers: dict[str, str] = Field(default_factory=dict, description="sent with every request; never written")
