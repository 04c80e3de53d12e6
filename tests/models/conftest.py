"""Fixtures for the model-manager tests: tiny random-weight model folders saved with save_pretrained."""

from __future__ import annotations

import pytest

from .tiny_qwen3 import build_tiny_qwen3


@pytest.fixture(scope="session")
def tiny_qwen3_dir(tmp_path_factory):
    return build_tiny_qwen3(tmp_path_factory.mktemp("qwen3") / "Qwen3-VL-tiny")
