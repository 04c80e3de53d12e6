"""`openai`: any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, LM Studio, DashScope
compatible mode) through the openai SDK; images go as data URIs. Retries are ours (the SDK's are off).

The endpoint is the SDK's own default (api.openai.com, or $OPENAI_BASE_URL) unless base_url or a preset says
otherwise; `preset: dashscope-compatible` is DashScope's compatible mode with DASHSCOPE_API_KEY. Keys go only
to the endpoint they belong to (engine.critics.endpoints); a local server gets a placeholder key.

Each request runs on its own pooled httpx client so a request that outlives its wall-clock budget can be
cancelled (its client closed) without touching the requests running next to it."""

from __future__ import annotations

import os
import threading
from typing import Any

from engine.critics.api_base import (
    RETRY_STATUS,
    ApiCritic,
    ApiFailure,
    data_uri,
    policy_from_options,
    retry_after_seconds,
)
from engine.critics.endpoints import OPENAI, Provider, choose_key, host_of
from engine.critics.secrets import redact, redact_provenance
from engine.critics.vlm import VLMRequest
from engine.errors import BackendError
from engine.registry import CRITICS

SDK_DEFAULT_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"


PRESETS: dict[str, dict[str, Any]] = {
    "openai": {},
    "dashscope-compatible": {"base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1",
                             "key_env": "DASHSCOPE_API_KEY", "model": "qwen-vl-plus-latest",
                             "provider": Provider("DASHSCOPE_API_KEY", ("aliyuncs.com",))},
}


@CRITICS.register("openai")
class OpenAICritic(ApiCritic):
    name = "openai"

    def __init__(self, model: str | None = None, base_url: str | None = None, coords: str = "norm1000",
                 key_env: str | None = None, key_required: bool = True, image_format: str = "jpeg",
                 temperature: float = 0.0, preset: str | None = None, extra_headers: dict[str, str] | None = None,
                 **retry: float) -> None:
        try:
            import httpx
            import openai
        except ImportError as exc:
            raise BackendError("critic 'openai' needs the openai package: pip install -e '.[vlm]'") from exc
        if preset is not None and preset not in PRESETS:
            raise BackendError(f"critic 'openai': unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
        p = PRESETS[preset or "openai"]
        provider: Provider = p.get("provider", OPENAI)
        base_url = base_url or p.get("base_url")
        env_url = os.environ.get("OPENAI_BASE_URL", "").strip() or None
        default_url = env_url or SDK_DEFAULT_URL
        if env_url and provider is OPENAI:  # the user pointed the SDK itself there: OPENAI_API_KEY belongs to it
            provider = Provider(OPENAI.key_env, (*OPENAI.hosts, host_of(env_url)))
        super().__init__(model or p.get("model") or DEFAULT_MODEL, base_url, coords, policy_from_options(retry),
                         key_env or p.get("key_env") or provider.key_env, image_format)
        self.preset = preset
        self.endpoint = base_url or default_url
        choice = choose_key(self.name, base_url, default_url, provider, key_env or p.get("key_env"), key_required)
        self.key_source = choice.source
        self.extra_headers = dict(extra_headers or {})
        self.temperature = float(temperature)
        self._openai, self._httpx = openai, httpx
        self._client = openai.OpenAI(api_key=choice.key, base_url=base_url, max_retries=0,
                                     timeout=self.policy.timeout_s, default_headers=self.extra_headers or None)
        self._ssl = httpx.create_ssl_context()  # shared: making one per client costs ~25 ms
        self._idle: list[Any] = []  # httpx clients free for the next request (keep-alive kept)
        self._busy: dict[int, Any] = {}  # id(request) -> the client it runs on
        self._lock = threading.Lock()

    # ---- per-request clients (cancellable) -------------------------------------------------------
    def _take_client(self, request: VLMRequest) -> Any:
        with self._lock:
            http = self._idle.pop() if self._idle else None
        if http is None:
            http = self._openai.DefaultHttpxClient(verify=self._ssl)
        with self._lock:
            self._busy[id(request)] = http
        return http

    def _give_back(self, request: VLMRequest, http: Any) -> None:
        with self._lock:
            if self._busy.get(id(request)) is http:
                del self._busy[id(request)]
                if not http.is_closed:
                    self._idle.append(http)

    def cancel(self, request: VLMRequest) -> None:
        """Close the request's client: the SDK call in the worker thread ends at once with a connection error."""
        with self._lock:
            http = self._busy.pop(id(request), None)
        if http is not None:
            http.close()

    def call(self, request: VLMRequest, timeout_s: float) -> str:
        openai = self._openai
        content = [{"type": "image_url", "image_url": {"url": data_uri(request.pixels(), self.image_format)}},
                   {"type": "text", "text": request.prompt}]
        http = self._take_client(request)
        try:
            resp = self._client.with_options(http_client=http).chat.completions.create(
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
        finally:
            self._give_back(request, http)
        if not resp.choices:
            raise ApiFailure("reply has no choices", None, True)
        return resp.choices[0].message.content or ""

    def info(self) -> dict:
        return redact_provenance({**super().info(), "base_url": self.endpoint, "preset": self.preset,
                                  "key_from": self.key_source, "extra_headers": self.extra_headers})

    def close(self) -> None:
        super().close()
        with self._lock:
            clients, self._idle = self._idle, []
        for http in clients:
            http.close()

