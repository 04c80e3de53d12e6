"""The `qwen` critic on a tiny random-weight Qwen2.5-VL saved with save_pretrained and loaded through the
same path a user's checkpoint takes. Random weights emit random tokens: these tests check the plumbing
(load, batched generate, decode, coordinate space, unload), not the content."""

from __future__ import annotations

import gc
import json
import weakref

import numpy as np
import pytest

from engine.critics.vlm import VLMRequest
from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.registry import CRITICS
from engine.types import CriticReply, InstanceInfo, SquareJudgement
from tests.critics.qwen_support import tiny_qwen_critic, uneven_square_requests

SMALL = {"min_pixels": 28 * 28 * 4, "max_pixels": 28 * 28 * 32, "max_reply_length": 4}


@pytest.fixture(scope="module")
def qwen(tiny_qwen_dir):
    yield from tiny_qwen_critic(tiny_qwen_dir, SMALL)


def test_generate_on_an_image_returns_text_and_the_model_input_size(qwen):
    img = np.random.default_rng(0).integers(0, 255, (300, 500, 3), dtype=np.uint8)
    (answer,) = qwen.ask([VLMRequest("grounding", "Locate the crab.", img, 4)])
    assert answer.ok and isinstance(answer.text, str) and 1 <= answer.tokens <= 4
    w, h = answer.space
    assert w % 28 == 0 and h % 28 == 0 and w * h <= SMALL["max_pixels"]
    assert (w, h) == qwen.coord_space(500, 300)  # what the prompt tells the model is what it saw


def test_square_judgements_of_a_round_are_one_batched_generate(qwen, view, monkeypatch):
    model, _ = qwen.loaded()
    calls = []
    original = model.generate

    def spy(**kwargs):
        calls.append(kwargs["input_ids"].shape[0])
        return original(**kwargs)

    monkeypatch.setattr(model, "generate", spy)
    replies = qwen.judge_squares(view, [1, 2, 3, 4], InstanceInfo("crab"))
    assert calls == [4]  # one generate call with a batch of 4, not 4 calls
    assert [r.parsed.anchor_id for r in replies] == [1, 2, 3, 4]
    for r in replies:
        assert isinstance(r, CriticReply) and isinstance(r.parsed, SquareJudgement) and r.backend == "qwen"
        assert r.fallback or r.parsed.region in (1, 2)  # random text: a recorded fallback (or, by luck, valid)


def test_batched_rows_match_one_by_one_with_left_padding(qwen):
    reqs = uneven_square_requests("Is region 1 background? Reply in JSON.", 4)
    batched = [a.text for a in qwen.ask(reqs)]
    single = [qwen.ask([r])[0].text for r in reqs]
    assert batched == single  # greedy decoding + left padding: same answer whatever the batch


def test_anchor_selection_and_points_go_through_the_parser(qwen, view):
    reply = qwen.select_anchors(view, InstanceInfo("crab"), 3)
    assert reply.kind == "anchors" and reply.parsed and all(1 <= c.anchor_id <= 8 for c in reply.parsed)
    points = qwen.propose_points(view, InstanceInfo("crab"), 5)
    assert points.kind == "points" and isinstance(points.parsed, list)
    info = qwen.info()
    assert info["device"] == "cpu" and "pixels" in info["coords"]
    json.dumps(info)


def test_grounding_reply_maps_from_model_input_pixels(qwen, monkeypatch, scene):
    from engine.localise.locate import locate

    def fake_generate_reply(requests):  # the model's answer is canned; the size is the real model input size
        sw, sh = qwen.coord_space(*requests[0].image.shape[1::-1])
        from engine.critics.vlm import VLMAnswer

        return [VLMAnswer(f'[{{"bbox_2d": [0, 0, {int(sw / 2)}, {int(sh)}], "label": "crab"}}]', space=(sw, sh))]

    monkeypatch.setattr(qwen, "ask", fake_generate_reply)
    result = locate(qwen, scene.image, InstanceInfo("crab"), mode="grounding", max_side=300)
    h, w = scene.image.shape[:2]
    assert result.box.as_list() == pytest.approx([0, 0, w / 2, h], abs=1.0)


def test_strip_localisation_sends_both_strip_images_in_one_generate(qwen, scene, monkeypatch):
    from engine.localise.locate import locate

    model, _ = qwen.loaded()
    batches = []
    original = model.generate

    def spy(**kwargs):
        batches.append(kwargs["input_ids"].shape[0])
        return original(**kwargs)

    monkeypatch.setattr(model, "generate", spy)
    del model
    result = locate(qwen, scene.image, InstanceInfo("crab"), mode="strips", max_side=256)
    assert batches == [2] and result.mode == "strips" and result.critic == "qwen"
    (reply,) = result.replies
    assert reply.kind == "locate" and reply.raw.startswith("horizontal: ")
    assert result.box is None or result.box.is_valid()  # random weights: usually a recorded fallback


def test_a_failed_generate_hands_the_round_to_the_next_critic(qwen, view, monkeypatch):
    from engine.critics.chain import FallbackChain

    model, _ = qwen.loaded()

    def oom(**kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(model, "generate", oom)
    del model
    chain = FallbackChain(["qwen", "heuristic"], lambda n: qwen if n == "qwen" else CRITICS.create(n))
    replies = chain.judge_squares(view, [1, 2], InstanceInfo("crab"))
    assert [r.backend for r in replies] == ["heuristic", "heuristic"]
    assert replies[0].hops == ["qwen", "heuristic"] and "out of memory" in replies[0].error


def test_unload_frees_the_model(qwen):
    model, processor = qwen.loaded()
    ref = weakref.ref(model)
    del model, processor
    assert get_manager().is_loaded(qwen.key)
    assert qwen.unload("test")
    gc.collect()
    assert ref() is None and not get_manager().is_loaded(qwen.key)
    qwen.loaded()  # loads again on demand
    assert get_manager().is_loaded(qwen.key)


def test_missing_folder_and_awq_without_autoawq_are_clear_errors(tmp_path, tiny_qwen_dir, monkeypatch):
    with pytest.raises(BackendError, match="no model at"):
        CRITICS.create("qwen", model_path=str(tmp_path / "nowhere"))
    awq_dir = tmp_path / "awq"
    awq_dir.mkdir()
    cfg = json.loads((tiny_qwen_dir / "config.json").read_text())
    cfg["quantization_config"] = {"quant_method": "awq", "bits": 4}
    (awq_dir / "config.json").write_text(json.dumps(cfg))
    import builtins

    real_import = builtins.__import__

    def no_awq(name, *args, **kwargs):
        if name == "awq":
            raise ImportError("No module named 'awq'", name="awq")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_awq)
    critic = CRITICS.create("qwen", model_path=str(awq_dir), device="cpu")
    assert critic.quantization == "awq"
    with pytest.raises(BackendError, match="autoawq"):
        critic.loaded()
