"""The benchmark: box-only vs sculpted masks (COD metrics) and clicks saved (robot annotator), for
one or more critic configurations on a dataset with GT masks. Shared by `bench` and benchmarks/report.py."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from tqdm import tqdm

from engine.errors import InputError
from engine.geometry.masks import iou
from engine.io.dataset import DatasetItem
from engine.metrics.cod import CODEvaluator
from engine.metrics.robot import MAX_CLICKS, RobotRun, miou_curve, run_robot, summarise
from engine.sculpt.runner import LoadedItem, build_critic, build_segmenter, load_item
from engine.settings import deep_merge
from engine.types import Box

BOX_ONLY = "box-only"
CLICKS_ONLY = "clicks only"


@dataclass
class BenchConfig:
    name: str  # e.g. "grabcut+oracle r3"
    critic: str
    rounds: int
    robot: bool = True  # also run the robot annotator from this configuration's masks (clicks saved)
    verdict: str | None = None  # sculpt.verdict for this arm (None: the settings')
    override: bool = True  # robot clicks override the critic points they contradict (False: the prototype's protocol)


@dataclass
class Arm:
    """One way of making masks: COD metrics of its masks, and robot runs that start from them."""

    evaluator: CODEvaluator = field(default_factory=CODEvaluator)
    robot: list[RobotRun] = field(default_factory=list)
    seconds: float = 0.0
    reverted_rounds: int = 0  # rounds a "worse" verdict reverted
    worse_than_start: int = 0  # images whose sculpted IoU is below their box-only IoU


@dataclass
class BenchReport:
    arms: dict[str, Arm] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    images: int = 0
    max_side: int | None = None
    max_clicks: int = MAX_CLICKS

    def arm(self, name: str) -> Arm:
        return self.arms.setdefault(name, Arm())

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"images": self.images, "max_side": self.max_side, "max_clicks": self.max_clicks,
                               "failures": [{"file": f, "reason": r} for f, r in self.failures], "arms": {}}
        for name, arm in self.arms.items():
            entry = {"cod": arm.evaluator.summary(), "seconds_per_image": arm.seconds / max(len(arm.evaluator.rows), 1),
                     "reverted_rounds": arm.reverted_rounds, "worse_than_start": arm.worse_than_start}
            if arm.robot:
                entry["robot"] = summarise(arm.robot, self.max_clicks)
                entry["miou_curve"] = miou_curve(arm.robot, self.max_clicks)
            out["arms"][name] = entry
        return out


def resize_long_side(image: np.ndarray, gt: np.ndarray | None, max_side: int | None) -> tuple[np.ndarray, np.ndarray | None, float]:
    h, w = image.shape[:2]
    if not max_side or max(h, w) == max_side:
        return image, gt, 1.0
    s = max_side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    img = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    g = cv2.resize(gt.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool) if gt is not None else None
    return img, g, s


def _prepare(item: DatasetItem, settings: dict, max_side: int | None, box_from_gt: bool) -> LoadedItem:
    loaded = load_item(item, settings, box_from_gt=box_from_gt)
    if loaded.gt is None:
        raise InputError(f"{item.image_path}: bench needs a GT mask for every image")
    image, gt, s = resize_long_side(loaded.image, loaded.gt, max_side)
    if s != 1.0:
        box = Box.from_mask(gt) if box_from_gt else Box(*(v * s for v in loaded.box.as_list()))
        if box is None:
            raise InputError(f"{item.image_path}: GT mask vanished when resized to {max_side}px")
        boxes = [(box, loaded.boxes[0][1] if loaded.boxes else None)] if box_from_gt else \
            [(Box(*(v * s for v in b.as_list())), label) for b, label in loaded.boxes]
        loaded = LoadedItem(loaded.name, image, box, loaded.instance, gt, loaded.image_path, boxes)
    return loaded


def _session(loaded: LoadedItem, settings: dict[str, Any], segmenter: Any, critic: Any):
    """An ImageSession with every box of the item as an object (box-only masks made)."""
    from engine.sculpt.runner import build_image_session

    return build_image_session(loaded, settings, segmenter, critic)


def run_bench(items: list[DatasetItem], settings: dict[str, Any], configs: list[BenchConfig], max_side: int | None = 1024,
              box_from_gt: bool = True, max_clicks: int = MAX_CLICKS, stop_at: float = 0.9, progress: bool = True) -> BenchReport:
    report = BenchReport(max_side=max_side, max_clicks=max_clicks)
    segmenter = build_segmenter(settings)  # one model for the whole run
    for item in tqdm(items, unit="img", file=sys.stderr, disable=not progress, desc="bench"):
        try:
            loaded = _prepare(item, settings, max_side, box_from_gt)
            gt = loaded.gt
            assert gt is not None
            # box only, then the robot from there: the "clicks only" arm
            # every box is an object; COD metrics on their union; the robot (one object's clicks against the
            # GT) only on one-object images
            t = time.perf_counter()
            session = _session(loaded, settings, segmenter, None)
            box_mask = session.union_mask()
            box_time = time.perf_counter() - t
            single = len(session.objects) == 1
            clicks = run_robot(session.objects[0].core, gt, max_clicks=max_clicks, stop_at=stop_at) if single else None
            rows: list[tuple[str, np.ndarray, RobotRun | None, float, int]] = [
                (BOX_ONLY, box_mask, None, box_time, 0), (CLICKS_ONLY, box_mask, clicks, box_time, 0)]
            for cfg in configs:
                sculpt_over: dict[str, Any] = {"rounds": cfg.rounds}
                if cfg.verdict is not None:
                    sculpt_over["verdict"] = cfg.verdict
                cfg_settings = deep_merge(settings, {"sculpt": sculpt_over, "critic": {"name": cfg.critic}})
                critic = build_critic(cfg_settings, gt_mask=gt)
                t = time.perf_counter()
                s2 = _session(loaded, cfg_settings, segmenter, critic)
                for _ in s2.iter_rounds(cfg.rounds):  # the one orchestration (verdict, recorded failures)
                    pass
                sculpted = s2.union_mask()
                elapsed = time.perf_counter() - t
                run = None
                if cfg.robot and single:
                    core = s2.objects[0].core
                    n_critic = len(core.accepted_points())
                    run = run_robot(core, gt, max_clicks=max_clicks, stop_at=stop_at, override=cfg.override)
                    run.critic_points = n_critic
                reverted = sum(bool(m.get("reverted")) for o in s2.objects for m in o.core.round_meta.values())
                rows.append((cfg.name, sculpted, run, elapsed, reverted))
        except Exception as exc:  # noqa: BLE001 - reported, the benchmark goes on
            from engine.batch.task import one_line

            report.failures.append((str(item.image_path), one_line(exc)))
            continue
        report.images += 1
        start_iou = iou(box_mask, gt)
        for name, mask, run, seconds, reverted in rows:
            arm = report.arm(name)
            arm.reverted_rounds += reverted
            if name != CLICKS_ONLY:
                arm.evaluator.step(loaded.name, mask, gt)
                arm.worse_than_start += int(iou(mask, gt) < start_iou - 1e-9)
            if run is not None:
                arm.robot.append(run)
            arm.seconds += seconds
    return report


def per_image_ious(report: BenchReport, arm: str) -> dict[str, float]:
    return {r["name"]: r["IoU"] for r in report.arms[arm].evaluator.rows} if arm in report.arms else {}


