"""The verdict after a round: the critic compares the mask before and after the round and says whether the
round made it better, worse or left it the same. A "worse" verdict reverts the round (engine/sculpt); any
other outcome, or a verdict that could not be obtained, keeps it (today's behaviour)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from engine.critics.base import CriticView
from engine.critics.secrets import redact
from engine.errors import BackendError
from engine.types import InstanceInfo

log = logging.getLogger("sam_sculpt.critics")


class Outcome(str, Enum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"


@dataclass
class Verdict:
    """outcome of the round (after vs before), why, how sure (0..1) and the backend's raw reply (redacted).
    error is set when no verdict could be obtained: the outcome is then SAME with confidence 0."""

    outcome: Outcome
    reason: str = ""
    confidence: float = 1.0
    raw: str = ""
    backend: str = ""
    latency_s: float = 0.0
    error: str | None = None
    fallback: bool = False  # the reply was unusable / came from a later critic of a fallback chain

    @property
    def worse(self) -> bool:
        return self.outcome is Outcome.WORSE

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "reason": self.reason, "confidence": round(float(self.confidence), 4),
                "raw": self.raw, "backend": self.backend, "latency_s": round(float(self.latency_s), 4),
                "error": self.error, "fallback": self.fallback}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        return cls(Outcome(d.get("outcome", "same")), str(d.get("reason", "")), float(d.get("confidence", 1.0)),
                   str(d.get("raw", "")), str(d.get("backend", "")), float(d.get("latency_s", 0.0)), d.get("error"),
                   bool(d.get("fallback", False)))


def unavailable(backend: str, why: str, latency_s: float = 0.0) -> Verdict:
    """The verdict to record when none could be obtained: keep the round."""
    why = redact(why)
    return Verdict(Outcome.SAME, f"no verdict: {why}", 0.0, "", backend, latency_s, why, True)


def ask_verdict(critic: Any, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
    """critic.verdict(before, after, instance), never raising for a critic that cannot answer: a critic without
    a verdict method, or one that fails (no key, timeouts, no GT...), gives unavailable(...) (the round is kept)."""
    name = getattr(critic, "name", type(critic).__name__)
    fn = getattr(critic, "verdict", None)
    if fn is None:
        return unavailable(name, f"critic '{name}' gives no verdicts")
    t0 = time.perf_counter()
    try:
        return fn(before, after, instance)
    except BackendError as exc:  # CriticUnavailable is a BackendError
        log.warning("%s: no verdict (%s); keeping the round", name, redact(exc))
        return unavailable(name, str(exc), time.perf_counter() - t0)


def view_of(image: Any, mask: Any, box: Any, max_side: int = 720) -> CriticView:
    """A CriticView with no anchors: all a verdict needs (image, a mask, the ROI)."""
    return CriticView(image, mask.astype(bool), box, [], max_side=max_side)
