"""One tiny sam2_video folder per session; every test gets its own user dirs and an empty Hugging Face cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.segmenters.isolation import isolate_user_dirs
from tests.video import tiny_video as tv


@pytest.fixture(scope="session")
def video_model(tmp_path_factory) -> Path:
    return tv.build_sam2_video(tmp_path_factory.mktemp("video_models") / "sam2.1-hiera-tiny")


@pytest.fixture(scope="session")
def blob():
    return tv.moving_blob(6)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_user_dirs(tmp_path, monkeypatch)
