"""One entry point for every export format (`export`, over items in memory) and `export_dataset`
(over an outputs folder, one image in memory at a time, with a progress callback and a cancel flag:
what the GUI's worker runs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from engine.errors import InputError
from engine.exports.items import (
    ExportItem,
    categories_of,
    folder_labels,
    load_output_item,
    output_folders,
    recorded_image_path,
)
from engine.exports.labels import LabelList, extend_labels, find_labels, read_labels
from engine.io.safe_paths import listed_image

FORMATS = ("png", "png-indexed", "coco", "coco-polygon", "labelme", "labelme-mask", "yolo", "voc", "cod")
POLYGON_FORMATS = ("coco-polygon", "labelme", "yolo")  # the ones --simplify changes
NEEDS_PYCOCOTOOLS = ("coco", "coco-polygon")
COPIES_IMAGES = ("yolo", "cod")


class FormatWriter(Protocol):
    def add(self, item: ExportItem) -> list[Path]: ...
    def finish(self) -> list[Path]: ...


def check_simplify(simplify: float | None) -> float | None:
    if simplify is None or simplify == 0:
        return None
    if not simplify > 0 or simplify > 100:
        raise InputError(f"--simplify {simplify}: a tolerance in pixels, above 0 (1.0 is a good start)")
    return float(simplify)


def make_writer(fmt: str, dest: str | Path, cats: list[str], labels: LabelList | None = None,
                simplify: float | None = None) -> FormatWriter:
    """The writer of one format; cats is the full class order (ids are positions in it)."""
    from engine.exports import coco, labelme, pngs, yolo

    dest, simplify = Path(dest), check_simplify(simplify)
    if fmt in NEEDS_PYCOCOTOOLS:
        coco.mask_api()  # fail before writing anything when pycocotools is missing
    makers: dict[str, Callable[[], FormatWriter]] = {
        "png": lambda: pngs.PngWriter(dest, cats),
        "png-indexed": lambda: pngs.PngWriter(dest, cats, indexed=True),
        "coco": lambda: coco.CocoWriter(dest, cats, "rle"),
        "coco-polygon": lambda: coco.CocoWriter(dest, cats, "polygon", simplify),
        "labelme": lambda: labelme.LabelmeWriter(dest, "polygon", simplify),
        "labelme-mask": lambda: labelme.LabelmeWriter(dest, "mask"),
        "yolo": lambda: yolo.YoloWriter(dest, cats, simplify),
        "voc": lambda: pngs.VocWriter(dest, cats, labels),
        "cod": lambda: pngs.CodWriter(dest, cats),
    }
    if fmt not in makers:
        raise InputError(f"export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return makers[fmt]()


def export(items: list[ExportItem], fmt: str, out_dir: str | Path, simplify: float | None = None,
           labels: LabelList | None = None) -> list[Path]:
    """Write `items` as `fmt` under out_dir. labels: the class order (default: first seen)."""
    writer = make_writer(fmt, out_dir, categories_of(items, labels), labels, simplify)
    return [p for it in items for p in writer.add(it)] + writer.finish()


@dataclass
class ExportReport:
    fmt: str
    dest: Path
    images: int = 0
    objects: int = 0
    paths: list[Path] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    cancelled: bool = False
    images_not_copied: list[str] = field(default_factory=list)  # yolo/cod: image file not found

    def summary(self) -> str:
        state = "cancelled after" if self.cancelled else "exported"
        text = (f"{state} {self.images} image(s), {self.objects} object(s) as {self.fmt}: "
                f"{len(self.paths)} file(s) in {self.dest}")
        if self.images_not_copied:
            text += (f"; {len(self.images_not_copied)} image file(s) not found, not copied "
                     f"(e.g. {self.images_not_copied[0]}; --images DIR finds moved images)")
        return text


def dataset_labels(out_root: Path, folders: list[Path], category: str | None,
                   labels: str | Path | LabelList | None) -> LabelList:
    """The given label list, else labels.txt in out_root or in the dataset folder of the first image
    (beside images/ or Imgs/), then the label lists recorded in sculpt.json and every label used."""
    if isinstance(labels, LabelList):
        base = labels
    elif labels is not None:
        base = read_labels(labels)
    else:
        image = recorded_image_path(folders[0]) if folders else None
        base = find_labels(out_root, *((image.parent, image.parent.parent) if image else ()))
    return extend_labels(base, [lab for f in folders for lab in folder_labels(f, category)])


def export_dataset(out_root: str | Path, fmt: str, dest: str | Path, simplify: float | None = None,
                   progress: Callable[[int, int, str], None] | None = None, cancel: Callable[[], bool] | None = None,
                   images_dir: str | Path | None = None, category: str | None = None,
                   labels: str | Path | LabelList | None = None) -> ExportReport:
    """Export a sculpt/batch outputs folder (out_root/NAME/...) to dest as fmt, every file under dest.

    progress(done, total, name) is called after each image; cancel() is polled before each image and
    stops the export: the images already done are complete, and the set-wide files (COCO json, class
    lists, objects.json) are written for them, report.cancelled is set. Bad input raises InputError,
    a missing pycocotools BackendError, each with a one-line message."""
    folders = output_folders(out_root)
    label_list = dataset_labels(Path(out_root), folders, category, labels)
    writer = make_writer(fmt, dest, label_list.names, label_list, simplify)
    report = ExportReport(fmt, Path(dest), labels=label_list.names)
    for i, folder in enumerate(folders, start=1):
        if cancel is not None and cancel():
            report.cancelled = True
            break
        item = load_output_item(folder, images_dir, category)
        report.paths += writer.add(item)
        if fmt in COPIES_IMAGES and listed_image(item.image_path) is None:
            report.images_not_copied.append(item.name)
        report.images += 1
        report.objects += sum(1 for inst in item.instances if inst.mask.any())
        if progress is not None:
            progress(i, len(folders), folder.name)
    report.paths += writer.finish()
    return report
