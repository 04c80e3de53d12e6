"""One tiny sam2_video folder per session; every test gets its own user dirs and an empty Hugging Face cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.video import tiny_video as tv


@pytest.fixture(scope="session")
def video_model(tmp_path_factory) -> Path:
    return tv.build_sam2_video(tmp_path_factory.mktemp("video_models") / "sam2.1-hiera-tiny")


@pytest.fixture(scope="session")
def blob():
    return tv.moving_blob(6)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg_cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf_hub_empty"))
    monkeypatch.delenv("SAM_SCULPT_MODELS", raising=False)
