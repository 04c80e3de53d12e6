"""The `qwen` critic on a tiny random-weight Qwen3-VL saved with save_pretrained: the family comes from
config.json, the batched generate works, and grounding boxes are read on Qwen3-VL's 0-1000 grid (Qwen2.5-VL
answers in pixels of its input). Random weights emit random tokens: plumbing only, not content."""

from __future__ import annotations

import json

import pytest

from engine.critics.vlm import VLMAnswer
from engine.errors import BackendError
from engine.registry import CRITICS
from engine.types import InstanceInfo
from tests.critics.qwen_support import tiny_qwen_critic, uneven_square_requests

pytestmark = pytest.mark.slow  # builds and runs a tiny Qwen3-VL (about 40 s on a busy 2-core CPU)
SMALL = {"min_pixels": 32 * 32 * 4, "max_pixels": 32 * 32 * 32, "max_reply_length": 3}


@pytest.fixture(scope="module")
def qwen3(tiny_qwen3_dir):
    yield from tiny_qwen_critic(tiny_qwen3_dir, SMALL)


def test_family_is_read_from_the_config(qwen3):
    assert qwen3.family.name == "qwen3" and qwen3.family.label == "Qwen3-VL"
    assert qwen3.coords == "norm1000" and qwen3.pixel_factor == 32
    info = qwen3.info()
    assert info["family"] == "Qwen3-VL" and "0-1000" in info["coords"]
    json.dumps(info)


def test_batched_generate_matches_one_by_one(qwen3):
    reqs = uneven_square_requests("Is region 1 background?", 3)
    batched = qwen3.ask(reqs)
    assert all(a.ok and 1 <= a.tokens <= 3 for a in batched)
    w, h = batched[0].space
    assert w % 32 == 0 and h % 32 == 0 and (w, h) == qwen3.coord_space(260, 200)
    assert [a.text for a in batched] == [qwen3.ask([r])[0].text for r in reqs]


def test_grounding_box_is_read_on_the_0_1000_grid(qwen3, monkeypatch):
    from engine.localise.locate import locate
    from engine.samples import sample_scene

    scene = sample_scene("demo")
    prompts = []

    def canned(requests):  # stub: the model's answer is canned, on Qwen3-VL's relative grid
        prompts.append(requests[0].prompt)
        return [VLMAnswer('[{"bbox_2d": [0, 0, 500, 1000], "label": "crab"}]', space=(224, 128))]

    monkeypatch.setattr(qwen3, "ask", canned)
    result = locate(qwen3, scene.image, InstanceInfo("crab"), mode="grounding", max_side=300)
    h, w = scene.image.shape[:2]
    assert result.box.as_list() == pytest.approx([0, 0, w / 2, h], abs=1.0)
    assert "1000" in prompts[0]  # the prompt asks for the grid the model was trained on


def test_unknown_family_awq_and_bitsandbytes_are_one_line_errors(tmp_path, tiny_qwen3_dir, monkeypatch):
    cfg = json.loads((tiny_qwen3_dir / "config.json").read_text())
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({**cfg, "model_type": "llava"}))
    with pytest.raises(BackendError, match="model_type 'llava' is not a supported Qwen-VL"):
        CRITICS.create("qwen", model_path=str(other), device="cpu")

    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("gptqmodel", "bitsandbytes") else real_find_spec(name, *a))
    awq = tmp_path / "awq"
    awq.mkdir()
    (awq / "config.json").write_text(json.dumps({**cfg, "quantization_config": {"quant_method": "awq", "bits": 4}}))
    critic = CRITICS.create("qwen", model_path=str(awq), device="cpu")
    with pytest.raises(BackendError) as err:
        critic.loaded()
    msg = str(err.value)
    assert "\n" not in msg and "gptqmodel" in msg and "autoawq is deprecated" in msg and "load_in=4bit" in msg
    critic = CRITICS.create("qwen", model_path=str(tiny_qwen3_dir), device="cpu", load_in="4bit")
    with pytest.raises(BackendError, match="needs bitsandbytes"):
        critic.loaded()
    with pytest.raises(BackendError, match="load_in must be"):
        CRITICS.create("qwen", model_path=str(tiny_qwen3_dir), device="cpu", load_in="2bit")


def test_default_path_missing_uses_a_discovered_folder(tmp_path, tiny_qwen3_dir, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    (models / "Qwen3-VL-4B-Instruct").symlink_to(tiny_qwen3_dir, target_is_directory=True)
    monkeypatch.chdir(tmp_path / "models")  # no ./models/Qwen2.5-VL-3B-Instruct here
    monkeypatch.setenv("SAM_SCULPT_MODELS", str(models))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    critic = CRITICS.create("qwen", device="cpu")  # the default model_path
    assert critic.model_path == models / "Qwen3-VL-4B-Instruct" and critic.family.name == "qwen3"
    with pytest.raises(BackendError, match="no model at"):  # an explicit wrong path is not second-guessed
        CRITICS.create("qwen", model_path=str(tmp_path / "elsewhere"), device="cpu")
