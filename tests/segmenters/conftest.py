"""Session-scoped tiny model folders (each built once) and per-test isolation of the model manager, the embedding
caches, the user data dir and the Hugging Face cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.samples import generate_scene
from tests.segmenters import tiny_families as tf


@pytest.fixture(scope="session")
def families_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("families")


@pytest.fixture(scope="session")
def sam2_dir(families_root) -> Path:
    return tf.build_sam2(families_root / "sam2.1-hiera-tiny")


@pytest.fixture(scope="session")
def edgetam_dir(families_root) -> Path:
    return tf.build_edgetam(families_root / "EdgeTAM-hf")


@pytest.fixture(scope="session")
def sam_hq_dir(families_root) -> Path:
    return tf.build_sam_hq(families_root / "sam-hq-vit-base")


@pytest.fixture(scope="session")
def clip_tok():
    from tests.edit.tiny_models import clip_tokenizer

    return clip_tokenizer()


@pytest.fixture(scope="session")
def sam3_dir(families_root, clip_tok) -> Path:
    return tf.build_sam3(families_root / "sam3", clip_tok)


@pytest.fixture(scope="session")
def scene():
    return generate_scene(seed=3, size=(320, 240))


@pytest.fixture()
def cache_dir(tmp_path) -> Path:
    return tmp_path / "emb_cache"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Own ModelManager and caches per test; no real user dirs, no real HF cache."""
    import engine.cache.embeddings as emb
    import engine.models.manager as mm

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg_cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf_hub_empty"))
    monkeypatch.delenv("SAM_SCULPT_MODELS", raising=False)
    emb._SHARED.clear()
    monkeypatch.setattr(mm, "_MANAGER", mm.ModelManager())
    yield
    mm._MANAGER.unload_all("test finished")
