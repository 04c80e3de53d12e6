"""The three input layouts: the prototype's aux folders, COD Imgs/+GT/, a plain folder."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.errors import InputError
from engine.io.dataset import detect_layout, find_item, list_dataset

ROOT = Path(__file__).resolve().parents[2]


def _img(path, size=(40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (90, 120, 60)).save(path)


def test_bundled_samples_are_aux_layout():
    items = list_dataset(ROOT / "auxiliary")
    assert detect_layout(ROOT / "auxiliary") == "aux"
    assert {i.name for i in items} >= {"demo", "moth"}
    demo = next(i for i in items if i.name == "demo")
    assert demo.has_box and demo.llm_path.exists() and demo.gt_path.exists()


def test_cod_layout(tmp_path):
    _img(tmp_path / "Imgs/a.jpg")
    _img(tmp_path / "Imgs/b.jpg")
    (tmp_path / "GT").mkdir()
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(tmp_path / "GT/a.png")
    items = list_dataset(tmp_path)
    assert detect_layout(tmp_path) == "cod"
    assert [(i.name, i.gt_path is not None) for i in items] == [("a", True), ("b", False)]


def test_plain_folder_skips_non_images(tmp_path):
    _img(tmp_path / "x.png")
    (tmp_path / "notes.txt").write_text("hi")
    assert [i.name for i in list_dataset(tmp_path)] == ["x"]
    with pytest.raises(InputError, match="no image named y"):
        find_item(tmp_path, "y")
    with pytest.raises(InputError, match="dataset folder not found"):
        list_dataset(tmp_path / "nope")


def test_sculpt_from_a_cod_folder_with_gt_box(tmp_path):
    from engine.io.atomic import write_mask
    from engine.samples import generate_scene

    scene = generate_scene(3, (160, 120))
    _img(tmp_path / "ds/Imgs/s.jpg")
    Image.fromarray(scene.image).save(tmp_path / "ds/Imgs/s.jpg")
    write_mask(tmp_path / "ds/GT/s.png", scene.gt)
    b = ",".join(str(int(v)) for v in scene.box.as_list())
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "sculpt", "--dataset", str(tmp_path / "ds"), "--name", "s",
                        "--box", b, "--out", str(tmp_path / "out"), "--critic", "oracle", "--clean-output"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out/s/final_mask.png").exists() and "IoU" in r.stdout


def test_images_with_only_gt_or_nothing_else_is_the_aux_layout(tmp_path):
    """The prototype's layout before any box exists: images/ (+ gt/), boxes to be drawn in the window."""
    _img(tmp_path / "a/images/p.png")
    (tmp_path / "a/gt").mkdir()
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(tmp_path / "a/gt/p.png")
    _img(tmp_path / "b/images/q.png")
    _img(tmp_path / "c/x.png")  # a plain folder that also holds an images/ folder stays a plain folder
    _img(tmp_path / "c/images/y.png")
    assert detect_layout(tmp_path / "a") == "aux" and detect_layout(tmp_path / "b") == "aux"
    assert detect_layout(tmp_path / "c") == "folder"
    item = list_dataset(tmp_path / "a")[0]
    assert item.name == "p" and item.gt_path is not None and not item.has_box
