"""The per-image function both executors run, and the per-worker context that holds the models.

A worker builds its segmenter (and critic, unless it needs per-image data like the oracle) once,
then calls process_item() for every image it is given. Nothing here raises: a failure becomes an
ItemResult with a one-line reason, so one bad image never stops a batch."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InputError, SculptError
from engine.geometry.masks import iou
from engine.io.dataset import DatasetItem
from engine.io.safe_paths import safe_join
from engine.sculpt.runner import (
    LoadedItem,
    build_critic,
    build_segmenter,
    critic_needs_gt,
    load_item,
    sculpt_image,
)
from engine.types import Box

DONE_MARKER = "final_mask.png"  # written last by write_outputs: its presence means the item is complete


@dataclass
class BatchOptions:
    out_root: Path
    skip_done: bool = False
    box_from_gt: bool = False
    clean_output: bool = False
    save_points_vis: bool = False
    init_masks: Path | None = None  # existing masks to start from (semi-automatic cleanup)
    init_format: str = "png"  # png | coco | labelme | yolo | voc
    gt_instances: Path | None = None  # GT instance maps (NAME.png): the oracle judges each object against its own


@dataclass
class ItemResult:
    name: str
    file: str
    status: str  # done | skipped | failed
    reason: str = ""
    seconds: float = 0.0
    rounds: int = 0
    points: int = 0
    iou_initial: float | None = None
    iou_final: float | None = None
    worker: str = ""
    model_builds: int = 0  # how many times this worker built its segmenter (1 = loaded once)
    objects: int = 0  # objects sculpted in this image (one per box)
    partial: bool = False  # a critic request failed: the last good mask was written (reason says which)

    def failure_line(self) -> str:
        """'FILE: reason', naming the file once (most reasons already start with it)."""
        if self.file and self.reason.startswith(self.file):
            return self.reason
        return f"{self.file}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("seconds", "iou_initial", "iou_final"):
            if d[k] is not None:
                d[k] = round(d[k], 5)
        return d


def is_done(item: DatasetItem, out_root: Path) -> bool:
    return (Path(out_root) / item.name / DONE_MARKER).exists()


def one_line(exc: BaseException) -> str:
    if isinstance(exc, SculptError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return (text.strip().splitlines() or [type(exc).__name__])[0][:500]


def remove_stale_temp_files(folder: Path) -> None:
    """Temp files a killed run left behind (atomic writes name them .<target>.*.tmp)."""
    if folder.is_dir():
        for p in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                p.unlink()


@dataclass
class WorkerContext:
    settings: dict[str, Any]
    options: BatchOptions
    segmenter: Any = None
    critic: Any = None
    builds: int = 0
    worker_id: str = field(default_factory=lambda: f"pid{os.getpid()}")
    _labels: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:  # a worker process: every image and mask it reads obeys io.max_pixels
        from engine.io.images import set_pixel_limit

        set_pixel_limit((self.settings.get("io") or {}).get("max_pixels"))

    def labels_for(self, item: DatasetItem):
        """The label list of the item's dataset (settings labels, or labels.txt beside images/)."""
        from engine.sculpt.labels import find_labels

        root = item.image_path.parent.parent if item.image_path is not None else None
        key = str(root)
        if key not in self._labels:
            self._labels[key] = find_labels(root, self.settings)
        return self._labels[key]

    def ensure_models(self) -> None:
        if self.segmenter is None:
            self.segmenter = build_segmenter(self.settings)
            self.builds += 1
        if self.critic is None and not critic_needs_gt(self.settings):
            self.critic = build_critic(self.settings)

    @property
    def critic_name(self) -> str:
        return self.settings["critic"]["name"]

    def critic_for(self, loaded: LoadedItem, gt_instances: Path | None = None) -> Any:
        if critic_needs_gt(self.settings):  # answers from this image's GT: built per image
            if loaded.gt is None:
                raise InputError(f"{loaded.image_path}: critic '{self.critic_name}' needs a GT mask for every image")
            ids = None
            if gt_instances is not None:  # per-object GT (OracleCritic.for_object)
                from engine.critics.oracle import load_gt_instances

                ids = load_gt_instances(gt_instances, loaded.name, loaded.gt.shape, loaded.gt)
            return build_critic(self.settings, gt_mask=loaded.gt, gt_instances=ids)
        return self.critic


def _image_size(path: Path) -> tuple[int, int]:
    """(width, height) as the image is shown: EXIF rotation applied, like `sculpt --init-mask`."""
    from engine.io.images import image_size

    return image_size(path)


def process_item(item: DatasetItem, ctx: WorkerContext) -> ItemResult:
    opts = ctx.options
    t0 = time.perf_counter()
    res = ItemResult(item.name, str(item.image_path), "done", worker=ctx.worker_id)
    try:
        out_dir = safe_join(opts.out_root, item.name, what="image name")
        if opts.skip_done and is_done(item, opts.out_root):
            res.status = "skipped"
            return res
        remove_stale_temp_files(out_dir)
        ctx.ensure_models()
        res.model_builds = ctx.builds
        initial = None
        box: Box | None = None
        if opts.init_masks is not None:
            from engine.exports.importers import import_mask

            w, h = _image_size(item.image_path)
            initial = import_mask(opts.init_format, opts.init_masks, item.name, (h, w))
            if not item.has_box and not opts.box_from_gt:
                box = Box.from_mask(initial)
                if box is None:
                    raise InputError(f"{opts.init_masks}: the imported mask of {item.name} is empty and there is no ROI box")
        loaded = load_item(item, ctx.settings, box=box, box_from_gt=opts.box_from_gt)
        extra = {"image_path": str(loaded.image_path), "batch": {"worker": ctx.worker_id}}
        if initial is not None:
            extra["initial_mask_source"] = f"{opts.init_format}:{opts.init_masks}"
        session = sculpt_image(loaded, ctx.settings, ctx.segmenter, ctx.critic_for(loaded, opts.gt_instances), out_dir, opts.clean_output,
                               opts.save_points_vis, initial_mask=initial, extra=extra, labels=ctx.labels_for(item))
        objects = [o for o in session.objects if o.active and o.started]
        res.objects = len(objects)
        res.rounds = sum(len(o.core.rounds) for o in objects)
        res.points = sum(len(o.core.accepted_points()) for o in objects)
        if session.partial:  # outputs written from the last good mask; the failure is in sculpt.json
            f = next(f for o in objects for f in o.core.failures)
            res.partial = True
            res.reason = f"partial: critic failed in round {f['round']} ({f['request']}): {f['error']}"[:500]
        if loaded.gt is not None:
            initial_union = np.zeros_like(loaded.gt, bool)
            for o in objects:
                initial_union |= o.core.initial_mask if o.core.initial_mask is not None else o.core.mask
            res.iou_initial = iou(initial_union, loaded.gt)
            res.iou_final = iou(session.union_mask(), loaded.gt)
    except Exception as exc:  # noqa: BLE001 - one bad image must not stop the batch
        res.status = "failed"
        res.reason = one_line(exc)
    finally:
        res.seconds = time.perf_counter() - t0
    return res
