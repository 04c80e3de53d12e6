"""`python main.py edit` end to end with the tiny models, and its one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.cli.app import main
from engine.io.atomic import write_image, write_mask
from engine.io.images import load_image
from tests.edit.conftest import changed


@pytest.fixture()
def files(tmp_path, scene):
    write_image(tmp_path / "scene.png", scene.image)
    write_mask(tmp_path / "mask.png", scene.gt)
    write_mask(tmp_path / "empty.png", np.zeros_like(scene.gt))
    write_mask(tmp_path / "small.png", scene.gt[:50, :60])
    return tmp_path


def test_cli_end_to_end_with_tiny_models(files, tiny_clip_dir, tiny_sd_dir, capsys):
    out = files / "out"
    code = main(["edit", "--image", str(files / "scene.png"), "--prompt", "a red crab", "--target", "crab",
                 "--clip-model", str(tiny_clip_dir), "--sd-model", str(tiny_sd_dir), "--steps", "2", "--seed", "5",
                 "--output-dir", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "CLIP point for 'crab': (" in text and "CLIP score for 'a red crab': original" in text
    data = json.loads((out / "edit.json").read_text())
    assert data["inpaint"]["steps"] == 2 and data["inpaint"]["seed"] == 5 and data["models"]["inpainter"]["name"] == "sd"
    assert data["localisation"]["text"] == "crab" and data["clip_score"]["original"] is not None
    for name in ("original.png", "sam_mask.png", "edited.png"):
        assert (out / name).exists()


def test_cli_with_a_mask_runs_without_any_weights(files, scene, capsys):
    out = files / "out2"
    code = main(["edit", "--image", str(files / "scene.png"), "--prompt", "remove the crab", "--mask", str(files / "mask.png"),
                 "--output-dir", str(out)])
    assert code == 0
    assert "CLIP score: skipped" in capsys.readouterr().out
    data = json.loads((out / "edit.json").read_text())
    assert data["models"]["inpainter"]["name"] == "opencv" and data["localisation"] is None
    edited = load_image(out / "edited.png")
    assert changed(edited, scene.image)[scene.gt].mean() > 0.9


@pytest.mark.parametrize("extra, message", [
    (["--mask", "{d}/empty.png"], "empty.png: mask is empty"),
    (["--mask", "{d}/small.png"], "small.png: mask is 60x50 but the image is 320x240"),
    ([], "localisation needs a CLIP model: pass --clip-model"),
    (["--clip-model", "{d}/nope"], "nope: CLIP model folder not found"),
    (["--mask", "{d}/mask.png", "--inpainter", "sd"], "pass --sd-model DIR"),
    (["--mask", "{d}/mask.png", "--sd-model", "{d}"], "not a Stable Diffusion inpainting model folder"),
    (["--mask", "{d}/mask.png", "--inpainter", "dalle"], "unknown inpainter 'dalle'"),
])
def test_cli_bad_inputs_are_one_line_errors(files, capsys, extra, message):
    args = ["edit", "--image", str(files / "scene.png"), "--prompt", "x"] + [a.format(d=files) for a in extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_cli_missing_image(tmp_path, capsys):
    assert main(["edit", "--image", str(tmp_path / "none.png"), "--prompt", "x", "--mask", "m.png"]) == 2
    assert "none.png: file not found" in capsys.readouterr().err


def test_cli_sam_segmenter_gets_the_checkpoint(files, tiny_clip_dir, tmp_path, monkeypatch, capsys):
    pytest.importorskip("segment_anything")
    from engine.registry import SEGMENTERS
    from tests.edit.tiny_models import build_tiny_sam_checkpoint

    if "sam" not in SEGMENTERS.names():
        pytest.skip("the sam segmenter is not in the catalogue")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg_cache"))
    ckpt = build_tiny_sam_checkpoint(tmp_path / "renamed.pth")
    out = files / "out_sam"
    code = main(["edit", "--image", str(files / "scene.png"), "--prompt", "crab", "--clip-model", str(tiny_clip_dir),
                 "--sam-ckpt", str(ckpt), "--output-dir", str(out), "--set", "segmenter.options.sam.disk_cache=false"])
    if code == 2:  # random weights may mask nothing: then the error must say so, naming the segmenter
        assert "segmenter 'sam' returned an empty mask" in capsys.readouterr().err
        return
    assert code == 0
    data = json.loads((out / "edit.json").read_text())
    assert data["models"]["segmenter"]["name"] == "sam" and data["mask_source"] == "segmenter:sam"
