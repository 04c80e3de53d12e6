"""Fixtures for the critic tests: a tiny real Qwen2.5-VL checkpoint (built once per session), scripted
loopback servers for the OpenAI and DashScope protocols, a fake API key, and a critic view of a sample."""

from __future__ import annotations

import pytest

from engine.samples import sample_scene

from .support import server, shifted_view  # noqa: F401 (fixture)
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
    return shifted_view(scene, max_side=480)
