"""Glue used by the CLI, batch and the GUI worker: build backends from settings, load one item,
run a session, write its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.io.annotations import read_boxes, read_instance, validate_box
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


def build_critic(settings: dict[str, Any], name: str | None = None, gt_mask: np.ndarray | None = None):
    configure_from_settings(settings)
    name = name or settings["critic"]["name"]
    chain = [n for n in settings["critic"].get("fallback_chain") or [] if n != name]
    if chain:  # e.g. ["qwen", "heuristic"]: asked in order when the chosen critic cannot answer
        from engine.critics.chain import FallbackChain

        return FallbackChain([name, *chain], lambda n: _build_one_critic(settings, n, gt_mask))
    return _build_one_critic(settings, name, gt_mask)


def _build_one_critic(settings: dict[str, Any], name: str, gt_mask: np.ndarray | None):
    options = backend_options(settings, "critic", name)
    if name == "oracle":  # the one backend whose input is data, not configuration
        options["gt_mask"] = gt_mask
    return CRITICS.create(name, **options)


@dataclass
class LoadedItem:
    name: str
    image: np.ndarray
    box: Box
    instance: InstanceInfo
    gt: np.ndarray | None = None
    image_path: Path | None = None


def load_item(item: DatasetItem, settings: dict[str, Any], box: Box | None = None, instance: str | None = None,
              box_from_gt: bool = False) -> LoadedItem:
    image = load_image(item.image_path, settings["io"]["max_pixels"])
    h, w = image.shape[:2]
    gt = load_mask(item.gt_path, (h, w)) if item.gt_path is not None else None
    if box is not None:
        box = validate_box(box, (w, h), "--box")
    elif box_from_gt:
        if gt is None or not gt.any():
            raise InputError(f"{item.image_path}: --box-from-gt needs a non-empty GT mask")
        box = Box.from_mask(gt)
    elif item.has_box:
        box = read_boxes(item.box_path, (w, h))[0]
    else:
        raise InputError(f"{item.image_path}: no ROI box (expected {item.box_path or 'a --box'}); draw one or run `locate`")
    info = read_instance(item.llm_path)
    if instance:
        info.name = instance
    return LoadedItem(item.name, image, box, info, gt, item.image_path)


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
