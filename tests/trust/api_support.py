"""Shared pieces of the API-critic trust tests: a loopback server, a fake key under a named variable, a critic
view of the demo sample and a helper that builds a critic pointed at the server."""

from __future__ import annotations

import numpy as np
import pytest
from critics.loopback import LoopbackVLMServer

from engine.critics.base import CriticView
from engine.geometry.anchors import place_anchors
from engine.geometry.squares import make_squares
from engine.registry import CRITICS
from engine.samples import sample_scene

FAKE_KEY = "sk-trust-SECRET-9876543210fedcba"
OPENAI_KEY = "sk-openai-ONLY-FOR-OPENAI-0123456789"
DASHSCOPE_KEY = "sk-dashscope-ONLY-FOR-ALIYUN-0123456789"
KEY_ENV = "TRUST_LOOPBACK_KEY"
PROTOCOLS = ["openai", "dashscope"]


@pytest.fixture
def server():
    srv = LoopbackVLMServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def keys(monkeypatch):
    """OPENAI_API_KEY, DASHSCOPE_API_KEY and a user-named variable, all distinct; no keyring, no OPENAI_BASE_URL."""
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("DASHSCOPE_API_KEY", DASHSCOPE_KEY)
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: None)


@pytest.fixture
def view():
    scene = sample_scene("demo")
    mask = np.roll(scene.gt, 12, axis=1)
    anchors = place_anchors(mask, scene.box)
    v = CriticView(scene.image, mask, scene.box, anchors, max_side=320)
    v.squares = make_squares(mask, [a for a in anchors if a.id <= 4], scene.box, 0.6, 16)
    return v


def url_of(server, name: str) -> str:
    return server.openai_url if name == "openai" else server.dashscope_url


def make(name: str, server, **options):
    opts = {"model": "test-vl", "base_url": url_of(server, name), "backoff_s": 0.01, "backoff_max_s": 0.05, **options}
    return CRITICS.create(name, **opts)


def auth_header(recorded) -> str:
    return {k.lower(): v for k, v in recorded.headers.items()}.get("authorization", "")
