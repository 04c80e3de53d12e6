"""Find the images of a folder in one of three layouts:
aux    - the prototype's: images/{name}.png|jpg, box_out/{name}/{name}_sam_boxes.json, llm_out/{name}_output.json
cod    - COD benchmarks: Imgs/*.jpg with optional GT/*.png (Image/ and GT_Object/ are accepted too)
folder - a plain folder of images
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.io.images import IMAGE_SUFFIXES
from engine.io.safe_paths import safe_name, sanitise_stem

COD_IMAGE_DIRS = ("Imgs", "Image", "Images", "images")
COD_GT_DIRS = ("GT", "GT_Object", "masks", "Masks")


@dataclass
class DatasetItem:
    name: str
    image_path: Path
    box_path: Path | None = None  # may not exist yet (e.g. before `locate`)
    llm_path: Path | None = None
    gt_path: Path | None = None

    @property
    def has_box(self) -> bool:
        return self.box_path is not None and self.box_path.exists()


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))


def detect_layout(root: Path) -> str:
    if (root / "images").is_dir() and any((root / d).is_dir() for d in ("box_out", "llm_out", "gt")):
        return "aux"
    if any((root / d).is_dir() for d in COD_IMAGE_DIRS[:3]) and any((root / d).is_dir() for d in COD_GT_DIRS):
        return "cod"
    if (root / "Imgs").is_dir():
        return "cod"
    if (root / "images").is_dir() and not any(p.suffix.lower() in IMAGE_SUFFIXES for p in root.iterdir() if p.is_file()):
        return "aux"  # images/ and nothing else yet: the boxes are drawn in the window
    return "folder"


def aux_item(root: Path, name: str) -> DatasetItem:
    """The image NAME of an aux folder (NAME must be a plain file name: it names output folders)."""
    safe_name(name, "image name")
    images = root / "images"
    image_path = next((images / f"{name}{s}" for s in IMAGE_SUFFIXES if (images / f"{name}{s}").exists()), None)
    if image_path is None:
        raise InputError(f"{images}: no image named {name} (.png/.jpg/...)")
    gt = next((root / "gt" / f"{name}{s}" for s in (".png",) if (root / "gt" / f"{name}{s}").exists()), None)
    return DatasetItem(
        name=name,
        image_path=image_path,
        box_path=root / "box_out" / name / f"{name}_sam_boxes.json",
        llm_path=root / "llm_out" / f"{name}_output.json",
        gt_path=gt,
    )


def _aux_listed(root: Path, image: Path) -> DatasetItem:
    """An image found in images/: a stem that is not a plain name (e.g. '..' of '...png') gets a
    sanitised name and no box/llm files (their paths would leave the folder)."""
    if sanitise_stem(image.stem) == image.stem:
        return aux_item(root, image.stem)
    return DatasetItem(name=sanitise_stem(image.stem), image_path=image)


def list_dataset(root: str | Path, layout: str = "auto") -> list[DatasetItem]:
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: dataset folder not found")
    if layout == "auto":
        layout = detect_layout(root)
    if layout == "aux":
        if not (root / "images").is_dir():
            raise InputError(f"{root}: no images/ folder (the aux layout needs images/, box_out/, llm_out/)")
        return [_aux_listed(root, p) for p in _images_in(root / "images")]
    if layout == "cod":
        img_dir = next((root / d for d in COD_IMAGE_DIRS if (root / d).is_dir()), None)
        if img_dir is None:
            raise InputError(f"{root}: no Imgs/ folder (the cod layout needs Imgs/ and optionally GT/)")
        gt_dir = next((root / d for d in COD_GT_DIRS if (root / d).is_dir()), None)
        items = []
        for p in _images_in(img_dir):
            gt = gt_dir / f"{p.stem}.png" if gt_dir is not None else None
            items.append(DatasetItem(name=sanitise_stem(p.stem), image_path=p,
                                     gt_path=gt if gt is not None and gt.exists() else None))
        return items
    if layout == "folder":
        return [DatasetItem(name=sanitise_stem(p.stem), image_path=p) for p in _images_in(root)]
    raise InputError(f"unknown layout {layout!r} (use aux, cod, folder or auto)")


def find_item(root: str | Path, name: str, layout: str = "auto") -> DatasetItem:
    for item in list_dataset(root, layout):
        if item.name == name:
            return item
    raise InputError(f"{root}: no image named {name}")
