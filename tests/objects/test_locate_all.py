"""`locate --all`: one grounding request listing every target; the boxes become objects in sculpt."""

import json
import subprocess
import sys
from pathlib import Path

from engine.critics.vlm import VLMAnswer, VLMCritic
from engine.io.annotations import read_labelled_boxes
from engine.io.images import load_image
from engine.localise.locate import locate, write_locate_outputs
from engine.types import InstanceInfo
from tests.objects.helpers import make_two_box_aux

ROOT = Path(__file__).resolve().parents[2]


class ScriptedVLMStub(VLMCritic):
    """A STUB vision-language critic: answers every request with a fixed text (no model)."""

    name = "scripted-stub"
    coords = "pixels"

    def __init__(self, text: str) -> None:
        self.text, self.prompts = text, []

    def ask(self, requests):
        self.prompts.extend(r.prompt for r in requests)
        return [VLMAnswer(self.text) for _ in requests]


def test_locate_all_writes_every_box_and_sculpt_makes_objects(tmp_path):
    aux = make_two_box_aux(tmp_path / "aux", labels=None)
    image = load_image(aux / "images" / "pair.png")
    stub = ScriptedVLMStub('{"objects": [{"bbox_2d": [10, 20, 70, 90], "label": "disc"}, '
                           '{"bbox_2d": [90, 30, 150, 100], "label": "disc"}, {"bbox_2d": [11, 20, 70, 90]}]}')
    result = locate(stub, image, InstanceInfo("disc"), "auto", 720, multiple=True)
    assert len(result.boxes) == 2 and "every camouflaged disc" in stub.prompts[0].lower()  # the duplicate dropped
    box_path = aux / "box_out" / "pair" / "pair_sam_boxes.json"
    write_locate_outputs(result, box_path, aux / "llm_out" / "pair_output.json", InstanceInfo("disc"))
    assert [lbl for _, lbl in read_labelled_boxes(box_path, (160, 120))] == ["disc", "disc"]
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "sculpt", "--name", "pair", "--aux-dir", str(aux),
                        "--out", str(tmp_path / "out"), "--clean-output"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "out" / "pair" / "sculpt.json").read_text())
    assert len(doc["objects"]) == 2


def test_locate_single_is_unchanged():
    image = load_image(Path(ROOT / "auxiliary/images/demo.png"))
    stub = ScriptedVLMStub('{"bbox_2d": [10, 20, 70, 90], "label": "crab"}')
    result = locate(stub, image, InstanceInfo("crab"), "grounding", 720)
    assert len(result.boxes) == 1 and result.box == result.boxes[0]
