"""The openai and dashscope critics through their real SDK clients against loopback servers: what is sent,
scripted replies parsed, 429/500/timeouts retried (Retry-After honoured) then given up, concurrency."""

from __future__ import annotations

import base64
import json

import pytest

from engine.critics.vlm import RoundUnavailable
from engine.errors import CriticUnavailable
from engine.registry import CRITICS
from engine.types import InstanceInfo, PointLabel

from .conftest import FAST_RETRY, KEY_ENV
from .loopback import Step, max_overlap

PROTOCOLS = ["openai", "dashscope"]


def make(name: str, server, **over):
    opts = {**FAST_RETRY, **over}
    url = server.openai_url if name == "openai" else server.dashscope_url
    return CRITICS.create(name, model="test-vl", base_url=url, **opts)


@pytest.mark.parametrize("name", PROTOCOLS)
def test_request_carries_image_prompt_and_key_and_reply_is_parsed(name, server, api_keys, view):
    server.script = [Step('Here: ```json\n{"anchors": [{"id": 6, "intent": "recover_miss", "score": 0.8, '
                          '"reason": "tail cut off"}, {"id": 2, "score": 0.3},]}\n```')]
    critic = make(name, server, image_format="png")
    info = InstanceInfo("crab", synonyms=["shore crab"], distractors=["pebbles"])
    reply = critic.select_anchors(view, info, k=3)
    assert [c.anchor_id for c in reply.parsed] == [6, 2] and not reply.fallback
    assert reply.backend == name and reply.prompt_id == "anchors" and "tail cut off" in reply.raw
    (req,) = server.requests
    prompt = req.prompt_text()
    assert "crab" in prompt and "shore crab" in prompt and "pebbles" in prompt and "anatomy" in prompt
    (url,) = req.image_urls()
    assert url.startswith("data:image/png;base64,")
    png = base64.b64decode(url.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert req.body.get("model") == "test-vl"
    auth = {k.lower(): v for k, v in req.headers.items()}["authorization"]
    assert auth == f"Bearer {api_keys}"


@pytest.mark.parametrize("name", PROTOCOLS)
def test_square_round_runs_concurrently_and_parses_each(name, server, api_keys, view):
    server.latency_s = 1.0  # long enough that a loaded CI machine still starts the four requests inside it
    replies = {1: '{"region": 2, "action": "pos"}', 2: '{"region": 1, "action": "neg"}', 3: "no idea", 4: '{"region": null}'}

    def respond(rec):
        aid = next(a for a in replies if f"anchor {a} " in rec.prompt_text())
        return Step(replies[aid])

    server._responder = respond
    critic = make(name, server)
    out = critic.judge_squares(view, [1, 2, 3, 4], InstanceInfo("crab"))
    assert [(r.parsed.anchor_id, r.parsed.region, r.parsed.action) for r in out] == [
        (1, 2, PointLabel.POS), (2, 1, PointLabel.NEG), (3, None, None), (4, None, None)]
    assert [r.fallback for r in out] == [False, False, True, False]
    assert out[2].raw == "no idea" and out[2].error
    assert len(server.requests) == 4
    # in flight together, not one after another (which would be 1); 4 on a quiet machine
    assert max_overlap(server.requests) >= 3


@pytest.mark.parametrize("name", PROTOCOLS)
def test_429_and_500_are_retried_honouring_retry_after(name, server, api_keys, view):
    server.script = [Step(status=429, headers={"Retry-After": "0.4"}), Step(status=500), Step(status=503),
                     Step('{"region": 2, "action": "pos"}')]
    critic = make(name, server)
    (reply,) = critic.judge_squares(view, [1], InstanceInfo("crab"))
    assert reply.parsed.region == 2
    reqs = server.requests
    assert len(reqs) == 4
    assert reqs[1].start - reqs[0].end >= 0.35  # waited as long as Retry-After said (backoff alone is <= 0.05 s)


@pytest.mark.parametrize("name", PROTOCOLS)
def test_timeouts_are_retried_then_the_critic_gives_up(name, server, api_keys, view):
    server.default = Step('{"region": 1}', delay_s=1.5)
    critic = make(name, server, timeout_s=0.3, max_retries=2)
    with pytest.raises(CriticUnavailable, match="timed out"):
        critic.select_anchors(view, InstanceInfo("crab"), 3)
    assert len(server.requests) == 3  # 1 + 2 retries


@pytest.mark.parametrize("name", PROTOCOLS)
def test_client_errors_are_not_retried(name, server, api_keys, view):
    server.default = Step(status=400)
    critic = make(name, server)
    with pytest.raises(CriticUnavailable, match="400"):
        critic.select_anchors(view, InstanceInfo("crab"), 3)
    assert len(server.requests) == 1


def test_round_deadline_bounds_the_retries(server, api_keys, view):
    server.default = Step(status=503, headers={"Retry-After": "5"})
    critic = make("openai", server, round_deadline_s=1.0, max_retries=10)
    with pytest.raises(RoundUnavailable) as info:
        critic.judge_squares(view, [1, 2], InstanceInfo("crab"))
    assert info.value.partial == [None, None]
    assert "deadline" in str(info.value)
    assert len(server.requests) == 2  # Retry-After 5 s does not fit in the 1 s round: no second attempt


def test_partial_round_failure_keeps_the_answers_that_arrived(server, api_keys, view):
    def respond(rec):
        return Step(status=500) if "anchor 2 " in rec.prompt_text() else Step('{"region": 2, "action": "pos"}')

    server._responder = respond
    critic = make("openai", server, max_retries=1)
    with pytest.raises(RoundUnavailable) as info:
        critic.judge_squares(view, [1, 2, 3], InstanceInfo("crab"))
    got = info.value.partial
    assert got[1] is None and got[0].parsed.region == 2 and got[2].parsed.region == 2


def test_direct_points_in_norm1000_are_mapped_to_image_pixels(server, api_keys, view):
    server.script = [Step(json.dumps({"points": [{"x": 500, "y": 250, "label": "neg", "reason": "rock"},
                                                 {"x": 2000, "y": 10, "label": "pos"}]}))]
    critic = make("openai", server, coords="norm1000")
    reply = critic.propose_points(view, InstanceInfo("crab"), max_points=5)
    (p,) = reply.parsed
    assert (p.x, p.y, p.label) == (view.width * 0.5, view.height * 0.25, PointLabel.NEG)
    assert "0 to 1000" in server.requests[0].prompt_text()


def test_missing_key_is_a_clear_error(monkeypatch, server):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: None)
    with pytest.raises(CriticUnavailable, match="OPENAI_API_KEY"):
        CRITICS.create("openai")  # api.openai.com needs its key


def test_key_from_keyring_when_env_is_empty(monkeypatch, server, view):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: "sk-from-keyring-123456789")
    server.script = [Step('{"anchors": [3]}')]
    make("openai", server).select_anchors(view, InstanceInfo("crab"), 3)
    auth = {k.lower(): v for k, v in server.requests[0].headers.items()}["authorization"]
    assert auth == "Bearer sk-from-keyring-123456789"


def test_dashscope_high_resolution_flag_and_pixel_convention(server, api_keys, view):
    server.script = [Step('{"points": [{"x": 364, "y": 0, "label": "pos"}]}')]
    critic = make("dashscope", server, high_resolution=True, coords="pixels")
    reply = critic.propose_points(view, InstanceInfo("crab"), 3)
    body = server.requests[0].body
    assert body["parameters"].get("vl_high_resolution_images") is True
    sent_h, sent_w = view.anchor_overlay.image.shape[:2]
    space_w, space_h = critic.coord_space(sent_w, sent_h)
    assert space_w % 28 == 0 and space_h % 28 == 0
    assert f"{int(space_w)} x {int(space_h)}" in server.requests[0].prompt_text()
    assert reply.parsed[0].x == pytest.approx(364 / space_w * view.width)
