"""What an exporter gets: one image with its objects (label + mask), collected from an outputs folder.

An outputs folder NAME/ is read as:
- several objects when it holds instances.png (0 = background, id k = k-th entry of sculpt.json
  `objects`, whose `label` and `box` are kept);
- otherwise one object from final_mask.png, labelled by sculpt.json `instance` / instance_info.txt
  (folders written before objects existed keep working)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from engine.errors import InputError
from engine.exports.labels import LabelList, extend_labels
from engine.io.images import IMAGE_SUFFIXES, check_image_file, load_mask

DEFAULT_LABEL = "object"


@dataclass
class Instance:
    """One object: its class label and its mask (bool H x W); box (x0, y0, x1, y1) when known."""

    category: str
    mask: np.ndarray
    box: tuple[float, float, float, float] | None = None

    @property
    def label(self) -> str:
        return self.category


@dataclass
class ExportItem:
    name: str
    width: int
    height: int
    instances: list[Instance] = field(default_factory=list)
    image_path: Path | None = None


def _find_image(name: str, images_dir: Path | None) -> Path | None:
    if images_dir is None:
        return None
    for s in IMAGE_SUFFIXES:
        for cand in (images_dir / f"{name}{s}", images_dir / f"{name}{s.upper()}"):
            if cand.exists():
                return cand
    return None


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "sculpt.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # ValueError: bad JSON, bad UTF-8, 5,000-digit ints
        return {}
    return meta if isinstance(meta, dict) else {}


def _box_of(obj: dict[str, Any]) -> tuple[float, float, float, float] | None:
    box = next((obj[k] for k in ("box_final", "box", "box_initial") if obj.get(k) is not None), None)
    if isinstance(box, dict) and all(k in box for k in ("x0", "y0", "x1", "y1")):
        box = [box["x0"], box["y0"], box["x1"], box["y1"]]
    try:
        if isinstance(box, (list, tuple)) and len(box) == 4:
            x0, y0, x1, y1 = (float(v) for v in box)
            return x0, y0, x1, y1
    except (TypeError, ValueError):
        pass
    return None


def read_instance_map(path: Path) -> np.ndarray:
    """An instance-id PNG (8 or 16 bit, grey or palette) as an integer array."""
    check_image_file(path, what="instance map")  # the pixel limit, from the header, before decoding
    arr = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if arr is not None and arr.ndim == 2:
        return arr.astype(np.int64)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            arr = np.asarray(img if img.mode in ("P", "L", "I", "I;16") else img.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable instance map ({exc})") from None
    return arr.astype(np.int64)


def _objects_of(folder: Path, meta: dict[str, Any], fallback_label: str) -> list[Instance] | None:
    objects = meta.get("objects")
    if not (folder / "instances.png").exists() or not isinstance(objects, list) or not objects:
        return None
    ids = read_instance_map(folder / "instances.png")
    out = []
    for k, obj in enumerate(objects, start=1):
        obj = obj if isinstance(obj, dict) else {}
        label = str(obj.get("label") or fallback_label)
        index = obj.get("index", k)
        out.append(Instance(label, ids == (index if isinstance(index, int) else k), _box_of(obj)))
    return out


def read_output_folder(folder: str | Path, category: str | None = None) -> tuple[list[Instance], dict[str, Any]]:
    """The objects of one outputs folder (see the module docstring) and its sculpt.json."""
    folder = Path(folder)
    meta = _read_meta(folder) if (folder / "sculpt.json").exists() else {}
    name = (meta.get("instance") or {}).get("instance") if isinstance(meta.get("instance"), dict) else None
    if not name and (folder / "instance_info.txt").exists():
        name = (folder / "instance_info.txt").read_text(encoding="utf-8").strip().split("\n")[0].strip()
    fallback = name or DEFAULT_LABEL
    objects = _objects_of(folder, meta, fallback)
    if objects is None:
        mask = load_mask(folder / "final_mask.png")
        objects = [Instance(fallback, mask)]
    if category:
        for obj in objects:
            obj.category = category
    return objects, meta


def output_folders(outputs_dir: str | Path) -> list[Path]:
    """OUTPUTS/NAME/ folders holding a final_mask.png (done images), sorted by name."""
    root = Path(outputs_dir)
    if not root.is_dir():
        raise InputError(f"{root.resolve()}: outputs folder not found (give the sculpt/batch outputs with --outputs DIR)")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / "final_mask.png").exists())
    if not folders:
        raise InputError(f"{root}: no NAME/final_mask.png found (run sculpt or batch first)")
    return folders


def folder_labels(folder: Path, category: str | None = None) -> list[str]:
    """The labels of one outputs folder, read from sculpt.json alone (no mask is decoded): the label
    list it was sculpted with (`labels`), then its objects' labels."""
    if category:
        return [category]
    meta = _read_meta(folder) if (folder / "sculpt.json").exists() else {}
    recorded = [str(v) for v in meta.get("labels") or [] if isinstance(v, str)]
    return recorded + _used_labels(folder, meta)


def _used_labels(folder: Path, meta: dict[str, Any]) -> list[str]:
    objects = meta.get("objects")
    inst = meta.get("instance")
    fallback = (inst.get("instance") if isinstance(inst, dict) else None) or DEFAULT_LABEL
    if (folder / "instances.png").exists() and isinstance(objects, list) and objects:
        return [str((o.get("label") if isinstance(o, dict) else None) or fallback) for o in objects]
    if fallback == DEFAULT_LABEL and (folder / "instance_info.txt").exists():
        fallback = (folder / "instance_info.txt").read_text(encoding="utf-8").strip().split("\n")[0].strip() or DEFAULT_LABEL
    return [fallback]


def recorded_image_path(folder: Path) -> Path | None:
    meta = _read_meta(folder) if (folder / "sculpt.json").exists() else {}
    return Path(meta["image_path"]) if isinstance(meta.get("image_path"), str) else None


def load_output_item(folder: Path, images_dir: str | Path | None = None, category: str | None = None) -> ExportItem:
    objects, meta = read_output_folder(folder, category)
    image_path = Path(meta["image_path"]) if meta.get("image_path") else None
    if image_path is None or not image_path.exists():
        image_path = _find_image(folder.name, Path(images_dir) if images_dir else None) or image_path
    h, w = objects[0].mask.shape
    return ExportItem(folder.name, w, h, objects, image_path)


def collect_outputs(outputs_dir: str | Path, images_dir: str | Path | None = None, category: str | None = None) -> list[ExportItem]:
    """Every OUTPUTS/NAME/ with a final_mask.png, with its objects and image path (images_dir is
    searched when the recorded image path is gone)."""
    return [load_output_item(sub, images_dir, category) for sub in output_folders(outputs_dir)]


def categories_of(items: list[ExportItem], labels: LabelList | None = None) -> list[str]:
    """Category names: the label list's order, then labels it lacks in first-seen order (position
    + 1 is the COCO category id, position the YOLO class)."""
    return extend_labels(labels, [inst.category for it in items for inst in it.instances]).names
