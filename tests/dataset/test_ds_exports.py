"""Export then import gives the same mask, for every format; the files are what other tools expect."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from engine.cli.app import main
from engine.errors import InputError
from engine.exports.importers import import_mask
from engine.exports.items import ExportItem, Instance, collect_outputs
from engine.exports.polygons import hole_free_pieces, mask_to_polygons, polygons_to_mask
from engine.exports.writer import FORMATS, export
from engine.geometry.masks import iou
from engine.io.atomic import write_image, write_json, write_mask
from engine.samples import generate_scene

IMPORT_AS = {"png": "png", "png-indexed": "png", "coco": "coco", "coco-polygon": "coco", "labelme": "labelme",
             "labelme-mask": "labelme", "yolo": "yolo", "voc": "voc", "cod": "cod"}
EXACT = {"png", "png-indexed", "coco", "labelme-mask", "voc", "cod", "yolo"}  # RLE, PNG, mask shapes and YOLO's even-odd lines: pixel-exact; polygons: IoU >= 0.99


def _hard_mask(seed: int) -> np.ndarray:
    """A camouflage blob with two holes, a separate island and a one-pixel-wide spur."""
    m = generate_scene(seed, (240, 180)).gt.copy()
    ys, xs = np.nonzero(m)
    cy, cx = int(ys.mean()), int(xs.mean())
    m[cy - 10 : cy + 6, cx - 12 : cx + 3] = False
    m[cy + 12 : cy + 15, cx + 8 : cx + 11] = False
    m[5:15, 5:25] = True
    m[20:40, 228] = True
    return m


@pytest.fixture
def items(tmp_path: Path) -> list[ExportItem]:
    out = []
    for i, seed in enumerate((1, 2)):
        scene = generate_scene(seed, (240, 180))
        path = tmp_path / "images" / f"img{i}.png"
        write_image(path, scene.image)
        out.append(ExportItem(f"img{i}", 240, 180, [Instance("crab" if i == 0 else "moth", _hard_mask(seed))], path))
    return out


def test_hole_free_pieces_cover_the_mask_exactly() -> None:
    m = _hard_mask(1)
    pieces = hole_free_pieces(m)
    assert len(pieces) >= 3
    assert np.array_equal(np.logical_or.reduce(pieces), m)
    assert np.array_equal(polygons_to_mask(mask_to_polygons(m), m.shape), m)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(fmt: str, items: list[ExportItem], tmp_path: Path) -> None:
    out = tmp_path / fmt
    paths = export(items, fmt, out)
    assert paths and all(p.exists() for p in paths)
    for it in items:
        got = import_mask(IMPORT_AS[fmt], out, it.name, (it.height, it.width))
        want = it.instances[0].mask
        if fmt in EXACT:
            assert np.array_equal(got, want), fmt
        else:
            assert iou(got, want) >= 0.99, (fmt, iou(got, want))
    assert not list(out.rglob(".*.tmp"))


def test_coco_file_opens_in_pycocotools_api(items, tmp_path) -> None:
    for fmt in ("coco", "coco-polygon"):
        (path,) = export(items, fmt, tmp_path / fmt)
        coco = COCO(str(path))
        assert {c["name"] for c in coco.loadCats(coco.getCatIds())} == {"crab", "moth"}
        for img_id, it in zip(coco.getImgIds(), items, strict=True):
            (ann,) = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
            m = coco.annToMask(ann).astype(bool)
            assert iou(m, it.instances[0].mask) >= (1.0 if fmt == "coco" else 0.99)
            assert ann["area"] == int(it.instances[0].mask.sum()) and ann["iscrowd"] == 0


def test_labelme_json_shape(items, tmp_path) -> None:
    export(items, "labelme", tmp_path / "lm")
    data = json.loads((tmp_path / "lm" / "img0.json").read_text())
    assert data["imageData"] is None and (tmp_path / "lm" / data["imagePath"]).resolve() == items[0].image_path.resolve()
    assert (data["imageHeight"], data["imageWidth"]) == (180, 240)
    assert len(data["shapes"]) >= 3  # holes split into several polygons of one group
    assert {s["shape_type"] for s in data["shapes"]} == {"polygon"} and {s["group_id"] for s in data["shapes"]} == {1}
    assert all(len(s["points"]) >= 3 for s in data["shapes"])


def test_voc_is_palette_png_and_yolo_is_normalised(items, tmp_path) -> None:
    export(items, "voc", tmp_path / "voc")
    with Image.open(tmp_path / "voc" / "SegmentationObject" / "img0.png") as img:
        assert img.mode == "P" and img.getpalette()[3:6] == [128, 0, 0]
    assert (tmp_path / "voc" / "labels.txt").read_text().splitlines() == ["background", "crab", "moth"]
    export(items, "yolo", tmp_path / "yolo")
    lines = (tmp_path / "yolo" / "labels" / "img1.txt").read_text().splitlines()
    vals = [float(v) for v in lines[0].split()[1:]]
    assert lines[0].split()[0] == "1" and all(0.0 <= v <= 1.0 for v in vals)


def test_labelme_holes_round_trip_with_labelme_rasteriser(items, tmp_path) -> None:
    """LabelMe fills each polygon with PIL (ImageDraw.polygon, outline included): do the same."""
    from PIL import ImageDraw

    export(items, "labelme", tmp_path / "lm")
    data = json.loads((tmp_path / "lm" / "img0.json").read_text())
    canvas = Image.new("L", (240, 180), 0)
    draw = ImageDraw.Draw(canvas)
    for s in data["shapes"]:
        draw.polygon([tuple(p) for p in s["points"]], outline=1, fill=1)
    assert iou(np.asarray(canvas).astype(bool), items[0].instances[0].mask) >= 0.99


def test_export_command_from_outputs(tmp_path, capsys) -> None:
    scene = generate_scene(4, (240, 180))
    write_image(tmp_path / "imgs" / "a.png", scene.image)
    write_mask(tmp_path / "outputs" / "a" / "final_mask.png", scene.gt)
    write_json(tmp_path / "outputs" / "a" / "sculpt.json", {"image_path": str(tmp_path / "imgs" / "a.png"), "instance": {"instance": "crab"}})
    (tmp_path / "outputs" / "half").mkdir()  # no final_mask.png: not done, not exported
    assert main(["export", "--format", "cod", "--outputs", str(tmp_path / "outputs"), "--out", str(tmp_path / "cod")]) == 0
    assert (tmp_path / "cod" / "Imgs" / "a.png").read_bytes() == (tmp_path / "imgs" / "a.png").read_bytes()
    assert np.array_equal(import_mask("cod", tmp_path / "cod", "a", scene.gt.shape), scene.gt)
    assert [it.name for it in collect_outputs(tmp_path / "outputs")] == ["a"]
    assert "exported 1 image(s), 1 object(s) as cod" in capsys.readouterr().out


def test_import_errors_name_the_file(tmp_path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputError, match="bad.json"):
        import_mask("coco", tmp_path / "bad.json", "x")
    (tmp_path / "y.txt").write_text("0 0.1 0.2 0.3\n")
    with pytest.raises(InputError, match=r"y.txt: line 1"):
        import_mask("yolo", tmp_path / "y.txt", "y", (10, 10))
    write_mask(tmp_path / "m.png", np.ones((5, 6), bool))
    with pytest.raises(InputError, match=r"m.png: mask is 6x5 but the image is 7x5"):
        import_mask("png", tmp_path / "m.png", "m", (5, 7))
    with pytest.raises(InputError, match="no annotation for zz"):
        import_mask("labelme", tmp_path, "zz", (5, 5))
