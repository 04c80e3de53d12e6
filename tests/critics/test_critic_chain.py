"""The fallback chain (settings critic.fallback_chain) built by build_critic: every hop is taken only when
needed, logged, and recorded in the reply (hops / fallback / error)."""

from __future__ import annotations

import logging

import pytest

from engine.critics.chain import FallbackChain
from engine.errors import CriticUnavailable
from engine.sculpt.runner import build_critic
from engine.settings import load_settings
from engine.types import InstanceInfo

from .conftest import FAST_RETRY, KEY_ENV
from .loopback import Step


def chain_settings(tmp_path, server, chain, first="openai", **over):
    opts = {**FAST_RETRY, "max_retries": 1, "base_url": server.openai_url, "model": "test-vl", **over}
    return load_settings(user_path=tmp_path / "none.json",
                         overrides={"critic": {"name": first, "fallback_chain": chain, "options": {"openai": opts}}})


def test_failing_api_falls_back_to_heuristic_and_records_the_hop(tmp_path, server, api_keys, view, caplog):
    server.default = Step(status=500)
    critic = build_critic(chain_settings(tmp_path, server, ["heuristic"]))
    assert isinstance(critic, FallbackChain) and critic.names == ["openai", "heuristic"]
    with caplog.at_level(logging.WARNING):
        reply = critic.select_anchors(view, InstanceInfo("crab"), 3)
    assert reply.backend == "heuristic" and reply.hops == ["openai", "heuristic"] and reply.fallback
    assert "openai" in reply.error and "500" in reply.error
    assert "falling back to 'heuristic'" in caplog.text
    assert len(server.requests) == 2  # one retry, then the hop
    info = critic.info()
    assert info["chain"] == ["openai", "heuristic"] and info["hops"]


def test_only_the_failed_squares_go_to_the_next_critic(tmp_path, server, api_keys, view):
    def respond(rec):
        return Step(status=503) if "anchor 3 " in rec.prompt_text() else Step('{"region": 2, "action": "pos"}')

    server._responder = respond
    critic = build_critic(chain_settings(tmp_path, server, ["heuristic"]))
    replies = critic.judge_squares(view, [1, 2, 3, 4], InstanceInfo("crab"))
    assert [r.backend for r in replies] == ["openai", "openai", "heuristic", "openai"]
    assert replies[2].hops == ["openai", "heuristic"] and replies[2].fallback
    assert replies[0].hops == ["openai"] and not replies[0].fallback and replies[0].error is None
    assert sum("anchor 3 " in r.prompt_text() for r in server.requests) == 2  # tried + retried, then handed on


def test_a_critic_that_cannot_be_built_is_skipped_once(tmp_path, server, monkeypatch, view):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: None)
    critic = build_critic(chain_settings(tmp_path, server, ["heuristic"], base_url="https://vlm.example.com/v1"))
    first = critic.select_anchors(view, InstanceInfo("crab"), 3)
    second = critic.select_anchors(view, InstanceInfo("crab"), 3)
    assert first.backend == second.backend == "heuristic"
    assert first.hops == ["openai", "heuristic"] and KEY_ENV in first.error
    assert len(critic.events) == 1  # set-up tried once, not per question
    assert not server.requests


def test_every_critic_failing_is_one_clear_error(tmp_path, server, api_keys, view):
    server.default = Step(status=500)
    settings = chain_settings(tmp_path, server, ["dashscope"])
    settings["critic"]["options"]["dashscope"].update({**FAST_RETRY, "max_retries": 0, "base_url": server.dashscope_url})
    critic = build_critic(settings)
    with pytest.raises(CriticUnavailable, match="no critic in the chain openai>dashscope"):
        critic.select_anchors(view, InstanceInfo("crab"), 3)
    assert {r.protocol for r in server.requests} == {"openai", "dashscope"}


def test_no_chain_configured_gives_the_plain_critic(tmp_path, server, api_keys):
    critic = build_critic(chain_settings(tmp_path, server, []))
    assert critic.name == "openai" and not isinstance(critic, FallbackChain)
