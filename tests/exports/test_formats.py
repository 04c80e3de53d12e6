"""The files are what other tools read: pycocotools' COCO API, LabelMe's LabelFile rules, the
Ultralytics layout and fill, Datumaro/CVAT's labelmap.txt, COD10K's GT/ + Instance/."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from export_helpers import H, W, scene_objects
from PIL import Image, ImageDraw

from engine.cli.app import main
from engine.errors import InputError
from engine.exports.items import ExportItem, Instance
from engine.exports.polygons import even_odd_mask, split_joined
from engine.exports.writer import export, export_dataset
from engine.geometry.masks import iou

WANT = scene_objects()


def test_coco_opens_in_pycocotools(outputs: Path, tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    for fmt in ("coco", "coco-polygon"):
        export_dataset(outputs, fmt, tmp_path / fmt)
        coco = COCO(str(tmp_path / fmt / "annotations.json"))
        assert [(c["id"], c["name"]) for c in coco.loadCats(coco.getCatIds())] == [(1, "shell"), (2, "crab"), (3, "unused")]
        img_id = next(i["id"] for i in coco.dataset["images"] if i["file_name"] == "two.png")
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        assert [a["category_id"] for a in anns] == [2, 1, 2] and {a["iscrowd"] for a in anns} == {0}
        for ann, (_, mask) in zip(anns, WANT["two"], strict=True):
            assert iou(coco.annToMask(ann).astype(bool), mask) >= (1.0 if fmt == "coco" else 0.98)
            assert ann["area"] == int(mask.sum())


def _labelme_shape_ok(s: dict) -> None:
    """The checks of labelme's LabelFile loader (labelme/_label_file.py, _load_shape_json_obj); labelme
    itself is not installed (it pulls PyQt5 and onnxruntime)."""
    assert isinstance(s["label"], str) and isinstance(s["shape_type"], str)
    assert isinstance(s["points"], list) and s["points"]
    assert all(isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) for v in p) for p in s["points"])
    assert s.get("flags") is None or all(isinstance(k, str) and isinstance(v, bool) for k, v in s["flags"].items())
    assert s.get("group_id") is None or isinstance(s["group_id"], int)
    assert s.get("description") is None or isinstance(s["description"], str)
    assert s.get("mask") is None or isinstance(s["mask"], str)


def _labelme_instances(data: dict) -> list[tuple[str, np.ndarray]]:
    """labelme's shapes_to_label: instance = (label, group_id); polygons filled by PIL with outline,
    mask shapes pasted at the rounded first point."""
    out: dict = {}
    for s in data["shapes"]:
        m = np.zeros((data["imageHeight"], data["imageWidth"]), bool)
        if s["shape_type"] == "mask":
            with Image.open(io.BytesIO(base64.b64decode(s["mask"]))) as img:
                patch = np.asarray(img).astype(bool)
            x0, y0 = (int(round(v)) for v in s["points"][0])
            m[y0 : y0 + patch.shape[0], x0 : x0 + patch.shape[1]] = patch
        else:
            canvas = Image.new("L", (data["imageWidth"], data["imageHeight"]), 0)
            ImageDraw.Draw(canvas).polygon([tuple(p) for p in s["points"]], outline=1, fill=1)
            m = np.asarray(canvas).astype(bool)
        key = (s["label"], s["group_id"])
        out[key] = out[key] | m if key in out else m
    return [(label, m) for (label, _), m in out.items()]


@pytest.mark.parametrize("fmt", ["labelme", "labelme-mask"])
def test_labelme_file_follows_labelfile(fmt: str, outputs: Path, tmp_path: Path) -> None:
    export_dataset(outputs, fmt, tmp_path / "lm")
    data = json.loads((tmp_path / "lm" / "two.json").read_text())
    assert {"version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth"} <= set(data)
    assert data["imageData"] is None and (tmp_path / "lm" / data["imagePath"]).is_file()
    for s in data["shapes"]:
        _labelme_shape_ok(s)
    assert {s["shape_type"] for s in data["shapes"]} == {"polygon" if fmt == "labelme" else "mask"}
    groups = sorted({s["group_id"] for s in data["shapes"]})
    assert groups == [1, 2, 3]  # the two crabs stay two instances
    got = _labelme_instances(data)
    assert [label for label, _ in got] == ["crab", "shell", "crab"]
    for (_, m), (_, want) in zip(got, WANT["two"], strict=True):
        assert iou(m, want) >= (1.0 if fmt == "labelme-mask" else 0.98)


def test_yolo_layout_and_ultralytics_fill(outputs: Path, tmp_path: Path) -> None:
    dest = tmp_path / "yolo"
    export_dataset(outputs, "yolo", dest)
    assert (dest / "images" / "two.png").read_bytes() == (outputs.parent / "dataset" / "images" / "two.png").read_bytes()
    assert (dest / "classes.txt").read_text().splitlines() == ["shell", "crab", "unused"]
    yaml = (dest / "data.yaml").read_text()
    assert "\npath:" not in yaml and "train: images" in yaml and '  1: "crab"' in yaml and "nc: 3" in yaml
    lines = (dest / "labels" / "two.txt").read_text().splitlines()
    assert [ln.split()[0] for ln in lines] == ["1", "0", "1"]  # ONE line per object, holes and parts included
    for line, (_, want) in zip(lines, WANT["two"], strict=True):
        vals = np.array([float(v) for v in line.split()[1:]]).reshape(-1, 2)
        assert vals.min() >= 0 and vals.max() <= 1
        pts = (vals * [W, H]).astype(np.int32)  # Ultralytics' polygon2mask: int32 coords, cv2.fillPoly
        m = np.zeros((H, W), np.uint8)
        cv2.fillPoly(m, [pts.reshape(-1, 1, 2)], 1)
        assert iou(m.astype(bool), want) >= 0.98  # its fill: holes open, a bridge across background adds a line


def test_yolo_reads_unmarked_joined_lines() -> None:
    """A line from another tool (no doubled bridge vertices): outer + hole joined, read even-odd."""
    outer = [(10, 10), (50, 10), (50, 50), (10, 50)]
    hole = [(20, 20), (20, 40), (40, 40), (40, 20)]
    walk = [outer[0], *outer[1:], outer[0], *hole, hole[0]]
    loops, lines = split_joined(walk)
    m = even_odd_mask(loops, (60, 60))
    assert m[15, 15] and not m[30, 30] and m[20, 30] and len(loops) == 2


def test_voc_labelmap_and_palettes(outputs: Path, tmp_path: Path) -> None:
    dest = tmp_path / "voc"
    export_dataset(outputs, "voc", dest)
    lm = (dest / "labelmap.txt").read_text().splitlines()
    assert lm[0].startswith("#") and lm[1] == "background:0,0,0::" and lm[2] == "shell:0,255,0::"
    assert lm[3].startswith("crab:") and lm[3].endswith("::") and len(lm) == 5
    with Image.open(dest / "SegmentationClass" / "two.png") as img:
        assert img.mode == "P" and img.getpalette()[3:6] == [0, 255, 0]
        cls = np.asarray(img)
    with Image.open(dest / "SegmentationObject" / "two.png") as img:
        obj = np.asarray(img)
    assert set(np.unique(obj).tolist()) == {0, 1, 2, 3}
    assert set(np.unique(cls[obj == 2]).tolist()) == {1} and set(np.unique(cls[obj == 1]).tolist()) == {2}
    assert (dest / "ImageSets" / "Segmentation" / "default.txt").read_text().split() == ["one", "two"]


def test_cod_layout(outputs: Path, tmp_path: Path) -> None:
    dest = tmp_path / "cod"
    export_dataset(outputs, "cod", dest)
    gt = cv2.imread(str(dest / "GT" / "two.png"), cv2.IMREAD_UNCHANGED)
    ids = cv2.imread(str(dest / "Instance" / "two.png"), cv2.IMREAD_UNCHANGED)
    assert set(np.unique(gt).tolist()) == {0, 255} and set(np.unique(ids).tolist()) == {0, 1, 2, 3}
    assert np.array_equal(gt > 0, ids > 0) and (dest / "Imgs" / "two.png").is_file()


def test_names_cannot_leave_the_export_folder(tmp_path: Path) -> None:
    m = np.zeros((8, 8), bool)
    m[2:5, 2:5] = True
    for name in ("../escape", "a/b"):
        with pytest.raises(InputError, match="must be a plain file name"):
            export([ExportItem(name, 8, 8, [Instance("x", m)])], "labelme", tmp_path / "lm")
    assert not (tmp_path / "escape.json").exists() and not list(tmp_path.rglob("*.json"))


def test_no_pycocotools_at_import_time() -> None:
    code = ("import sys, engine.exports.writer, engine.exports.importers, engine.cli.commands.export; "
            "print('pycocotools' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_export_command(outputs: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", "--format", "yolo", "--outputs", str(outputs), "--out", str(tmp_path / "y"),
                 "--simplify", "1"]) == 0
    assert "exported 2 image(s), 4 object(s) as yolo" in capsys.readouterr().out
    assert main(["export", "--format", "yolo", "--outputs", str(outputs), "--out", str(tmp_path / "y"),
                 "--simplify", "-1"]) == 2
    assert "--simplify -1" in capsys.readouterr().err
    (tmp_path / "labels.txt").write_text("crab\nshell\n")
    assert main(["export", "--format", "coco", "--outputs", str(outputs), "--out", str(tmp_path / "c"),
                 "--labels", str(tmp_path / "labels.txt")]) == 0
    cats = json.loads((tmp_path / "c" / "annotations.json").read_text())["categories"]
    assert [c["name"] for c in cats] == ["crab", "shell"]


def test_yolo_line_keeps_one_pixel_parts(tmp_path: Path) -> None:
    """A one-pixel island and a one-pixel-wide line stay in the object's single line (a camo-test
    mask lost its lone pixel once: the bridge to it was dropped with the pixel)."""
    from engine.exports.importers import read_yolo_objects

    m = np.zeros((40, 50), bool)
    m[5:20, 5:25] = True
    m[10:14, 10:14] = False  # a hole
    m[30, 40] = True  # one pixel
    m[25:35, 30] = True  # a one-pixel-wide line
    item = ExportItem("p", 50, 40, [Instance("x", m)])
    path = export([item], "yolo", tmp_path)[0]
    assert len(path.read_text().splitlines()) == 1
    (obj,) = read_yolo_objects(path, (40, 50))
    assert np.array_equal(obj.mask, m)


def test_only_image_files_are_copied(outputs: Path, tmp_path: Path) -> None:
    """sculpt.json is data: an image_path naming another kind of file is not copied into the export."""
    secret = tmp_path / "secret.txt"
    secret.write_text("not an image")
    meta_path = outputs / "one" / "sculpt.json"
    meta = json.loads(meta_path.read_text())
    meta["image_path"] = str(secret)
    meta_path.write_text(json.dumps(meta))
    export_dataset(outputs, "cod", tmp_path / "cod")
    assert sorted(p.name for p in (tmp_path / "cod" / "Imgs").iterdir()) == ["two.png"]
    assert not [p for p in (tmp_path / "cod").rglob("*") if p.is_file() and p.read_bytes() == b"not an image"]


def test_labelme_mask_shape_larger_than_the_image_is_refused(tmp_path: Path) -> None:
    from engine.exports.importers import import_objects

    buf = io.BytesIO()
    Image.fromarray(np.ones((50, 60), np.uint8)).save(buf, format="PNG")
    shape = {"label": "x", "points": [[0, 0], [59, 49]], "shape_type": "mask", "group_id": 1,
             "mask": base64.b64encode(buf.getvalue()).decode()}
    (tmp_path / "a.json").write_text(json.dumps({"shapes": [shape], "imageHeight": 10, "imageWidth": 10,
                                                 "imagePath": "a.png", "imageData": None}))
    with pytest.raises(InputError, match=r"a.json: shape 0: mask shape 60x50 larger than the image"):
        import_objects("labelme", tmp_path, "a", (10, 10))


def test_labelme_own_loader_when_installed(outputs: Path, tmp_path: Path) -> None:
    """With labelme installed (not a dependency: it pulls PyQt5 + onnxruntime), its own LabelFile and
    shapes_to_label read the exports back: every object is one instance with its class."""
    label_file = pytest.importorskip("labelme._label_file")
    shape_utils = pytest.importorskip("labelme.utils.shape")
    for fmt in ("labelme", "labelme-mask"):
        export_dataset(outputs, fmt, tmp_path / fmt)
        lf = label_file.LabelFile(str(tmp_path / fmt / "two.json"))
        cls, ins = shape_utils.shapes_to_label((H, W), lf.shapes, {"_background_": 0, "shell": 1, "crab": 2})
        for k, (label, mask) in enumerate(WANT["two"], start=1):
            assert np.array_equal(ins == k, mask) and set(np.unique(cls[mask]).tolist()) == {2 if label == "crab" else 1}


def test_voc_with_rgb_masks_as_cvat_writes_them(outputs: Path, tmp_path: Path) -> None:
    """CVAT's Segmentation mask export may hold 3-channel PNGs: classes by labelmap colour, instances
    by colour."""
    from engine.exports.importers import import_objects

    dest = tmp_path / "voc"
    export_dataset(outputs, "voc", dest)
    for sub in ("SegmentationClass", "SegmentationObject"):
        for p in (dest / sub).glob("*.png"):
            with Image.open(p) as img:
                img.convert("RGB").save(p)
    got = import_objects("voc", dest, "two", (H, W))
    assert [o.label for o in got] == ["crab", "shell", "crab"]
    for o, (_, mask) in zip(got, WANT["two"], strict=True):
        assert np.array_equal(o.mask, mask)


def test_yolo_line_of_a_noisy_mask_reads_back_exactly(tmp_path: Path) -> None:
    """Hundreds of outlines, many touching at a vertex (zero-length bridges), holes in islands."""
    from engine.exports.importers import read_yolo_objects

    rng = np.random.default_rng(3)
    m = np.zeros((240, 260), np.uint8)
    cv2.circle(m, (130, 120), 80, 1, -1)
    ring = cv2.dilate(m, np.ones((9, 9))) - cv2.erode(m, np.ones((9, 9)))
    m = np.where(ring > 0, (rng.random(m.shape) < 0.5).astype(np.uint8), m).astype(bool)
    m[rng.integers(0, 240, 40), rng.integers(0, 260, 40)] = True
    path = export([ExportItem("n", 260, 240, [Instance("x", m)])], "yolo", tmp_path)[0]
    (line,) = path.read_text().splitlines()
    assert len(line.split()) > 2000
    (obj,) = read_yolo_objects(path, (240, 260))
    assert np.array_equal(obj.mask, m)
