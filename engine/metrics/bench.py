"""The benchmark: box-only vs sculpted masks (COD metrics) and clicks saved (robot annotator), for
one or more critic configurations on a dataset with GT masks. Shared by `bench` and benchmarks/report.py.

Per instance (`gt_instances`: a folder of instance-id maps NAME.png, as `eval --gt-instances` reads them):
the oracle critics judge each object against its own GT instance (OracleCritic.for_object), and the robot
clicks on each object's core against that object's GT instance (matched as the oracle does: the instance
whose tight box has the highest IoU with the object's box; no match: the union GT). NoC/IoU per instance
and their mean go to each arm's `robot_instances` / `instances`, next to the single-object figures. With
--box-from-gt every GT instance's tight box is one object."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from tqdm import tqdm

from engine.critics.oracle import match_instance
from engine.errors import InputError
from engine.geometry.masks import iou
from engine.io.dataset import DatasetItem
from engine.metrics.cod import CODEvaluator
from engine.metrics.instances import instance_map_for
from engine.metrics.robot import MAX_CLICKS, THRESHOLDS, RobotRun, miou_curve, run_robot, summarise
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
    instance_robot: list[RobotRun] = field(default_factory=list)  # one run per object against its GT instance
    instance_rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BenchReport:
    arms: dict[str, Arm] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    images: int = 0
    max_side: int | None = None
    max_clicks: int = MAX_CLICKS
    instance_images: int = 0  # images benchmarked with a GT instance map
    gt_instances: int = 0  # GT instances on them
    gt_instances_without_object: int = 0  # GT instances no object was matched to (never clicked)

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
            if arm.instance_robot:
                entry["robot_instances"] = {**summarise(arm.instance_robot, self.max_clicks),
                                            "unmatched": sum(r["instance"] is None for r in arm.instance_rows)}
                entry["miou_curve_instances"] = miou_curve(arm.instance_robot, self.max_clicks)
                entry["instances"] = arm.instance_rows
            out["arms"][name] = entry
        if self.instance_images:
            out["instance_images"] = self.instance_images
            out["gt_instances"] = self.gt_instances
            out["gt_instances_without_object"] = self.gt_instances_without_object
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


def _boxes_from_instances(loaded: LoadedItem, ids: np.ndarray) -> LoadedItem:
    """--box-from-gt with instance GT: one object per GT instance (its tight box), in id order."""
    label = loaded.boxes[0][1] if loaded.boxes else None
    boxes = [(b, label) for v in np.unique(ids) if v > 0 and (b := Box.from_mask(ids == v)) is not None]
    if not boxes:
        return loaded
    return LoadedItem(loaded.name, loaded.image, boxes[0][0], loaded.instance, loaded.gt, loaded.image_path, boxes)


def _prepare(item: DatasetItem, settings: dict, max_side: int | None, box_from_gt: bool) -> LoadedItem:
    """The item at max_side (benchmarks/ use it)."""
    return prepare_with_instances(item, settings, max_side, box_from_gt)[0]


def prepare_with_instances(item: DatasetItem, settings: dict, max_side: int | None, box_from_gt: bool,
                           instances: Path | None = None) -> tuple[LoadedItem, np.ndarray | None]:
    """The item at max_side, and its GT instance map (int32, ids outside the GT mask cleared) or None."""
    loaded = load_item(item, settings, box_from_gt=box_from_gt)
    if loaded.gt is None:
        raise InputError(f"{item.image_path}: bench needs a GT mask for every image")
    raw = None
    if instances is not None:
        from engine.metrics.instances import read_instance_map

        raw = read_instance_map(instances, loaded.gt.shape)
    image, gt, s = resize_long_side(loaded.image, loaded.gt, max_side)
    if s != 1.0:
        box = Box.from_mask(gt) if box_from_gt else Box(*(v * s for v in loaded.box.as_list()))
        if box is None:
            raise InputError(f"{item.image_path}: GT mask vanished when resized to {max_side}px")
        boxes = [(box, loaded.boxes[0][1] if loaded.boxes else None)] if box_from_gt else \
            [(Box(*(v * s for v in b.as_list())), label) for b, label in loaded.boxes]
        loaded = LoadedItem(loaded.name, image, box, loaded.instance, gt, loaded.image_path, boxes)
    ids = None
    if raw is not None:
        assert loaded.gt is not None
        if raw.shape != loaded.gt.shape:
            raw = cv2.resize(raw, (loaded.gt.shape[1], loaded.gt.shape[0]), interpolation=cv2.INTER_NEAREST)
        ids = np.where(loaded.gt, raw, 0).astype(np.int32)
        if not ids.any():
            ids = None
        elif box_from_gt:
            loaded = _boxes_from_instances(loaded, ids)
    return loaded, ids


def _session(loaded: LoadedItem, settings: dict[str, Any], segmenter: Any, critic: Any):
    """An ImageSession with every box of the item as an object (box-only masks made)."""
    from engine.sculpt.runner import build_image_session

    return build_image_session(loaded, settings, segmenter, critic)


InstanceRun = tuple[RobotRun, dict[str, Any]]


def object_gt(core: Any, ids: np.ndarray, union: np.ndarray) -> tuple[np.ndarray, int | None]:
    """(the GT an object is clicked against, its instance id or None): the oracle's match when the object's
    critic is a bound oracle, else the same rule on the object's initial box (no match: the union GT)."""
    m = getattr(core.critic, "__dict__", {}).get("gt_match")
    inst = m.get("instance") if isinstance(m, dict) else match_instance(ids, core.initial_box)[0]
    return (ids == inst, inst) if inst is not None else (union, None)


def instance_runs(session: Any, ids: np.ndarray, union: np.ndarray, reuse: RobotRun | None,
                  fresh: Callable[[], Any], **robot: Any) -> list[InstanceRun]:
    """The robot on every active object, each against its own GT instance. `reuse`: the union run already
    made on a one-object session (kept when the object's GT is the union; else `fresh()` gives a new session)."""
    objects = [o for o in session.objects if o.active]
    if reuse is not None and objects:
        gt0, _ = object_gt(objects[0].core, ids, union)
        if not np.array_equal(gt0, union):
            session, reuse = fresh(), None
            objects = [o for o in session.objects if o.active]
    out: list[InstanceRun] = []
    for o in objects:
        gt, inst = object_gt(o.core, ids, union)
        n_critic = len(o.core.accepted_points())
        if reuse is not None:  # a copy: the union run keeps its name
            run = replace(reuse, name=f"{session.name}#{o.id}")
        else:
            run = run_robot(o.core, gt, **robot)
            run.name, run.critic_points = f"{session.name}#{o.id}", n_critic
        row = {"image": session.name, "object": o.id, "label": o.label, "instance": inst,
               "IoU@0": round(run.ious[0], 6), "IoU_final": round(run.ious[-1], 6),
               **{f"NoC@{int(round(t * 100))}": run.noc(t, robot.get("max_clicks", MAX_CLICKS)) for t in THRESHOLDS}}
        out.append((run, row))
    return out


def run_bench(items: list[DatasetItem], settings: dict[str, Any], configs: list[BenchConfig], max_side: int | None = 1024,
              box_from_gt: bool = True, max_clicks: int = MAX_CLICKS, stop_at: float = 0.9, progress: bool = True,
              gt_instances: Path | None = None) -> BenchReport:
    """gt_instances: a folder of GT instance maps NAME.png: adds the per-instance robot (see the module doc)."""
    report = BenchReport(max_side=max_side, max_clicks=max_clicks)
    segmenter = build_segmenter(settings)  # one model for the whole run
    for item in tqdm(items, unit="img", file=sys.stderr, disable=not progress, desc="bench"):
        try:
            loaded, ids = prepare_with_instances(item, settings, max_side, box_from_gt,
                                                 instance_map_for(gt_instances, item.name))
            gt = loaded.gt
            assert gt is not None
            per_instance: dict[str, list[InstanceRun]] = {}
            # box only, then the robot from there: the "clicks only" arm
            # every box is an object; COD metrics on their union; the robot (one object's clicks against the
            # GT) only on one-object images
            t = time.perf_counter()
            session = _session(loaded, settings, segmenter, None)
            box_mask = session.union_mask()
            box_time = time.perf_counter() - t
            single = len(session.objects) == 1
            clicks = run_robot(session.objects[0].core, gt, max_clicks=max_clicks, stop_at=stop_at) if single else None
            if ids is not None:
                per_instance[CLICKS_ONLY] = instance_runs(
                    session, ids, gt, clicks, partial(_session, loaded, settings, segmenter, None),
                    max_clicks=max_clicks, stop_at=stop_at)
            rows: list[tuple[str, np.ndarray, RobotRun | None, float, int]] = [
                (BOX_ONLY, box_mask, None, box_time, 0), (CLICKS_ONLY, box_mask, clicks, box_time, 0)]
            for cfg in configs:
                sculpt_over: dict[str, Any] = {"rounds": cfg.rounds}
                if cfg.verdict is not None:
                    sculpt_over["verdict"] = cfg.verdict
                cfg_settings = deep_merge(settings, {"sculpt": sculpt_over, "critic": {"name": cfg.critic}})
                t = time.perf_counter()
                s2 = _sculpted(loaded, cfg_settings, segmenter, gt, ids, cfg.rounds)
                sculpted = s2.union_mask()
                elapsed = time.perf_counter() - t
                run = None
                if cfg.robot and single:
                    core = s2.objects[0].core
                    n_critic = len(core.accepted_points())
                    run = run_robot(core, gt, max_clicks=max_clicks, stop_at=stop_at, override=cfg.override)
                    run.critic_points = n_critic
                if cfg.robot and ids is not None:
                    per_instance[cfg.name] = instance_runs(
                        s2, ids, gt, run, partial(_sculpted, loaded, cfg_settings, segmenter, gt, ids, cfg.rounds),
                        max_clicks=max_clicks, stop_at=stop_at, override=cfg.override)
                reverted = sum(bool(m.get("reverted")) for o in s2.objects for m in o.core.round_meta.values())
                rows.append((cfg.name, sculpted, run, elapsed, reverted))
        except Exception as exc:  # noqa: BLE001 - reported, the benchmark goes on
            from engine.batch.task import one_line

            report.failures.append((str(item.image_path), one_line(exc)))
            continue
        report.images += 1
        if ids is not None:
            report.instance_images += 1
            gt_ids = {int(v) for v in np.unique(ids) if v > 0}
            report.gt_instances += len(gt_ids)
            matched = {row["instance"] for _, row in per_instance.get(CLICKS_ONLY, [])}
            report.gt_instances_without_object += len(gt_ids - matched)
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
        for name, pairs in per_instance.items():  # after the rows: the arms keep their order
            report.arm(name).instance_robot.extend(r for r, _ in pairs)
            report.arm(name).instance_rows.extend(row for _, row in pairs)
    return report


def _sculpted(loaded: LoadedItem, settings: dict[str, Any], segmenter: Any, gt: np.ndarray, ids: np.ndarray | None,
              rounds: int):
    """A session of the item with the configuration's critic (per-object GT when `ids`), its rounds run."""
    critic = build_critic(settings, gt_mask=gt, gt_instances=ids)
    s2 = _session(loaded, settings, segmenter, critic)
    for _ in s2.iter_rounds(rounds):  # the one orchestration (verdict, recorded failures)
        pass
    return s2


def per_image_ious(report: BenchReport, arm: str) -> dict[str, float]:
    return {r["name"]: r["IoU"] for r in report.arms[arm].evaluator.rows} if arm in report.arms else {}


