"""`dashscope`: Qwen-VL models on Alibaba Cloud DashScope (qwen-vl-plus-latest, qwen-vl-max-latest, ...)
through the dashscope SDK's MultiModalConversation; images go inline as data URIs (nothing is uploaded)."""

from __future__ import annotations

from typing import Any

from engine.critics.api_base import (
    RETRY_STATUS,
    ApiCritic,
    ApiFailure,
    data_uri,
    policy_from_options,
    retry_after_seconds,
)
from engine.critics.secrets import get_api_key, redact
from engine.critics.vlm import VLMRequest
from engine.errors import BackendError
from engine.registry import CRITICS


@CRITICS.register("dashscope")
class DashScopeCritic(ApiCritic):
    name = "dashscope"

    def __init__(self, model: str = "qwen-vl-plus-latest", base_url: str | None = None, coords: str = "norm1000",
                 high_resolution: bool = False, key_env: str = "DASHSCOPE_API_KEY", image_format: str = "jpeg",
                 **retry: float) -> None:
        try:
            from dashscope import MultiModalConversation
        except ImportError as exc:
            raise BackendError("critic 'dashscope' needs the dashscope package: pip install 'sam-sculpt[api]'") from exc
        super().__init__(model, base_url, coords, policy_from_options(retry), key_env, image_format)
        self._conversation = MultiModalConversation
        self._key = get_api_key(key_env, self.name)
        self.high_resolution = bool(high_resolution)

    def call(self, request: VLMRequest, timeout_s: float) -> str:
        import requests

        messages = [{"role": "user", "content": [{"image": data_uri(request.pixels(), self.image_format)},
                                                 {"text": request.prompt}]}]
        extra: dict[str, Any] = {"base_address": self.base_url} if self.base_url else {}
        if self.high_resolution:
            extra["vl_high_resolution_images"] = True
        try:
            resp = self._conversation.call(model=self.model, messages=messages, api_key=self._key, top_k=1,
                                           max_tokens=request.max_tokens, request_timeout=timeout_s,
                                           **extra)
        except requests.exceptions.Timeout as exc:
            raise ApiFailure(f"timed out after {timeout_s:.1f}s") from exc
        except requests.exceptions.ConnectionError as exc:
            raise ApiFailure("connection failed") from exc
        status = int(getattr(resp, "status_code", 0) or 0)
        if status != 200:
            message = redact(f"{getattr(resp, 'code', '')}: {getattr(resp, 'message', '')}")[:300]
            raise ApiFailure(message, status or None, status in RETRY_STATUS or status == 0,
                             retry_after_seconds(getattr(resp, "headers", None)))
        return _reply_text(resp.output)

    def coord_space(self, sent_w: int, sent_h: int) -> tuple[float, float]:
        """For coords 'pixels': Qwen2.5-VL models answer in pixels of the server's smart_resize'd input
        (multiples of 28; up to 1280 tokens of 28x28, 16384 with the high-resolution flag)."""
        if self.coords != "pixels":
            return super().coord_space(sent_w, sent_h)
        from qwen_vl_utils import smart_resize

        max_tokens = 16384 if self.high_resolution else 1280
        h, w = smart_resize(sent_h, sent_w, factor=28, min_pixels=4 * 28 * 28, max_pixels=max_tokens * 28 * 28)
        return float(w), float(h)

    def info(self) -> dict:
        return {**super().info(), "high_resolution": self.high_resolution}


def _reply_text(output: Any) -> str:
    try:
        content = output["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ApiFailure("reply has no choices[0].message.content", None, False) from exc
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))
