"""Fixtures shared by the segmenter test folders (tests/segmenters, tests/sam): a synthetic scene, a per-test
embedding cache dir, and per-test isolation of the model manager, the embedding caches, the user cache and data
dirs and the Hugging Face cache. A conftest imports them by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.samples import generate_scene


@pytest.fixture(scope="session")
def scene():
    return generate_scene(seed=3, size=(320, 240))


@pytest.fixture()
def cache_dir(tmp_path) -> Path:
    return tmp_path / "emb_cache"


def isolate_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user cache and data dirs under tmp_path, an empty Hugging Face cache, no SAM_SCULPT_MODELS."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg_cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf_hub_empty"))
    monkeypatch.delenv("SAM_SCULPT_MODELS", raising=False)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Own ModelManager and caches per test; no real user dirs, no real HF cache."""
    import engine.cache.embeddings as emb
    import engine.models.manager as mm

    isolate_user_dirs(tmp_path, monkeypatch)
    emb._SHARED.clear()
    monkeypatch.setattr(mm, "_MANAGER", mm.ModelManager())
    yield
    mm._MANAGER.unload_all("test finished")
