"""Fixtures for the critic tests: a tiny real Qwen2.5-VL checkpoint (built once per session), scripted
loopback servers for the OpenAI and DashScope protocols, a fake API key, and a critic view of a sample."""

from __future__ import annotations

import numpy as np
import pytest

from engine.critics.base import CriticView
from engine.geometry.anchors import place_anchors
from engine.geometry.squares import make_squares
from engine.samples import sample_scene

from .loopback import LoopbackVLMServer
from .tiny_qwen import build_tiny_qwen

FAKE_KEY = "sk-loopback-SECRET-0123456789abcdef"
# a local server gets a placeholder unless the user names the key's variable: the tests name one, so they can
# check that the key is sent (to the server it was named for) and never written anywhere
KEY_ENV = "LOOPBACK_API_KEY"
FAST_RETRY = {"timeout_s": 5.0, "max_retries": 3, "backoff_s": 0.01, "backoff_max_s": 0.05, "round_deadline_s": 20.0,
              "concurrency": 4, "key_env": KEY_ENV}


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory):
    return build_tiny_qwen(tmp_path_factory.mktemp("qwen") / "Qwen2.5-VL-tiny")


@pytest.fixture
def server():
    srv = LoopbackVLMServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def api_keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("DASHSCOPE_API_KEY", FAKE_KEY)
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: None)  # never touch a real keychain
    return FAKE_KEY


@pytest.fixture
def scene():
    return sample_scene("demo")


@pytest.fixture
def view(scene):
    """The demo scene with a deliberately wrong mask (GT shifted), 8 anchors and squares for anchors 1-4."""
    mask = np.roll(scene.gt, 12, axis=1)
    anchors = place_anchors(mask, scene.box)
    v = CriticView(scene.image, mask, scene.box, anchors, max_side=480)
    v.squares = make_squares(mask, [a for a in anchors if a.id <= 4], scene.box, 0.6, 16)
    return v
