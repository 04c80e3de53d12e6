"""Glue used by the CLI, batch and the GUI worker: build backends from settings, load one item,
run a session, write its outputs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.io.annotations import read_instance, read_labelled_boxes, validate_box
from engine.io.dataset import DatasetItem
from engine.io.images import load_image, load_mask
from engine.models.manager import configure_from_settings
from engine.registry import CRITICS, SEGMENTERS
from engine.sculpt.outputs import write_outputs
from engine.sculpt.params import SculptParams
from engine.sculpt.session import SculptSession
from engine.settings import backend_options
from engine.types import Box, InstanceInfo


def build_segmenter(settings: dict[str, Any], name: str | None = None):
    configure_from_settings(settings)  # the memory budget applies before any model loads
    name = name or settings["segmenter"]["name"]
    return SEGMENTERS.create(name, **backend_options(settings, "segmenter", name))


GT_CRITICS = ("oracle", "noisy-oracle")  # critics whose input is data (the image's GT), not configuration


def critic_needs_gt(settings: dict[str, Any], name: str | None = None) -> bool:
    """True when the chosen critic (or one of its fallback chain) answers from a GT mask: build it per image
    with build_critic(settings, gt_mask=...) - the one place where the GT is wired."""
    names = [name or settings["critic"]["name"], *(settings["critic"].get("fallback_chain") or [])]
    return any(n in GT_CRITICS for n in names)


def build_critic(settings: dict[str, Any], name: str | None = None, gt_mask: np.ndarray | None = None,
                 gt_instances: np.ndarray | None = None):
    """gt_instances (an instance-id map, 0 = background): the oracle critics judge each object against its
    own GT instance (OracleCritic.for_object); None: against gt_mask, as before."""
    configure_from_settings(settings)
    name = name or settings["critic"]["name"]
    chain = [n for n in settings["critic"].get("fallback_chain") or [] if n != name]
    if chain:  # e.g. ["qwen", "heuristic"]: asked in order when the chosen critic cannot answer
        from engine.critics.chain import FallbackChain

        return FallbackChain([name, *chain], lambda n: _build_one_critic(settings, n, gt_mask, gt_instances))
    return _build_one_critic(settings, name, gt_mask, gt_instances)


def _build_one_critic(settings: dict[str, Any], name: str, gt_mask: np.ndarray | None,
                      gt_instances: np.ndarray | None = None):
    options = backend_options(settings, "critic", name)
    if name in GT_CRITICS:
        options["gt_mask"] = gt_mask
        if gt_instances is not None:
            options["gt_instances"] = gt_instances
    return CRITICS.create(name, **options)


@dataclass
class LoadedItem:
    name: str
    image: np.ndarray
    box: Box | None  # the first box (None only with load_item(require_box=False) and no box)
    instance: InstanceInfo
    gt: np.ndarray | None = None
    image_path: Path | None = None
    boxes: list[tuple[Box, str | None]] = field(default_factory=list)  # every box of the box file, with its label

    def __post_init__(self) -> None:
        if not self.boxes and self.box is not None:
            self.boxes = [(self.box, None)]


def load_item(item: DatasetItem, settings: dict[str, Any], box: Box | None = None, instance: str | None = None,
              box_from_gt: bool = False, require_box: bool = True) -> LoadedItem:
    """The image, its GT (when there is one), every box with its label, and llm_out's instance. With
    require_box=False an item without a box loads with box None and no boxes (the GUI: draw one)."""
    image = load_image(item.image_path, settings["io"]["max_pixels"])
    boxes: list[tuple[Box, str | None]] = []
    h, w = image.shape[:2]
    gt = load_mask(item.gt_path, (h, w), settings["io"]["max_pixels"]) if item.gt_path is not None else None
    if box is not None:
        box = validate_box(box, (w, h), "--box")
    elif box_from_gt:
        if gt is None or not gt.any():
            raise InputError(f"{item.image_path}: --box-from-gt needs a non-empty GT mask")
        box = Box.from_mask(gt)
    elif item.has_box:
        boxes = read_labelled_boxes(item.box_path, (w, h))
        box = boxes[0][0]
    elif require_box:
        raise InputError(f"{item.image_path}: no ROI box (expected {item.box_path or 'a --box'}); draw one or run `locate`")
    info = read_instance(item.llm_path)
    if instance:
        info.name = instance
    if box is not None and not boxes:
        boxes = [(box, None)]
    if len(boxes) == 1 and boxes[0][1] is None:
        boxes = [(box, info.name)]  # one box: llm_out's instance is its label
    return LoadedItem(item.name, image, box, info, gt, item.image_path, boxes)


def sculpt_loaded(loaded: LoadedItem, settings: dict[str, Any], segmenter, critic, out_dir: Path | None,
                  clean_output: bool = False, save_points_vis: bool = False,
                  initial_mask: np.ndarray | None = None, extra: dict[str, Any] | None = None) -> SculptSession:
    params = SculptParams.from_dict(settings["sculpt"])
    session = SculptSession(loaded.image, loaded.box, segmenter, critic, loaded.instance, params, name=loaded.name,
                            initial_mask=initial_mask)
    result = session.run()
    if out_dir is not None:
        extra = {"image_path": str(loaded.image_path) if loaded.image_path else None, **(extra or {})}
        write_outputs(out_dir, session, result, clean_output=clean_output, save_points_vis=save_points_vis, extra=extra)
    return session


def build_image_session(loaded: LoadedItem, settings: dict[str, Any], segmenter, critic, labels=None,
                        initial_mask: np.ndarray | None = None, boxes: bool = True):
    """An ImageSession with one object per box of the item (each with its label); the initial mask, when
    given, starts the first object. boxes=False: no objects yet (the GUI draws them)."""
    from engine.sculpt import commands as C
    from engine.sculpt.image_session import ImageSession
    from engine.sculpt.labels import LabelList

    params = SculptParams.from_dict(settings["sculpt"])
    session = ImageSession(loaded.image, segmenter, critic, params, name=loaded.name, instance=loaded.instance,
                           labels=labels or LabelList())
    if boxes:
        session.prepare()
        for k, (box, label) in enumerate(loaded.boxes):
            session.execute(C.AddObject(box, label, initial_mask=initial_mask if k == 0 else None))
    return session


def sculpt_image(loaded: LoadedItem, settings: dict[str, Any], segmenter, critic, out_dir: Path | None,
                 clean_output: bool = False, save_points_vis: bool = False, initial_mask: np.ndarray | None = None,
                 extra: dict[str, Any] | None = None, labels=None, find_all: str | None = None,
                 cancel=None):
    """The CLI's and batch's path: every box an object, critic rounds on each (iter_rounds), outputs
    written even when a critic failed (then session.partial). find_all: also add every instance of
    that text (a text-capable segmenter), accepted at once. cancel(): True stops between rounds."""
    from engine.sculpt import commands as C
    from engine.sculpt.image_outputs import write_image_outputs

    t0 = time.perf_counter()
    session = build_image_session(loaded, settings, segmenter, critic, labels, initial_mask)
    session.timings["box_only"] = time.perf_counter() - t0 - session.timings.get("prepare", 0.0)
    if find_all:
        change = session.execute(C.FindAll(find_all))
        for oid in change.object_ids:
            session.execute(C.AcceptObject(oid))
    t1 = time.perf_counter()
    for _ in session.iter_rounds():
        if cancel is not None and cancel():
            break
    session.timings["rounds"] = time.perf_counter() - t1
    session.timings["total"] = time.perf_counter() - t0
    if out_dir is not None:
        extra = {"image_path": str(loaded.image_path) if loaded.image_path else None, **(extra or {})}
        write_image_outputs(out_dir, session, clean_output=clean_output, save_points_vis=save_points_vis, extra=extra)
    return session

