"""What an exporter gets: one image with its instance masks, collected from an outputs folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.errors import InputError
from engine.io.images import IMAGE_SUFFIXES, load_mask


@dataclass
class Instance:
    category: str
    mask: np.ndarray  # bool (H, W)


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


def collect_outputs(outputs_dir: str | Path, images_dir: str | Path | None = None, category: str | None = None) -> list[ExportItem]:
    """Every OUTPUTS/NAME/final_mask.png, with the image path and instance name from sculpt.json /
    instance_info.txt (images_dir is searched when the recorded image path is gone)."""
    root = Path(outputs_dir)
    if not root.is_dir():
        raise InputError(f"{root}: outputs folder not found")
    images = Path(images_dir) if images_dir else None
    items = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and (p / "final_mask.png").exists()):
        mask = load_mask(sub / "final_mask.png")
        meta: dict = {}
        if (sub / "sculpt.json").exists():
            try:
                meta = json.loads((sub / "sculpt.json").read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                meta = {}
        name = category or (meta.get("instance") or {}).get("instance")
        if not name and (sub / "instance_info.txt").exists():
            name = (sub / "instance_info.txt").read_text(encoding="utf-8").strip()
        image_path = Path(meta["image_path"]) if meta.get("image_path") else None
        if image_path is None or not image_path.exists():
            image_path = _find_image(sub.name, images) or image_path
        h, w = mask.shape
        items.append(ExportItem(sub.name, w, h, [Instance(name or "object", mask)], image_path))
    if not items:
        raise InputError(f"{root}: no NAME/final_mask.png found (run sculpt or batch first)")
    return items


def categories_of(items: list[ExportItem]) -> list[str]:
    """Category names in first-seen order (their 1-based position is the class id)."""
    seen: dict[str, None] = {}
    for it in items:
        for inst in it.instances:
            seen.setdefault(inst.category, None)
    return list(seen)
