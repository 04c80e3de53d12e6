"""Every critic point carries a confidence (issue 14, item 2): VLMs from the reply (1.0 when the reply has none),
the heuristic from its evidence, the oracle 1.0. Point.confidence survives to_dict/from_dict."""

from __future__ import annotations

import json

import numpy as np

from engine.critics.heuristic import evidence_confidence
from engine.registry import CRITICS
from engine.types import InstanceInfo, Point, PointLabel

from .conftest import FAST_RETRY
from .loopback import Step
from .test_verdict import disc_scene, grown


def test_point_confidence_round_trips_and_defaults_to_one():
    p = Point(1.0, 2.0, PointLabel.NEG, confidence=0.37)
    assert Point.from_dict(p.to_dict()).confidence == 0.37
    assert Point(0, 0).confidence == 1.0
    legacy = {k: v for k, v in p.to_dict().items() if k != "confidence"}  # a sculpt.json from before
    assert Point.from_dict(legacy).confidence == 1.0


def test_vlm_points_take_their_confidence_from_the_reply(server, api_keys, view):
    server.script = [Step(json.dumps({"points": [{"x": 500, "y": 500, "label": "pos", "confidence": 0.3},
                                                 {"x": 400, "y": 400, "label": "neg"},
                                                 {"x": 300, "y": 300, "label": "neg", "confidence": 7}]}))]
    critic = CRITICS.create("openai", model="m", base_url=server.openai_url, **FAST_RETRY)
    points = critic.propose_points(view, InstanceInfo("crab"), 5).parsed
    assert [p.confidence for p in points] == [0.3, 1.0, 1.0]  # from the reply; none given -> 1.0; clipped to 1


def test_vlm_square_judgements_carry_the_replys_confidence(server, api_keys, view):
    server.script = [Step('{"region": 2, "action": "pos", "confidence": 0.65}')]
    critic = CRITICS.create("openai", model="m", base_url=server.openai_url, **FAST_RETRY)
    (reply,) = critic.judge_squares(view, [1], InstanceInfo("crab"))
    assert reply.parsed.confidence == 0.65


def test_heuristic_points_carry_their_evidence():
    image, gt, box = disc_scene()
    from engine.critics.verdict import view_of

    view = view_of(image, grown(gt, 14), box)
    points = CRITICS.create("heuristic").propose_points(view, InstanceInfo("disc"), 10).parsed
    assert points, "the leaked green ring should be found"
    assert all(0.0 < p.confidence <= 1.0 for p in points)
    assert evidence_confidence(np.array([3.0, -3.0])) > evidence_confidence(np.array([1.0, 1.0])) > 0


def test_heuristic_square_confidence_is_its_evidence(view):
    h = CRITICS.create("heuristic", min_evidence=0.0)
    for reply in h.judge_squares(view, [1, 2, 3, 4], InstanceInfo("crab")):
        assert 0.0 <= reply.parsed.confidence <= 1.0


def test_oracle_points_are_certain(scene, view):
    points = CRITICS.create("oracle", gt_mask=scene.gt).propose_points(view, InstanceInfo("crab"), 10).parsed
    assert points and all(p.confidence == 1.0 for p in points)
