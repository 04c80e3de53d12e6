"""Keys go only to the endpoint they belong to (issue 10, item 5). The `openai` critic defaults to the SDK's
own endpoint (api.openai.com, or $OPENAI_BASE_URL), DashScope's compatible mode is the named preset
`dashscope-compatible` (DASHSCOPE_API_KEY), a local server (loopback / private address) needs no key and gets
a placeholder, and any other server gets a key only from a variable the user named for it."""

# ruff: noqa: F811  (pytest fixtures imported from .api_support and requested by name)
from __future__ import annotations

import pytest
from critics.loopback import Step

from engine.critics.endpoints import PLACEHOLDER_KEY, is_local
from engine.errors import BackendError, CriticUnavailable
from engine.registry import CRITICS
from engine.settings import load_settings
from engine.types import InstanceInfo

from .api_support import (  # noqa: F401 (fixtures)
    DASHSCOPE_KEY,
    FAKE_KEY,
    KEY_ENV,
    OPENAI_KEY,
    PROTOCOLS,
    auth_header,
    keys,
    make,
    server,
    view,
)


def test_openai_defaults_to_the_sdks_own_endpoint_with_openai_key(keys):
    critic = CRITICS.create("openai")
    assert critic.endpoint == "https://api.openai.com/v1"
    assert critic._client.api_key == OPENAI_KEY
    assert str(critic._client.base_url).startswith("https://api.openai.com/v1")
    assert critic.model == "gpt-4o-mini"


def test_the_shipped_defaults_do_not_point_openai_at_dashscope(tmp_path, keys):
    settings = load_settings(user_path=tmp_path / "none.json")
    opts = settings["critic"]["options"]["openai"]
    assert opts["base_url"] is None and opts["preset"] is None
    assert "dashscope" not in str(opts).lower()


def test_openai_base_url_env_is_honoured(server, keys, monkeypatch, view):
    """$OPENAI_BASE_URL is the SDK's own setting; pointing it at a local server needs no key."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.openai_url)
    server.default = Step('{"anchors": [2]}')
    critic = CRITICS.create("openai", model="m")
    assert critic.endpoint == server.openai_url
    critic.select_anchors(view, InstanceInfo("crab"), 1)
    assert server.requests and auth_header(server.requests[0]) == f"Bearer {PLACEHOLDER_KEY}"
    assert OPENAI_KEY not in str(server.requests[0].headers)


def test_dashscope_compatible_preset_reads_the_dashscope_key(keys):
    critic = CRITICS.create("openai", preset="dashscope-compatible")
    assert critic.endpoint == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert critic._client.api_key == DASHSCOPE_KEY  # not OPENAI_API_KEY
    assert critic.model == "qwen-vl-plus-latest"
    assert critic.info()["preset"] == "dashscope-compatible"


def test_an_unknown_preset_is_refused(keys):
    with pytest.raises(BackendError, match="dashscope-compatible"):
        CRITICS.create("openai", preset="dashscope")


@pytest.mark.parametrize("name", PROTOCOLS)
def test_a_local_server_needs_no_key_and_gets_a_placeholder(name, server, monkeypatch, view):
    for var in ("OPENAI_API_KEY", "DASHSCOPE_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: None)
    server.default = Step('{"anchors": [2]}')
    make(name, server).select_anchors(view, InstanceInfo("crab"), 1)
    assert auth_header(server.requests[0]) == f"Bearer {PLACEHOLDER_KEY}"


@pytest.mark.parametrize("name", PROTOCOLS)
def test_provider_keys_never_reach_a_local_server(name, server, keys, view):
    server.default = Step('{"anchors": [2]}')
    make(name, server).select_anchors(view, InstanceInfo("crab"), 1)
    sent = str(server.requests[0].headers)
    assert OPENAI_KEY not in sent and DASHSCOPE_KEY not in sent


@pytest.mark.parametrize("name", PROTOCOLS)
def test_a_key_variable_named_by_the_user_goes_to_their_server(name, server, keys, view):
    server.default = Step('{"anchors": [2]}')
    make(name, server, key_env=KEY_ENV).select_anchors(view, InstanceInfo("crab"), 1)
    assert auth_header(server.requests[0]) == f"Bearer {FAKE_KEY}"


@pytest.mark.parametrize("name", PROTOCOLS)
def test_a_provider_key_is_refused_for_another_remote_host(name, keys):
    with pytest.raises(BackendError) as info:
        CRITICS.create(name, base_url="https://vlm.example.com/v1", model="m")
    text = str(info.value)
    assert "key_env" in text and "vlm.example.com" in text
    assert OPENAI_KEY not in text and DASHSCOPE_KEY not in text


def test_a_named_key_that_is_missing_is_a_clear_error_for_a_remote_host(keys, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(CriticUnavailable, match=KEY_ENV):
        CRITICS.create("openai", base_url="https://vlm.example.com/v1", key_env=KEY_ENV, model="m")


def test_dashscope_defaults_to_dashscope_with_its_key(keys):
    critic = CRITICS.create("dashscope")
    assert critic._key == DASHSCOPE_KEY
    assert "dashscope.aliyuncs.com" in critic.info()["base_url"]


@pytest.mark.parametrize("url, local", [
    ("http://127.0.0.1:8000/v1", True), ("http://localhost:11434/v1", True), ("http://[::1]:1234/v1", True),
    ("http://10.0.0.5/v1", True), ("http://192.168.1.20:8000/v1", True), ("http://172.16.3.4/v1", True),
    ("http://169.254.1.1/v1", True), ("https://api.openai.com/v1", False), ("https://8.8.8.8/v1", False),
    ("https://dashscope.aliyuncs.com/compatible-mode/v1", False), ("http://localhost.evil.com/v1", False),
    ("not a url", False), (None, False),
])
def test_local_addresses(url, local):
    assert is_local(url) is local
