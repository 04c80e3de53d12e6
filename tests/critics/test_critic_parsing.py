"""The one parser: canned replies of every shape the backends produce, then >= 500 generated
malformed/adversarial replies (no exception escapes; parsed or a recorded fallback; no coordinate outside
the image survives)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.critics.parsing import (
    CoordMap,
    extract_json,
    parse_anchors,
    parse_box,
    parse_points,
    parse_square,
    parse_strips,
)
from engine.types import Intent, PointLabel


@pytest.mark.parametrize("text, expected", [
    ('{"a": 1}', {"a": 1}),
    ('Sure! Here it is:\n```json\n{"a": [1, 2,],}\n```\nHope that helps.', {"a": [1, 2]}),
    ("{'region': 2, 'action': 'pos', 'reason': \"it's a leg\"}", {"region": 2, "action": "pos", "reason": "it's a leg"}),
    ('{region: 1, action: None, ok: True}', {"region": 1, "action": None, "ok": True}),
    ('{"anchors": [{"id": 3}, {"id": 5, "reason": "cut of', {"anchors": [{"id": 3}, {"id": 5, "reason": "cut of"}]}),
    ('[1, 2, 3', [1, 2, 3]),
    ("no json at all", None),
    ("", None),
    ('{"x": NaN}', None),
])
def test_extract_json(text, expected):
    assert extract_json(text) == expected


def test_anchors_valid_dedup_capped_and_sorted():
    text = '```json\n{"anchors": [{"id": 2, "intent": "recover_miss", "score": 0.4}, {"id": 7, "score": 0.9},' \
           ' {"id": 2, "score": 1}, {"id": 12}, {"id": "anchor 5", "intent": "leak", "score": 0.5}]}\n```'
    r = parse_anchors(text, k=2)
    assert not r.fallback
    assert [c.anchor_id for c in r.parsed] == [7, 5]
    assert r.parsed[1].intent is Intent.FIX_LEAK
    assert any("12" in n for n in r.notes)


def test_anchors_unusable_falls_back_to_anchor_1_with_reason():
    r = parse_anchors("I think anchor three looks off.", k=3)
    assert r.fallback and r.parsed[0].anchor_id == 1 and r.error
    assert parse_anchors('{"anchors": []}', k=3).parsed == []  # "nothing wrong" is an answer, not a failure


@pytest.mark.parametrize("text, region, action, fallback", [
    ('{"region": 2, "action": "pos"}', 2, PointLabel.POS, False),
    ('{"region": "1", "action": "negative"}', 1, PointLabel.NEG, False),
    ('{"region": 1}', 1, PointLabel.NEG, False),  # missing action: the region's usual meaning
    ('{"region": null, "action": null, "reason": "fine"}', None, None, False),
    ('{"region": 3, "action": "pos"}', None, None, True),
    ('{"region": 2, "action": "maybe"}', None, None, True),
    ("region two, positive", None, None, True),
])
def test_square(text, region, action, fallback):
    r = parse_square(text, anchor_id=4)
    assert (r.parsed.region, r.parsed.action, r.fallback) == (region, action, fallback)
    assert r.parsed.anchor_id == 4


def test_qwen_grounding_pixels_of_the_resized_input_map_back_to_the_image():
    # a 728x532 image sent as 720x526, which Qwen2.5-VL saw as 728x532 after smart_resize (multiples of 28)
    coords = CoordMap("pixels", image_w=1456, image_h=1064, space_w=728, space_h=532)
    r = parse_box('[{"bbox_2d": [364, 266, 728, 532], "label": "crab"}]', coords)
    assert r.parsed.as_list() == [728.0, 532.0, 1456.0, 1064.0]


@pytest.mark.parametrize("convention, values", [("norm1", [0.25, 0.5, 0.75, 1.0]), ("norm1000", [250, 500, 750, 1000])])
def test_normalised_boxes(convention, values):
    r = parse_box(json.dumps({"bbox": values}), CoordMap(convention, 400, 200))
    assert r.parsed.as_list() == [100.0, 100.0, 300.0, 200.0]


def test_box_outside_the_range_is_refused():
    r = parse_box('{"bbox_2d": [10, 10, 1200, 500]}', CoordMap("norm1000", 400, 200))
    assert r.fallback and r.parsed is None


def test_points_mapped_and_out_of_range_dropped():
    text = '{"points": [{"x": 500, "y": 500, "label": "pos"}, {"point_2d": [100, 900], "label": "neg"},' \
           ' {"x": 1500, "y": 10, "label": "pos"}, {"x": 10, "y": 10}]}'
    r = parse_points(text, CoordMap("norm1000", 400, 200), max_points=10)
    assert [(p.x, p.y, p.label) for p in r.parsed] == [(200.0, 100.0, PointLabel.POS), (40.0, 180.0, PointLabel.NEG)]
    assert len(r.notes) == 2


def test_strips():
    assert parse_strips('{"strips": [5, 4, "6", 12]}').parsed == [4, 5, 6]
    assert parse_strips("strips 4 to 6").fallback


# ---- fuzzing -------------------------------------------------------------------------------------
W, H = 640, 480
COORDS = [CoordMap("pixels", W, H, 644, 476), CoordMap("norm1", W, H), CoordMap("norm1000", W, H)]

_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.sampled_from(["pos", "neg", "fix_leak", "recover_miss", "1", "2", "null", "NaN", "1e309"]))
_keys = st.sampled_from(["id", "anchor_id", "intent", "score", "reason", "region", "action", "label", "x", "y",
                         "point_2d", "bbox_2d", "bbox", "points", "anchors", "strips", "confidence"])
_json_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                            st.dictionaries(_keys, inner, max_size=6)), max_leaves=25)


def _mangle(text: str, how: int, cut: float) -> str:
    if how == 0:
        return text
    if how == 1:
        return text[: int(len(text) * cut)]  # truncated
    if how == 2:
        return f"Sure, here you go:\n```json\n{text}\n```\nAnything else?"
    if how == 3:
        return text.replace('"', "'")
    if how == 4:
        return text.replace("}", ",}").replace("]", ",]")
    if how == 5:
        return "{" * int(cut * 50) + text  # unbalanced garbage
    return text + " " + text[::-1]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_json_value, how=st.integers(0, 6), cut=st.floats(0, 1), noise=st.text(max_size=30),
       coords=st.sampled_from(COORDS))
def test_fuzzed_replies_never_raise_and_never_leave_the_image(value, how, cut, noise, coords):
    text = noise + _mangle(json.dumps(value, allow_nan=True), how, cut)
    anchors = parse_anchors(text, k=3)
    assert anchors.fallback or all(1 <= c.anchor_id <= 8 for c in anchors.parsed)
    assert len(anchors.parsed) <= 3 and (not anchors.fallback or anchors.error)

    square = parse_square(text, 5)
    j = square.parsed
    assert j.region in (None, 1, 2) and (j.region is None) == (j.action is None)
    assert not square.fallback or (j.region is None and square.error)

    points = parse_points(text, coords, max_points=10)
    assert len(points.parsed) <= 10 and (not points.fallback or points.error)
    for p in points.parsed:
        assert 0 <= p.x <= W - 1 and 0 <= p.y <= H - 1

    box = parse_box(text, coords)
    if box.parsed is None:
        assert box.fallback and box.error
    else:
        b = box.parsed
        assert 0 <= b.x0 < b.x1 <= W and 0 <= b.y0 < b.y1 <= H

    strips = parse_strips(text)
    assert strips.fallback or all(1 <= s <= 9 for s in strips.parsed)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('{}[]",:\'0123456789.-eE xyidbox_2dpsneglabel\n`')), max_size=200))
def test_bracket_soup_never_raises(text):
    for coords in COORDS:
        parse_points(text, coords, 5)
        parse_box(text, coords)
    parse_anchors(text, 3)
    parse_square(text, 1)
    parse_strips(text)


@pytest.mark.parametrize("text", ["{" * 20000, "[1," * 7000, '{"a": [' * 3000, '"' * 5000 + "{" * 5000,
                                  '{"a":1,' * 3000, "[" * 10 + "," * 20000, "x" * 100_000])
def test_huge_adversarial_replies_end_as_fallbacks(text):
    assert parse_anchors(text, 3).fallback
    assert parse_box(text, COORDS[2]).fallback
