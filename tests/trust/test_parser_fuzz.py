"""A hypothesis fuzz of the ONE reply parser (engine/critics/parsing.py): for every question type,
>= 2,000 generated replies (JSON of the protocol's shapes with hostile values, wrapped in prose, code
fences, truncation, single quotes, bracket soup, huge and deep values). No exception escapes, and no
point or box lies outside the image. Derandomised: the same replies every run."""

from __future__ import annotations

import json

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from engine.critics.parsing import (  # noqa: E402
    CoordMap,
    parse_anchors,
    parse_box,
    parse_points,
    parse_square,
    parse_strips,
)
from engine.critics.verdict import Outcome  # noqa: E402
from engine.critics.verdict_parsing import parse_verdict  # noqa: E402
from engine.types import AnchorChoice, Box, Point, SquareJudgement  # noqa: E402

N = 2000
FUZZ = settings(max_examples=N, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
W, H = 640, 480
MAPS = [CoordMap("norm1000", W, H), CoordMap("norm1", W, H), CoordMap("pixels", W, H, 1288, 966)]
KEYS = ["anchors", "id", "anchor_id", "intent", "score", "reason", "region", "action", "label", "confidence",
        "points", "x", "y", "point_2d", "bbox_2d", "bbox", "box", "x0", "y0", "x1", "y1", "strips", "objects"]
numbers = st.one_of(
    st.integers(-5, 1100), st.integers(10 ** 300, 10 ** 420), st.integers(-(10 ** 400), -(10 ** 300)),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-2, 1100), st.sampled_from([0, 1, 2, 8, 9, 1000, 1000.0001]))
scalars = st.one_of(numbers, st.none(), st.booleans(), st.text(max_size=12),
                    st.sampled_from(["pos", "neg", "1", "2", "null", "leave", "fix_leak", "recover_miss", "-1", "1e999"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=6), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6)),
    max_leaves=12)


@st.composite
def replies(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.text(alphabet='{}[]()",:\'0123456789.-+eE abcxyz\n`', max_size=200))
    if kind == 1:  # deep nesting, closed or not
        depth = draw(st.sampled_from([50, 900, 5000, 30_000]))
        inner = draw(st.sampled_from(['{"x": 1}', "1", "", '"a"']))
        return "[" * depth + inner + ("]" * depth if draw(st.booleans()) else "")
    value = draw(json_values)
    try:
        text = json.dumps(value)
    except (ValueError, OverflowError):
        text = repr(value)
    if kind == 2:
        text = text.replace('"', "'")
    elif kind == 3:
        text = "```json\n" + text + "\n```"
    elif kind == 4:
        text = "Sure! Here is the answer: " + text + " Hope this helps."
    elif kind == 5:
        text = text[: draw(st.integers(0, max(len(text), 1)))]
    elif kind == 6:
        text = text.replace("true", "True").replace("null", "None") + ","
    elif kind == 7:
        text = text + " " + draw(st.text(max_size=40))
    return text[:30_000]


def _check_point(p: Point) -> None:
    assert isinstance(p, Point) and 0 <= p.x <= W - 1 and 0 <= p.y <= H - 1, (p.x, p.y)


@pytest.mark.slow  # ~30 s of CPU (about half generating the replies)
def test_fuzz_every_question_type():
    """Each generated reply is put to all six parsers (anchors, square, points, box, strips, verdict): N replies
    per question type from one generation pass (generation is most of the cost)."""
    seen = {"anchors": 0, "square": 0, "points": 0, "box": 0, "strips": 0, "verdict": 0}

    @FUZZ
    @given(replies(), st.integers(0, 8), st.sampled_from(MAPS), st.integers(0, 12))
    def check(text, k, coords, max_points):
        res = parse_anchors(text, k)
        assert isinstance(res.parsed, list) and all(isinstance(c, AnchorChoice) for c in res.parsed)
        assert all(1 <= c.anchor_id <= 8 and 0.0 <= c.score <= 1.0 for c in res.parsed)
        assert res.fallback or len(res.parsed) <= k
        seen["anchors"] += 1

        j = parse_square(text, 3).parsed
        assert isinstance(j, SquareJudgement) and j.anchor_id == 3 and j.region in (None, 1, 2)
        assert 0.0 <= j.confidence <= 1.0 and len(j.reason) <= 400
        seen["square"] += 1

        res = parse_points(text, coords, max_points)
        assert isinstance(res.parsed, list) and len(res.parsed) <= max(max_points, 1)
        for p in res.parsed:
            _check_point(p)
        seen["points"] += 1

        res = parse_box(text, coords)
        if res.parsed is None:
            assert res.fallback
        else:
            b = res.parsed
            assert isinstance(b, Box) and 0 <= b.x0 < b.x1 <= W and 0 <= b.y0 < b.y1 <= H, b
        seen["box"] += 1

        strips = parse_strips(text).parsed
        assert strips is None or (strips == sorted(set(strips)) and all(1 <= n <= 9 for n in strips))
        seen["strips"] += 1

        outcome, confidence, reason = parse_verdict(text).parsed
        assert isinstance(outcome, Outcome) and 0.0 <= confidence <= 1.0 and isinstance(reason, str)
        seen["verdict"] += 1

    check()
    assert min(seen.values()) >= N, seen


@pytest.mark.parametrize("text", [
    '{"anchors": [{"id": ' + "9" * 400 + ', "score": 1}]}',
    '{"points": [{"x": ' + "9" * 400 + ', "y": 1, "label": "pos"}]}',
    '{"bbox_2d": [1, 2, 3, ' + "9" * 400 + "]}",
    '{"region": ' + "1" * 400 + ', "action": "pos", "confidence": ' + "9" * 400 + "}",
    "[" * 100_000,
    "{" * 100_000,
    '{"a": ' * 5000 + "1" + "}" * 5000,
])
def test_known_crashers(text):
    """The inputs that raised OverflowError / RecursionError before."""
    parse_anchors(text, 3)
    parse_square(text, 1)
    parse_points(text, MAPS[0], 5)
    parse_box(text, MAPS[0])
    parse_strips(text)
    parse_verdict(text)
