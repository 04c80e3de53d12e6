"""What the backend menus are told runs here (engine.models.listing_choices, Qt-free)."""

from __future__ import annotations

import pytest

from engine.models.listing_choices import Need, choice

pytest.importorskip("openai")


def test_an_api_critic_on_a_local_server_needs_no_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setattr("engine.models.listing_choices._key_found", lambda env: False)
    local = {"critic": {"options": {"openai": {"base_url": "http://localhost:11434/v1"}}}}
    assert choice("critics", "openai", local).missing is Need.NOTHING  # it gets a placeholder key
    remote = {"critic": {"options": {"openai": {"base_url": "https://api.example.com/v1"}}}}
    assert choice("critics", "openai", remote).missing is Need.KEY
    assert choice("critics", "openai", {}).missing is Need.KEY
