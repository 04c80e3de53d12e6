"""Existing annotations back to objects (label + mask each): the starting objects of a session
(semi-automatic cleanup of a dataset someone already labelled). `import_objects` keeps every
object and its label; `import_mask` is their union (the one-mask API `sculpt --init-mask` and
`batch --init-masks` use). Every reader names the file in its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from engine.errors import InputError
from engine.exports.items import DEFAULT_LABEL, Instance, read_instance_map, read_output_folder
from engine.exports.labels import find_labels
from engine.exports.pngs import OBJECTS_FILE, voc_palette
from engine.exports.readers import read_coco_objects, read_labelme_objects, read_yolo_objects
from engine.io.images import check_image_file

IMPORT_FORMATS = ("png", "png-indexed", "coco", "labelme", "yolo", "voc", "cod")


def _resolve(source: Path, name: str, candidates: tuple[str, ...]) -> Path:
    if source.is_file():
        return source
    for rel in candidates:
        p = source / rel.format(name=name)
        if p.exists():
            return p
    raise InputError(f"{source}: no annotation for {name} (looked for {', '.join(c.format(name=name) for c in candidates)})")


def _check_shape(mask: np.ndarray, shape: tuple[int, int] | None, source: Path) -> np.ndarray:
    if shape is not None and mask.shape != tuple(shape):
        raise InputError(f"{source}: mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}")
    return mask


def _load_png(path: Path) -> tuple[np.ndarray, str]:
    check_image_file(path, what="mask")  # the pixel limit, from the header, before anything is decoded
    try:
        with Image.open(path) as img:
            mode = img.mode
            if mode in ("I;16", "I;16B", "I;16L", "I"):
                return read_instance_map(path), mode
            arr = np.asarray(img if mode in ("P", "L", "1") else img.convert("L"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not a readable mask image ({exc})") from None
    return (arr[:, :, 0] if arr.ndim == 3 else arr), mode


def _is_index_map(arr: np.ndarray, mode: str) -> bool:
    values = np.unique(arr)
    return mode in ("P", "I;16", "I;16B", "I;16L", "I") or (values.max(initial=0) < 128 and len(values) > 1)


def read_png_mask(path: Path, shape: tuple[int, int] | None = None, instance: int | None = None) -> np.ndarray:
    """Binary (0/255, 0/1), soft (thresholded at 128) or instance-indexed/palette PNGs (values 1..N;
    255 is VOC's 'void' border and is not object). instance= picks one index."""
    arr, mode = _load_png(path)
    if instance is not None:
        mask = arr == instance
    elif _is_index_map(arr, mode):
        mask = (arr > 0) & (arr != 255)
    elif set(np.unique(arr).tolist()) <= {0, 1, 255}:
        mask = arr > 0
    else:
        mask = arr >= 128
    return _check_shape(mask.astype(bool), shape, path)


def _sidecar_labels(root: Path, name: str) -> dict[int, str]:
    """id -> label from an objects.json (written by png-indexed and cod exports)."""
    for folder in (root, root.parent):
        path = folder / OBJECTS_FILE
        if path.is_file():
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                return {int(o["id"]): str(o["label"]) for o in doc["images"].get(name, [])}
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                raise InputError(f"{path}: malformed objects file") from None
    return {}


def read_index_objects(path: Path, shape: tuple[int, int] | None, labels: dict[int, str] | None = None) -> list[Instance]:
    """One object per id (0 = background, 255 = VOC void), in id order."""
    arr, mode = _load_png(path)
    _check_shape(arr, shape, path)
    if not _is_index_map(arr, mode):
        return [Instance(DEFAULT_LABEL, read_png_mask(path, shape))]
    labels = labels or {}
    ids = [int(v) for v in np.unique(arr) if v not in (0, 255)]
    return [Instance(labels.get(k, DEFAULT_LABEL), arr == k) for k in ids]


VOC_VOID_RGB = (224, 224, 192)  # the border colour of VOC's palette index 255


def _is_rgb(path: Path) -> bool:
    check_image_file(path, what="mask")
    with Image.open(path) as img:
        return img.mode in ("RGB", "RGBA")


def read_colour_objects(path: Path, shape: tuple[int, int] | None) -> list[Instance]:
    """A 3-channel instance mask (CVAT can write them): one object per colour other than black
    and VOC's void colour, ordered by the colour's VOC palette index where it has one."""
    check_image_file(path, what="mask")
    with Image.open(path) as img:
        rgb = np.asarray(img.convert("RGB")).astype(np.int64)
    _check_shape(rgb[..., 0], shape, path)
    code = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    pal = voc_palette()
    rank = {(pal[3 * i] << 16) | (pal[3 * i + 1] << 8) | pal[3 * i + 2]: i for i in range(255, -1, -1)}
    void = (VOC_VOID_RGB[0] << 16) | (VOC_VOID_RGB[1] << 8) | VOC_VOID_RGB[2]
    colours = [int(c) for c in np.unique(code) if c not in (0, void)]
    colours.sort(key=lambda c: (rank.get(c, 1 << 30), c))
    return [Instance(DEFAULT_LABEL, code == c) for c in colours]


def read_voc_objects(source: Path, name: str, shape: tuple[int, int] | None) -> list[Instance]:
    """SegmentationObject ids; each object's label is the class most of its pixels have in
    SegmentationClass (names from labelmap.txt or labels.txt, colours of RGB masks via labelmap)."""
    root = source if source.is_dir() else source.parent.parent
    obj_path = _resolve(source, name, ("SegmentationObject/{name}.png", "{name}.png"))
    objects = read_colour_objects(obj_path, shape) if _is_rgb(obj_path) else read_index_objects(obj_path, shape)
    cls_path = root / "SegmentationClass" / f"{name}.png"
    if not cls_path.exists():
        return objects
    names, colours = _voc_labelmap(root)
    check_image_file(cls_path, what="mask")
    with Image.open(cls_path) as img:
        if img.mode in ("P", "L"):
            cls = np.asarray(img).astype(np.int64)
        else:
            rgb = np.asarray(img.convert("RGB")).astype(np.int64)
            code = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
            cls = np.zeros(code.shape, np.int64)
            for i, (r, g, b) in colours.items():
                cls[code == ((r << 16) | (g << 8) | b)] = i
    for obj in objects:
        vals = cls[obj.mask]
        vals = vals[(vals > 0) & (vals != 255)]
        if vals.size:
            k = int(np.bincount(vals).argmax())
            obj.category = names[k] if k < len(names) else str(k)
    return objects


def _voc_labelmap(root: Path) -> tuple[list[str], dict[int, tuple[int, int, int]]]:
    """Class names by index (background first) and colours by index, from labelmap.txt
    (`name:r,g,b:parts:actions`) or labels.txt (one name per line)."""
    names: list[str] = []
    colours: dict[int, tuple[int, int, int]] = {}
    if (root / "labelmap.txt").is_file():
        for line in (root / "labelmap.txt").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(":")
            if len(parts) > 1 and parts[1].count(",") == 2:
                try:
                    r, g, b = (int(v) for v in parts[1].split(","))
                    colours[len(names)] = (r, g, b)
                except ValueError:
                    pass
            names.append(parts[0].strip())
    elif (root / "labels.txt").is_file():
        names = [ln.strip() for ln in (root / "labels.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    return names, colours


def _cod_objects(src: Path, name: str, shape: tuple[int, int] | None) -> list[Instance]:
    root = src if src.is_dir() else src.parent.parent
    if src.is_dir():
        for rel in ("Instance/{name}.png", "GT_Instance/{name}.png"):
            p = src / rel.format(name=name)
            if p.exists():
                return read_index_objects(p, shape, _sidecar_labels(root, name))
    path = _resolve(src, name, ("GT/{name}.png", "GT_Object/{name}.png", "{name}.png"))
    return [Instance(_sidecar_labels(root, name).get(1, DEFAULT_LABEL), read_png_mask(path, shape))]


def _png_objects(src: Path, name: str, shape: tuple[int, int] | None, indexed: bool) -> list[Instance]:
    if src.is_dir() and (src / name / "final_mask.png").exists():  # a sculpt/batch outputs folder
        objects, _ = read_output_folder(src / name)
        for obj in objects:
            _check_shape(obj.mask, shape, src / name / "final_mask.png")
        return objects
    path = _resolve(src, name, ("{name}.png", "GT/{name}.png"))
    root = path.parent
    if indexed or (root / OBJECTS_FILE).is_file():
        return read_index_objects(path, shape, _sidecar_labels(root, name))
    return [Instance(DEFAULT_LABEL, read_png_mask(path, shape))]


def import_objects(fmt: str, source: str | Path, name: str, shape: tuple[int, int] | None = None) -> list[Instance]:
    """The objects of image `name` from `source` (a file or a folder, by format), in their stored
    order, each with its label ("object" where the format has none). Empty objects are dropped."""
    src = Path(source)
    if not src.exists():
        raise InputError(f"{src}: annotation source not found")
    if fmt in ("png", "png-indexed"):
        objects = _png_objects(src, name, shape, fmt == "png-indexed")
    elif fmt == "cod":
        objects = _cod_objects(src, name, shape)
    elif fmt == "voc":
        objects = read_voc_objects(src, name, shape)
    elif fmt in ("coco", "coco-polygon"):
        path = src if src.is_file() else _resolve(src, name, ("annotations.json",))
        objects, hw = read_coco_objects(path, name)
        _check_shape(np.zeros(hw, bool), shape, path)
    elif fmt in ("labelme", "labelme-mask"):
        path = _resolve(src, name, ("{name}.json",))
        objects, hw = read_labelme_objects(path, shape)
        _check_shape(np.zeros(hw, bool), shape, path)
    elif fmt == "yolo":
        if shape is None:
            raise InputError(f"{src}: YOLO labels are normalised; the image size is needed")
        objects = read_yolo_objects(_resolve(src, name, ("labels/{name}.txt", "{name}.txt")), tuple(shape))
    else:
        raise InputError(f"unknown import format {fmt!r} (use one of {', '.join(IMPORT_FORMATS)})")
    return [o for o in objects if o.mask.any()]


def import_mask(fmt: str, source: str | Path, name: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """The union of the objects of image `name` (one starting mask)."""
    objects = import_objects(fmt, source, name, shape)
    if objects:
        out = np.zeros_like(objects[0].mask)
        for o in objects:
            out |= o.mask
        return out
    if shape is not None:
        return np.zeros(tuple(shape), bool)
    raise InputError(f"{source}: no object for {name} and no image size to make an empty mask")


def import_labels(source: str | Path) -> list[str]:
    """The label list next to an annotation source (labels.txt), if any."""
    src = Path(source)
    return find_labels(src if src.is_dir() else src.parent).names


# the per-format union readers of the first version, kept for callers
def _union(objects, hw: tuple[int, int], category: str | None = None) -> np.ndarray:
    """One mask of the objects (only those of `category`, if given)."""
    mask = np.zeros(tuple(hw), bool)
    for o in objects:
        if category is None or o.category == category:
            mask |= o.mask
    return mask


def read_coco_mask(path: Path, name: str, shape: tuple[int, int] | None = None, category: str | None = None) -> np.ndarray:
    objects, hw = read_coco_objects(Path(path), name)
    return _check_shape(_union(objects, hw, category), shape, Path(path))


def read_labelme_mask(path: Path, shape: tuple[int, int] | None = None, label: str | None = None) -> np.ndarray:
    objects, hw = read_labelme_objects(Path(path), shape)
    return _check_shape(_union(objects, hw, label), shape, Path(path))


def read_yolo_mask(path: Path, shape: tuple[int, int]) -> np.ndarray:
    return _union(read_yolo_objects(Path(path), tuple(shape)), shape)
