"""What the tiny-Qwen critic tests (tests/critics/test_critic_qwen.py, tests/models/test_qwen3.py) share: the
`qwen` critic on a tiny random-weight folder, unloaded at the end, and the two square requests of different
prompt lengths and image sizes a batched generate pads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from engine.critics.vlm import VLMRequest
from engine.registry import CRITICS


def tiny_qwen_critic(model_dir: Path, small: dict[str, Any]) -> Iterator[Any]:
    """For a fixture (`yield from`): the critic on `model_dir`, on the CPU, with the `small` options."""
    critic = CRITICS.create("qwen", model_path=str(model_dir), device="cpu", **small)
    yield critic
    critic.unload("test ended")


def uneven_square_requests(prompt: str, max_tokens: int) -> list[VLMRequest]:
    """Two square requests whose prompts and images differ in length and size (seeded random images)."""
    rng = np.random.default_rng(1)
    return [VLMRequest("square", prompt + " please" * i, rng.integers(0, 255, (200 + 60 * i, 260, 3), dtype=np.uint8),
                       max_tokens) for i in range(2)]
