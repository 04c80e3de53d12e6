"""The backend menus' cache (engine.models.listing_choices): keyed by what the answer depends on, forgotten
on request, and it keeps no API key."""

from __future__ import annotations

import json

import pytest

import engine.models.listing_choices as lc
from engine.models.listing_choices import Need


@pytest.fixture
def bare(bare_discovery):
    return bare_discovery


def test_refresh_is_remembered_until_invalidated(bare):
    names = ["grabcut", "sam2"]
    assert lc.cached_choices("segmenters", names) is None
    full = lc.refresh_choices("segmenters", names)
    assert lc.cached_choices("segmenters", names) == full
    lc.invalidate_choices()
    assert lc.cached_choices("segmenters", names) is None


def test_the_key_changes_with_settings_weights_dirs_and_keys(bare, tmp_path, monkeypatch):
    names = ["heuristic", "openai"]
    lc.refresh_choices("critics", names, {})
    other = {"critic": {"options": {"openai": {"base_url": "http://localhost:11434/v1"}}}}
    assert lc.cached_choices("critics", names, other) is None, "settings are part of the key"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000")
    assert lc.cached_choices("critics", names, {}) is None, "a key set since is part of the key"
    key = lc.fingerprint("critics", names, {})
    assert "sk-test" not in json.dumps(key), "only whether a key is set, never the key"
    monkeypatch.setenv("SAM_SCULPT_MODELS", str(tmp_path / "elsewhere"))
    assert lc.fingerprint("critics", names, {}) != key, "where weights are looked for is part of the key"


def test_without_the_keyring_a_key_comes_from_the_environment_only(bare, monkeypatch):
    import engine.critics.secrets as secrets

    pytest.importorskip("openai")
    asked: list[str] = []
    monkeypatch.setattr(secrets, "_from_keyring", lambda user: asked.append(user) or "sk-stub-000000000")
    assert lc.choice("critics", "openai", {}, keyring=False).missing is Need.KEY
    assert not asked, "keyring=False never asks the keyring"
    assert lc.choice("critics", "openai", {}).missing is Need.NOTHING
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000")
    assert lc.choice("critics", "openai", {}, keyring=False).missing is Need.NOTHING
