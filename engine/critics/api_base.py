"""Request logic shared by the API critics: per-request timeout, retries with exponential backoff + jitter
on timeouts / 429 / 5xx (honouring Retry-After), one overall deadline per round, and bounded concurrency
so the K square requests of a round overlap instead of running one after another."""

from __future__ import annotations

import base64
import logging
import random
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import cv2
import numpy as np

from engine.critics.base import CriticView
from engine.critics.parsing import CONVENTIONS
from engine.critics.secrets import install_log_redaction, redact, redact_provenance
from engine.critics.verdict import Verdict
from engine.critics.vlm import VLMAnswer, VLMCritic, VLMRequest
from engine.errors import BackendError
from engine.settings import is_secret_key
from engine.types import CriticReply, InstanceInfo

log = logging.getLogger("sam_sculpt.critics")
RETRY_STATUS = (408, 409, 429, 500, 502, 503, 504)


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 60.0  # one attempt
    max_retries: int = 3  # attempts = 1 + max_retries
    backoff_s: float = 1.0  # first backoff; doubles each retry
    backoff_max_s: float = 20.0
    jitter: float = 0.25  # +- fraction of the backoff
    round_deadline_s: float = 180.0  # everything of one round (all requests, all retries)
    concurrency: int = 4  # requests in flight at once

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.round_deadline_s <= 0 or self.concurrency < 1 or self.max_retries < 0:
            raise BackendError("critic retry settings: timeout_s, round_deadline_s and concurrency must be positive, "
                               "max_retries >= 0")

    def backoff(self, retry: int, rng: random.Random) -> float:
        base = min(self.backoff_max_s, self.backoff_s * (2**retry))
        return max(0.0, base * (1.0 + rng.uniform(-self.jitter, self.jitter)))


class ApiFailure(Exception):
    """One failed attempt, normalised from an SDK's error: HTTP status (None for timeouts and refused
    connections), whether a retry may help, and the server's Retry-After in seconds."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


def retry_after_seconds(headers: object) -> float | None:
    """Retry-After (seconds or an HTTP date) or retry-after-ms from a header mapping."""
    if headers is None or not hasattr(headers, "get"):
        return None
    ms = headers.get("retry-after-ms") or headers.get("Retry-After-Ms")
    try:
        if ms is not None:
            return max(0.0, float(ms) / 1000.0)
    except ValueError:
        pass
    value = headers.get("retry-after") or headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(str(value)).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def data_uri(image: np.ndarray, fmt: str = "jpeg", jpeg_quality: int = 92) -> str:
    """JPEG by default: ~10x faster to encode and ~5x smaller than PNG, which matters when K requests
    leave at once; PNG for lossless overlays."""
    fmt = fmt.lower()
    params = [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)] if fmt in ("jpg", "jpeg") else []
    ok, buf = cv2.imencode(f".{'jpg' if fmt == 'jpeg' else fmt}", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise BackendError(f"could not encode an image as {fmt}")
    mime = "jpeg" if fmt in ("jpg", "jpeg") else fmt
    return f"data:image/{mime};base64,{base64.b64encode(buf.tobytes()).decode('ascii')}"


class ApiCritic(VLMCritic):
    """Subclasses implement call(request, timeout_s) -> text, raising ApiFailure on a failed attempt."""

    def __init__(self, model: str, base_url: str | None, coords: str, policy: RetryPolicy, key_env: str,
                 image_format: str = "jpeg", seed: int | None = None) -> None:
        if coords not in CONVENTIONS:
            raise BackendError(f"critic '{self.name}': coords must be one of {', '.join(CONVENTIONS)}, not {coords!r}")
        if image_format.lower() not in ("jpeg", "jpg", "png"):
            raise BackendError(f"critic '{self.name}': image_format must be jpeg or png, not {image_format!r}")
        self.model = model
        self.base_url = base_url
        self.coords = coords
        self.policy = policy
        self.key_env = key_env
        self.image_format = image_format
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._local = threading.local()  # the view (round) this thread is asking about
        install_log_redaction()  # the SDKs log request URLs: userinfo / ?api-key= are masked before any handler writes
        self._pool = ThreadPoolExecutor(max_workers=policy.concurrency, thread_name_prefix=f"critic-{self.name}")

    def call(self, request: VLMRequest, timeout_s: float) -> str:
        raise NotImplementedError

    def cancel(self, request: VLMRequest) -> None:
        """Abort `request`'s transfer (called from another thread when its wall-clock budget ran out). The
        default abandons it: the worker thread finishes or times out in the background, nobody waits for it."""

    # ---- one round = one deadline ----------------------------------------------------------------
    # the questions of a round (anchors + squares, or points) all see the same CriticView: its `deadline`
    # (monotonic seconds, set when the round's first request leaves) bounds every request and retry of the
    # round together
    @contextmanager
    def _round_of(self, view: CriticView) -> Iterator[None]:
        previous = getattr(self._local, "view", None)
        self._local.view = view
        try:
            yield
        finally:
            self._local.view = previous

    def _deadline(self) -> float:
        view: CriticView | None = getattr(self._local, "view", None)
        if view is None:  # asked outside a round (locate): one deadline for this call
            return time.monotonic() + self.policy.round_deadline_s
        if view.deadline is None:
            view.deadline = time.monotonic() + self.policy.round_deadline_s
        return view.deadline

    def select_anchors(self, view: CriticView, instance: InstanceInfo, k: int) -> CriticReply:
        with self._round_of(view):
            return super().select_anchors(view, instance, k)

    def judge_squares(self, view: CriticView, anchor_ids: Sequence[int], instance: InstanceInfo) -> list[CriticReply]:
        with self._round_of(view):
            return super().judge_squares(view, anchor_ids, instance)

    def propose_points(self, view: CriticView, instance: InstanceInfo, max_points: int) -> CriticReply:
        with self._round_of(view):
            return super().propose_points(view, instance, max_points)

    def verdict(self, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
        with self._round_of(after):  # a verdict is its own step: the views are new, so is its deadline
            return super().verdict(before, after, instance)

    def ask(self, requests: Sequence[VLMRequest]) -> list[VLMAnswer]:
        deadline = self._deadline()
        if len(requests) == 1:
            return [self._with_retries(requests[0], deadline)]
        futures = [self._pool.submit(self._with_retries, r, deadline) for r in requests]
        return [f.result() for f in futures]

    def _with_retries(self, request: VLMRequest, deadline: float) -> VLMAnswer:
        t0 = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                return self._failed(request, t0, attempt - 1, "the round's deadline passed")
            try:
                text = self._call_within(request, min(self.policy.timeout_s, remaining))
                return VLMAnswer(text or "", time.perf_counter() - t0, attempt)
            except ApiFailure as exc:
                failure = exc
            except Exception as exc:  # an SDK surprise (bad payload, validation): a failed request, not a crash
                return self._failed(request, t0, attempt, f"{type(exc).__name__}: {str(exc)[:200]}")
            what = f"HTTP {failure.status}" if failure.status else "no response"
            if not failure.retryable or attempt > self.policy.max_retries:
                return self._failed(request, t0, attempt, f"{what}: {failure}")
            with self._rng_lock:
                delay = self.policy.backoff(attempt - 1, self._rng)
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            if time.monotonic() + delay >= deadline:
                return self._failed(request, t0, attempt, f"{what}: {failure} (no time left to retry before the deadline)")
            log.info("%s: %s request attempt %d failed (%s: %s); retrying in %.2fs", self.name, request.prompt_id,
                     attempt, what, redact(failure), delay)
            time.sleep(delay)

    def _call_within(self, request: VLMRequest, budget_s: float) -> str:
        """call() with a wall-clock limit: SDK timeouts are per socket read, so a server that sends one byte
        at a time would hold a request for ever. The call runs in a daemon thread; when the budget is spent
        the request is cancelled (or abandoned) and the attempt fails as a timeout."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["text"] = self.call(request, budget_s)
            except BaseException as exc:  # handed to the caller's thread as is
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name=f"critic-{self.name}-request", daemon=True).start()
        if not done.wait(budget_s):
            try:
                self.cancel(request)
            except Exception as exc:  # cancelling is best effort
                log.debug("%s: cancelling a request failed: %s", self.name, type(exc).__name__)
            raise ApiFailure(f"timed out after {budget_s:.1f}s (no complete reply; wall-clock limit)")
        if "error" in box:
            raise box["error"]
        return box["text"]

    def _failed(self, request: VLMRequest, t0: float, attempts: int, why: str) -> VLMAnswer:
        why = redact(why)
        log.warning("%s: %s request failed after %d attempt(s): %s", self.name, request.prompt_id, attempts, why)
        return VLMAnswer("", time.perf_counter() - t0, attempts, error=why)

    def info(self) -> dict:
        return redact_provenance({"name": self.name, "model": self.model, "base_url": self.base_url,
                                  "coords": self.coords, "key_from": f"env {self.key_env} or keyring",
                                  "retry": asdict(self.policy)})

    def close(self) -> None:
        self._pool.shutdown(wait=False)


def policy_from_options(options: dict) -> RetryPolicy:
    fields = RetryPolicy.__dataclass_fields__
    if any(is_secret_key(k) for k in options):
        raise BackendError("API keys are never read from settings: set the key_env variable (e.g. OPENAI_API_KEY, "
                           "DASHSCOPE_API_KEY) or store the key in the OS keyring")
    unknown = set(options) - set(fields)
    if unknown:
        raise BackendError(f"unknown critic option(s): {', '.join(sorted(unknown))}")
    try:
        return RetryPolicy(**{k: type(getattr(RetryPolicy, k))(v) for k, v in options.items()})
    except (TypeError, ValueError):
        raise BackendError(f"critic retry options must be numbers: {options}") from None
