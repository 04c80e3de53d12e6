"""The CLI end to end, in a subprocess like a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_help_lists_commands():
    r = run_cli("--help")
    assert r.returncode == 0 and "sculpt" in r.stdout


def test_sculpt_a_bundled_sample(tmp_path):
    r = run_cli("sculpt", "--name", "demo", "--out", tmp_path, "--gt", ROOT / "auxiliary/gt/demo.png")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "demo"
    mask = np.asarray(Image.open(out / "final_mask.png"))
    assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 255} and (mask == 255).any()
    assert (out / "instance_info.txt").read_text().strip() == "crab"
    prov = json.loads((out / "sculpt.json").read_text())
    assert prov["params"]["ratio"] == 0.6 and prov["backends"]["critic"]["name"] == "heuristic"
    assert (out / "round1_context_for_vlm.png").exists() and (out / "final_visualization.png").exists()
    assert "IoU box-only" in r.stdout


def test_clean_output_writes_only_the_essentials(tmp_path):
    r = run_cli("sculpt", "--name", "moth", "--out", tmp_path, "--clean-output", "--critic", "oracle",
                "--gt", ROOT / "auxiliary/gt/moth.png", "--strategy", "direct")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "moth").iterdir()) == ["final_mask.png", "instance_info.txt", "instances.png", "sculpt.json"]


def test_any_image_with_a_box_and_instance(tmp_path):
    img = tmp_path / "any.jpg"
    Image.open(ROOT / "auxiliary/images/gecko.png").convert("RGB").save(img)
    r = run_cli("sculpt", "--image", img, "--box", "171,116,388,340", "--instance", "crab", "--out", tmp_path / "o",
                "--rounds", "2", "--ratio", "0.3")
    assert r.returncode == 0, r.stderr
    prov = json.loads((tmp_path / "o/any/sculpt.json").read_text())
    assert prov["instance"]["instance"] == "crab" and prov["params"]["rounds"] == 2


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["--image", "auxiliary/images/demo.png", "--box", "10,10,5,5"], "empty or inverted"),
        (["--image", "auxiliary/images/demo.png", "--box", "1,2,3"], "four numbers"),
        (["--image", "auxiliary/images/demo.png", "--box", "5000,5000,6000,6000"], "lies outside"),
        (["--image", "auxiliary/images/demo.png"], "needs --box"),
        (["--image", "missing.png", "--box", "1,1,9,9"], "missing.png: file not found"),
        (["--name", "nosuch"], "no image named nosuch"),
        (["--name", "demo", "--critic", "nosuch"], "unknown critic 'nosuch'"),
        (["--image", "auxiliary/images/demo.png", "--box", "90,100,326,312", "--critic", "oracle"], "needs a ground-truth mask"),
        (["--name", "demo", "--strategy", "spiral"], "invalid choice"),
    ],
)
def test_bad_arguments_end_in_one_line(tmp_path, args, pattern):
    r = run_cli("sculpt", *args, "--out", tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert pattern in lines[0]


def test_malformed_box_file_names_it(tmp_path):
    aux = tmp_path / "aux"
    (aux / "images").mkdir(parents=True)
    (aux / "box_out/x").mkdir(parents=True)
    Image.new("RGB", (50, 40)).save(aux / "images/x.png")
    (aux / "box_out/x/x_sam_boxes.json").write_text('{"boxes": [[1, 2,')
    r = run_cli("sculpt", "--name", "x", "--aux-dir", aux, "--out", tmp_path)
    assert r.returncode == 2 and "x_sam_boxes.json: malformed JSON" in r.stderr


def test_init_mask_starts_from_an_existing_mask(tmp_path):
    from engine.io.atomic import write_mask

    mask = np.zeros((360, 480), bool)
    mask[120:280, 110:300] = True  # a rough earlier annotation of demo
    write_mask(tmp_path / "demo.png", mask)
    r = run_cli("sculpt", "--name", "demo", "--init-mask", tmp_path / "demo.png", "--out", tmp_path / "o",
                "--critic", "oracle", "--strategy", "direct", "--clean-output")
    assert r.returncode == 0, r.stderr
    prov = json.loads((tmp_path / "o/demo/sculpt.json").read_text())
    assert prov["mask_area_initial"] == int(mask.sum())
    assert prov["initial_mask_source"].startswith("png:")
    bad = run_cli("sculpt", "--name", "demo", "--init-mask", tmp_path / "nope.png", "--out", tmp_path / "o")
    assert bad.returncode == 2 and "nope.png" in bad.stderr
