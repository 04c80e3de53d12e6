"""Session-scoped tiny model folders (each built once) and per-test isolation of the model manager, the embedding
caches, the user data dir and the Hugging Face cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.segmenters import tiny_families as tf
from tests.segmenters.isolation import _isolated, cache_dir, scene  # noqa: F401 (fixtures)


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
