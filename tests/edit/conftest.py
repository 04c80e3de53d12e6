"""Tiny CLIP and SD inpainting models, built once per session and saved like real model folders."""

from __future__ import annotations

import numpy as np
import pytest

from engine.samples import generate_scene
from tests.edit.tiny_models import build_sd_inpaint, build_tiny_clip, clip_tokenizer


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """The tiny models are far faster on one thread than on two threads fighting other processes for
    a shared CPU; restored afterwards so other suites keep their setting."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def clip_tok():
    return clip_tokenizer()


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory, clip_tok):
    return build_tiny_clip(tmp_path_factory.mktemp("models") / "clip-tiny", clip_tok)


@pytest.fixture(scope="session")
def tiny_sd_dir(tmp_path_factory, clip_tok):
    return build_sd_inpaint(tmp_path_factory.mktemp("models") / "sd-inpaint-tiny", clip_tok)


@pytest.fixture(scope="session")
def scene():
    return generate_scene(seed=5, size=(320, 240), instance="crab")


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """bool (H, W): pixels that differ in any channel."""
    return (a != b).any(axis=2)
