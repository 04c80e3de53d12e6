"""`dashscope`: Qwen-VL models on Alibaba Cloud DashScope (qwen-vl-plus-latest, qwen-vl-max-latest, ...)
through the dashscope SDK's MultiModalConversation; images go inline as data URIs (nothing is uploaded)."""

from __future__ import annotations

import logging
import os
from typing import Any

from engine.critics.api_base import (
    RETRY_STATUS,
    ApiCritic,
    ApiFailure,
    data_uri,
    policy_from_options,
    retry_after_seconds,
)
from engine.critics.endpoints import DASHSCOPE, Provider, choose_key, host_of
from engine.critics.secrets import redact, redact_provenance
from engine.critics.vlm import VLMRequest
from engine.errors import BackendError
from engine.registry import CRITICS

DEFAULT_URL = "https://dashscope.aliyuncs.com/api/v1"


@CRITICS.register("dashscope")
class DashScopeCritic(ApiCritic):
    name = "dashscope"

    def __init__(self, model: str = "qwen-vl-plus-latest", base_url: str | None = None, coords: str = "norm1000",
                 high_resolution: bool = False, key_env: str | None = None, image_format: str = "jpeg",
                 **retry: float) -> None:
        try:
            from dashscope import MultiModalConversation
        except ImportError as exc:
            raise BackendError("critic 'dashscope' needs the dashscope package: pip install 'sam-sculpt[api]'") from exc
        super().__init__(model, base_url, coords, policy_from_options(retry), key_env or DASHSCOPE.key_env, image_format)
        quiet_sdk_logger()
        self._conversation = MultiModalConversation
        import dashscope

        self.default_url = str(getattr(dashscope, "base_http_api_url", "") or DEFAULT_URL)  # honours the SDK's env
        provider = Provider(DASHSCOPE.key_env, (*DASHSCOPE.hosts, host_of(self.default_url)))
        choice = choose_key(self.name, base_url, self.default_url, provider, key_env)
        self._key, self.key_source = choice.key, choice.source
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
        return redact_provenance({**super().info(), "base_url": self.base_url or self.default_url,
                                  "high_resolution": self.high_resolution, "key_from": self.key_source})


def quiet_sdk_logger() -> None:
    """The SDK logs every failed request with logger.exception (a traceback on stderr through the root
    handlers); our one-line failure report is enough. DASHSCOPE_LOGGING_LEVEL (the SDK's switch) wins."""
    if not os.environ.get("DASHSCOPE_LOGGING_LEVEL"):
        logging.getLogger("dashscope").setLevel(logging.CRITICAL)


def _reply_text(output: Any) -> str:
    try:
        content = output["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ApiFailure("reply has no choices[0].message.content", None, False) from exc
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))
