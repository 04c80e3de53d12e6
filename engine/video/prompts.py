"""What the user gives on the prompt frame (one ObjectPrompt per object) and the DAVIS-style outputs: one palette
PNG per frame whose pixel values are object ids (0 = background), the standard DAVIS/VOC palette."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from engine.errors import InputError
from engine.exports.pngs import voc_palette
from engine.exports.pngs import write_palette_png as _write_palette_png
from engine.types import Box


@dataclass
class ObjectPrompt:
    obj_id: int  # 1..255, the value in the palette PNG
    label: str = "object"
    box: Box | None = None
    points: list[tuple[float, float, int]] = field(default_factory=list)  # (x, y, 1 positive / 0 negative)
    mask: np.ndarray | None = None  # bool HxW (an init mask); exclusive with box/points

    def __post_init__(self) -> None:
        if not 1 <= self.obj_id <= 255:
            raise InputError(f"object id {self.obj_id}: must be 1..255 (a palette PNG value)")
        if self.mask is None and self.box is None and not self.points:
            raise InputError(f"object {self.obj_id} ({self.label}): needs a box, points or an init mask")
        if self.mask is not None and (self.box is not None or self.points):
            raise InputError(f"object {self.obj_id} ({self.label}): an init mask cannot be combined with a box or points")

    def to_json(self) -> dict:
        out: dict = {"id": self.obj_id, "label": self.label}
        if self.box is not None:
            out["box"] = [float(self.box.x0), float(self.box.y0), float(self.box.x1), float(self.box.y1)]
        if self.points:
            out["points"] = [[float(x), float(y), int(lab)] for x, y, lab in self.points]
        if self.mask is not None:
            out["mask_pixels"] = int(self.mask.sum())
            packed = np.packbits(self.mask.astype(bool)).tobytes()
            out["mask_digest"] = hashlib.blake2b(packed, digest_size=8).hexdigest()  # same pixels = same run
        return out


def davis_palette() -> list[int]:
    """The 256-colour palette of DAVIS annotations: the PASCAL VOC colour map (id 1 dark red, 2 green, ...)."""
    return list(_PALETTE)


_PALETTE = voc_palette()


def compose(masks: dict[int, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """uint8 id map; where objects overlap the higher id wins (DAVIS masks do not overlap)."""
    out = np.zeros(shape, np.uint8)
    for obj_id in sorted(masks):
        out[masks[obj_id].astype(bool)] = obj_id
    return out


def read_id_map(path: Path) -> np.ndarray:
    """uint8 object ids of a DAVIS palette PNG; a grey/RGB mask (MoCA-Mask, COD GT: 0/255) reads as ids {0, 1}."""
    try:
        with Image.open(path) as img:
            if img.mode == "P":
                return np.array(img, dtype=np.uint8)
            grey = np.array(img.convert("L"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the mask ({exc})") from None
    return (grey > 127).astype(np.uint8)


def split_ids(ids: np.ndarray) -> dict[int, np.ndarray]:
    return {int(v): ids == v for v in np.unique(ids) if v != 0}


def parse_points(text: str) -> list[tuple[float, float, int]]:
    """`x,y[,label];x,y[,label]...` (label 1 = positive, the default; 0 = negative)."""
    out = []
    for part in (p for p in text.split(";") if p.strip()):
        vals = part.split(",")
        try:
            nums = [float(v) for v in vals]
        except ValueError:
            raise InputError(f"--points {text!r}: expected x,y[,label];x,y[,label] numbers") from None
        if len(nums) not in (2, 3) or (len(nums) == 3 and nums[2] not in (0, 1)):
            raise InputError(f"--points {text!r}: each point is x,y or x,y,label with label 0 or 1")
        out.append((nums[0], nums[1], int(nums[2]) if len(nums) == 3 else 1))
    if not out:
        raise InputError(f"--points {text!r}: no points")
    return out


def write_palette_png(path: Path, ids: np.ndarray) -> None:
    """A DAVIS palette PNG of an object-id map, written atomically (the exports' writer)."""
    _write_palette_png(path, ids, _PALETTE)


def anchor_prompts(png: Path, shape: tuple[int, ...], objects: list[ObjectPrompt]) -> list[ObjectPrompt]:
    """Each object's saved mask in a finished frame's palette PNG as a prompt (empty when it is not there)."""
    saved = split_ids(read_id_map(png))
    empty = np.zeros(shape[:2], bool)
    return [ObjectPrompt(o.obj_id, o.label, mask=saved.get(o.obj_id, empty)) for o in objects]
