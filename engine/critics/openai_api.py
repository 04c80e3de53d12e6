"""`openai`: any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, LM Studio, DashScope
compatible-mode) through the openai SDK; images go as data URIs. Retries are ours (the SDK's are off)."""

from __future__ import annotations

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


@CRITICS.register("openai")
class OpenAICritic(ApiCritic):
    name = "openai"

    def __init__(self, model: str = "gpt-4o-mini", base_url: str | None = None, coords: str = "norm1000",
                 key_env: str = "OPENAI_API_KEY", key_required: bool = True, image_format: str = "jpeg",
                 temperature: float = 0.0, **retry: float) -> None:
        try:
            import openai
        except ImportError as exc:
            raise BackendError("critic 'openai' needs the openai package: pip install 'sam-sculpt[api]'") from exc
        super().__init__(model, base_url, coords, policy_from_options(retry), key_env, image_format)
        self._openai = openai
        key = get_api_key(key_env, self.name, required=key_required) or "not-needed"
        self.temperature = float(temperature)
        self._client = openai.OpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=self.policy.timeout_s)

    def call(self, request: VLMRequest, timeout_s: float) -> str:
        openai = self._openai
        content = [{"type": "image_url", "image_url": {"url": data_uri(request.pixels(), self.image_format)}},
                   {"type": "text", "text": request.prompt}]
        try:
            resp = self._client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": content}], temperature=self.temperature,
                max_tokens=request.max_tokens, timeout=timeout_s)
        except openai.APITimeoutError as exc:
            raise ApiFailure(f"timed out after {timeout_s:.1f}s") from exc
        except openai.APIConnectionError as exc:
            raise ApiFailure(f"connection failed ({type(exc.__cause__ or exc).__name__})") from exc
        except openai.APIStatusError as exc:
            status = exc.status_code
            raise ApiFailure(redact(exc.message)[:300], status, status in RETRY_STATUS,
                             retry_after_seconds(exc.response.headers)) from exc
        if not resp.choices:
            raise ApiFailure("reply has no choices", None, True)
        return resp.choices[0].message.content or ""
