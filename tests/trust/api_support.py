"""Shared pieces of the API-critic trust tests: a loopback server, a fake key under a named variable, a critic
view of the demo sample and a helper that builds a critic pointed at the server."""

# ruff: noqa: F811  (the server fixture is imported from critics.support and requested by name)
from __future__ import annotations

import pytest
from critics.support import copy_demo_aux, server, shifted_view  # noqa: F401 (fixture)

from engine.registry import CRITICS
from engine.samples import sample_scene

FAKE_KEY = "sk-trust-SECRET-9876543210fedcba"
OPENAI_KEY = "sk-openai-ONLY-FOR-OPENAI-0123456789"
DASHSCOPE_KEY = "sk-dashscope-ONLY-FOR-ALIYUN-0123456789"
KEY_ENV = "TRUST_LOOPBACK_KEY"
PROTOCOLS = ["openai", "dashscope"]


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
    return shifted_view(sample_scene("demo"), max_side=320)


@pytest.fixture
def aux(tmp_path):
    """A private copy of the demo image and its boxes."""
    return copy_demo_aux(tmp_path / "aux")


def url_of(server, name: str) -> str:
    return server.openai_url if name == "openai" else server.dashscope_url


def make(name: str, server, **options):
    opts = {"model": "test-vl", "base_url": url_of(server, name), "backoff_s": 0.01, "backoff_max_s": 0.05, **options}
    return CRITICS.create(name, **opts)


def auth_header(recorded) -> str:
    return {k.lower(): v for k, v in recorded.headers.items()}.get("authorization", "")
