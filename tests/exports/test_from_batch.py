"""Done-when of the objects issue, export side: a two-box image goes through `batch` and `sculpt`
(grabcut, no weights), then through every export and back through every importer with its objects
and labels."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from engine.cli.app import main
from engine.exports.importers import import_objects
from engine.exports.items import collect_outputs
from engine.exports.writer import FORMATS, export_dataset
from engine.io.atomic import write_image, write_json

IMPORT_AS = {"coco-polygon": "coco", "labelme-mask": "labelme"}


def _two_box_dataset(root: Path) -> None:
    rng = np.random.default_rng(7)
    img = rng.integers(90, 130, (150, 200, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:150, 0:200]
    ring = ((xx - 55) ** 2 + (yy - 70) ** 2 <= 35**2) & ~((xx - 55) ** 2 + (yy - 70) ** 2 <= 12**2)
    img[ring] = (200, 60, 40)
    blob = ((xx - 150) ** 2 / 30**2 + (yy - 80) ** 2 / 45**2 <= 1)
    img[blob] = (40, 70, 210)
    write_image(root / "images" / "pair.png", img)
    write_json(root / "box_out" / "pair" / "pair_sam_boxes.json",
               {"boxes": [[15, 30, 95, 110], [115, 30, 185, 130]], "labels": ["crab", "shell"]})
    write_json(root / "llm_out" / "pair_output.json", {"instance": "crab"})


@pytest.fixture(scope="module", params=["batch", "sculpt"])
def batch_outputs(request, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("two_box")
    _two_box_dataset(root / "aux")
    if request.param == "batch":
        args = ["batch", "--auto", "--aux-dir", str(root / "aux"), "--no-progress"]
    else:
        args = ["sculpt", "--name", "pair", "--aux-dir", str(root / "aux")]
    assert main([*args, "--out", str(root / "out"), "--rounds", "0", "--clean-output"]) == 0
    return root / "out"


def test_batch_writes_two_labelled_objects(batch_outputs: Path) -> None:
    (item,) = collect_outputs(batch_outputs)
    assert [o.label for o in item.instances] == ["crab", "shell"]
    assert all(o.mask.any() for o in item.instances)
    _, hier = cv2.findContours(item.instances[0].mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    assert any(h[3] >= 0 for h in hier[0])  # the crab (a ring) has its hole


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips(fmt: str, batch_outputs: Path, tmp_path: Path) -> None:
    (item,) = collect_outputs(batch_outputs)
    export_dataset(batch_outputs, fmt, tmp_path / fmt)
    got = import_objects(IMPORT_AS.get(fmt, fmt), tmp_path / fmt, "pair", (item.height, item.width))
    if fmt == "png":
        assert len(got) == 1 and np.array_equal(got[0].mask, item.instances[0].mask | item.instances[1].mask)
        return
    assert [o.label for o in got] == ["crab", "shell"]
    for o, want in zip(got, item.instances, strict=True):
        assert np.array_equal(o.mask, want.mask), fmt
