"""The verdict after an applied round, as the sculpting loop uses it (engine.critics.verdict defines
the Verdict and the critics' verdict method: /work/coord/verdict_api.md).

judge(...) returns (verdict, failure): failure is the error text when a critic that gives verdicts
could not answer (recorded in sculpt.json; the round is kept), None otherwise."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.critics.verdict import Outcome, Verdict, ask_verdict, unavailable, view_of
from engine.types import Box, InstanceInfo

__all__ = ["Outcome", "Verdict", "judge"]


def judge(critic: Any, image: np.ndarray, before: np.ndarray, after: np.ndarray, box: Box,
          instance: InstanceInfo, max_side: int = 720) -> tuple[Verdict, str | None]:
    name = getattr(critic, "name", type(critic).__name__)
    if critic is None or getattr(critic, "verdict", None) is None:
        return unavailable(name, f"critic '{name}' gives no verdicts"), None
    v = ask_verdict(critic, view_of(image, before, box, max_side), view_of(image, after, box, max_side), instance)
    return v, v.error
