"""Prefetch in the background, the `embed` command and a `sculpt` run with the tiny checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import make_sam

from engine.cli.app import main as cli_main
from engine.io.atomic import write_image
from engine.io.images import load_image
from engine.prefetch import Prefetcher
from engine.registry import SEGMENTERS
from engine.samples import generate_scene

ROOT = Path(__file__).resolve().parents[2]


def make_folder(folder: Path, n: int, bad: bool = False) -> list[Path]:
    paths = []
    for i in range(n):
        p = folder / f"img{i}.png"
        write_image(p, generate_scene(seed=40 + i, size=(160, 120)).image)
        paths.append(p)
    if bad:
        (folder / "broken.png").write_bytes(b"not a png")
    return paths


def test_prefetch_prepares_the_next_image_in_the_background(tmp_path, tiny_sam_checkpoint):
    paths = make_folder(tmp_path / "imgs", 2)
    seg = make_sam(tiny_sam_checkpoint, tmp_path / "cache")
    with Prefetcher(seg) as pf:
        fut = pf.submit(paths[1])  # the annotator is on image 0; image 1 is prepared meanwhile
        assert pf.submit(paths[1]) is fut  # not done twice
        seg.prepare(load_image(paths[0]))
        done = fut.result(timeout=300)
        assert done.source == "computed" and done.image.shape == (120, 160, 3)
        assert pf.result(paths[1]).source == "computed"
    seg.prepare(load_image(paths[1]))  # opening it now costs no encoder run
    assert seg.last_source == "memory" and seg.encoder_calls == 2


def test_prefetch_iterate_keeps_order_and_reports_failures(tmp_path):
    paths = make_folder(tmp_path / "imgs", 3, bad=True)
    grabcut = SEGMENTERS.create("grabcut")  # no embedding: images are only loaded
    order = [paths[0], tmp_path / "imgs" / "broken.png", paths[1], paths[2]]
    with Prefetcher(grabcut) as pf:
        got = list(pf.iterate(order, lookahead=2))
    assert [p for p, _ in got] == order
    assert isinstance(got[1][1], Exception) and "broken.png" in str(got[1][1])
    assert got[0][1].source is None and np.array_equal(got[2][1].image, load_image(paths[1]))


def test_embed_command_end_to_end(tmp_path, tiny_sam_checkpoint, capsys):
    folder = tmp_path / "dataset"
    make_folder(folder, 3, bad=True)
    cache = tmp_path / "project_cache"
    argv = ["embed", "--dataset", str(folder), "--model", str(tiny_sam_checkpoint), "--cache-dir", str(cache)]
    assert cli_main(argv) == 1  # the broken image is reported, the others are done
    out = capsys.readouterr()
    assert "4 image(s)" in out.out and "3 computed, 0 already cached, 1 failed" in out.out
    assert "broken.png" in out.out + out.err
    assert len(list(cache.rglob("*.npz"))) == 3
    (folder / "broken.png").unlink()
    import engine.cache.embeddings as emb

    emb._SHARED.clear()  # a new run, as from a new process
    assert cli_main(argv) == 0
    assert "0 computed, 3 already cached, 0 failed" in capsys.readouterr().out
    # the GUI / sculpt opening one of those images with the same settings hits the disk
    emb._SHARED.clear()
    seg = make_sam(tiny_sam_checkpoint, cache)
    seg.prepare(load_image(folder / "img1.png"))
    assert seg.last_source == "disk" and seg.encoder_calls == 0


def test_embed_command_errors(tmp_path, tiny_sam_checkpoint, capsys):
    folder = tmp_path / "dataset"
    make_folder(folder, 1)
    assert cli_main(["embed", "--dataset", str(folder), "--segmenter", "grabcut", "--cache-dir", str(tmp_path)]) == 2
    assert "no image embedding" in capsys.readouterr().err
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"xx")
    assert cli_main(["embed", "--dataset", str(folder), "--model", str(bad), "--cache-dir", str(tmp_path)]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]  # one line after the progress bar
    assert last == f"error: {bad}: not a PyTorch checkpoint (unrecognised file format)"


def test_sculpt_end_to_end_with_the_tiny_checkpoint(tmp_path, tiny_sam_checkpoint):
    scene = generate_scene(seed=9, size=(240, 180))
    image = tmp_path / "scene.png"
    write_image(image, scene.image)
    write_image(tmp_path / "gt.png", scene.gt)
    box = ",".join(str(int(v)) for v in scene.box.as_list())
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, str(ROOT / "main.py"), "sculpt", "--image", str(image), "--box", box, "--gt", str(tmp_path / "gt.png"),
           "--segmenter", "sam", "--set", f"segmenter.options.sam.checkpoint={tiny_sam_checkpoint}",
           "--out", str(tmp_path / "out"), "--clean-output"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "IoU box-only" in res.stdout
    mask = load_image(tmp_path / "out" / "scene" / "final_mask.png")
    assert mask.shape[:2] == (180, 240)
    record = json.loads((tmp_path / "out" / "scene" / "sculpt.json").read_text())
    assert "sam" in json.dumps(record)
    assert list((tmp_path / "xdg" / "sam-sculpt" / "embeddings").rglob("*.npz"))  # default cache dir, private here
