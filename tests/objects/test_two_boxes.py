"""A two-box image (with labels in the box file) through `sculpt` and `batch`: two objects, labels,
instances.png, sculpt.json objects; a critic failure gives exit code 3 with the outputs written."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from engine.io.annotations import read_labelled_boxes
from engine.sculpt.labels import parse_labels
from tests.objects.helpers import make_two_box_aux

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def check_outputs(out: Path, labels=("crab", "shell")):
    doc = json.loads((out / "sculpt.json").read_text())
    assert [o["label"] for o in doc["objects"]] == list(labels)
    ids = np.asarray(Image.open(out / "instances.png"))
    union = np.asarray(Image.open(out / "final_mask.png")) > 0
    assert set(np.unique(ids)) == {0, 1, 2}
    assert ((ids > 0) == union).all()
    assert ids[55, 40] == 1 and ids[65, 120] == 2
    assert (out / "instance_info.txt").read_text().split() == list(labels)
    return doc


def test_box_file_with_labels_and_prototype_forms(tmp_path):
    make_two_box_aux(tmp_path)
    got = read_labelled_boxes(tmp_path / "box_out/pair/pair_sam_boxes.json", (160, 120))
    assert [lbl for _, lbl in got] == ["crab", "shell"]
    (tmp_path / "old.json").write_text('[{"x0": 1, "y0": 2, "x1": 30, "y1": 40}]')
    assert read_labelled_boxes(tmp_path / "old.json", (160, 120))[0][1] is None


def test_labels_txt_parsing():
    labels = parse_labels("# classes\ncrab #ff8800\nsea shell 10,20,30\nfish\n")
    assert labels.names == ["crab", "sea shell", "fish"]
    assert labels.colour("crab") == (255, 136, 0) and labels.colour("sea shell") == (10, 20, 30)


def test_sculpt_uses_every_box(tmp_path):
    make_two_box_aux(tmp_path / "aux")
    (tmp_path / "aux" / "labels.txt").write_text("shell\ncrab\n")
    r = run_cli("sculpt", "--name", "pair", "--aux-dir", tmp_path / "aux", "--out", tmp_path / "out",
                "--critic", "oracle", "--strategy", "direct", "--rounds", "2")
    assert r.returncode == 0, r.stderr
    assert "2 objects" in r.stdout
    doc = check_outputs(tmp_path / "out" / "pair")
    assert doc["labels"] == ["shell", "crab"] and [o["class_id"] for o in doc["objects"]] == [1, 0]
    assert all(o["rounds"] for o in doc["objects"])


def test_batch_uses_every_box(tmp_path):
    make_two_box_aux(tmp_path / "aux")
    r = run_cli("batch", "--samples", "pair", "--aux-dir", tmp_path / "aux", "--out", tmp_path / "out",
                "--no-progress", "--clean-output")
    assert r.returncode == 0, r.stdout + r.stderr
    check_outputs(tmp_path / "out" / "pair")
    summary = json.loads((tmp_path / "out" / "batch_summary.json").read_text())
    assert "pair" in json.dumps(summary)


def test_one_box_image_keeps_llm_instance_as_label(tmp_path):
    make_two_box_aux(tmp_path / "aux", labels=None)
    doc_path = tmp_path / "aux/box_out/pair/pair_sam_boxes.json"
    doc = json.loads(doc_path.read_text())
    doc_path.write_text(json.dumps({"boxes": doc["boxes"][:1]}))
    r = run_cli("sculpt", "--name", "pair", "--aux-dir", tmp_path / "aux", "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "out/pair/sculpt.json").read_text())
    assert [o["label"] for o in out["objects"]] == ["animal"] and out["instance"]["instance"] == "animal"


def test_labels_from_settings_and_dataset_folder(tmp_path):
    from engine.sculpt.labels import find_labels
    from engine.settings import load_settings

    settings = load_settings(overrides={"labels": {"names": ["crab", "fish"]}})
    assert find_labels(tmp_path, settings).names == ["crab", "fish"]
    (tmp_path / "labels.txt").write_text("shell\n")
    assert find_labels(tmp_path, settings).names == ["shell"]  # the dataset's own list first
    (tmp_path / "mine.txt").write_text("stone #00ff00\n")
    settings = load_settings(overrides={"labels": {"file": str(tmp_path / "mine.txt")}})
    assert find_labels(tmp_path, settings).colour("stone") == (0, 255, 0)
