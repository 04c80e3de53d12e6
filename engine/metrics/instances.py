"""Per-instance evaluation: predicted instance maps (instances.png: 0 = background, k = object k) against
GT instance maps (e.g. COD10K's instance PNGs: 0 = background, one grey value or one colour per animal).

Matching is one-to-one, greedy by IoU (largest first), a pair counts when IoU > 0. Per image: the mean
IoU over GT instances (an unmatched GT instance counts 0), matched / missed GT instances and extra
predictions. COD metrics stay on the union (engine.metrics.cod)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from engine.errors import InputError
from engine.io.images import open_checked


def read_instance_map(path: str | Path, shape: tuple[int, int] | None = None) -> np.ndarray:
    """int32 (H, W) instance ids; a colour PNG gets one id per distinct non-black colour."""
    with open_checked(path, what="instance map") as img:
        arr = np.asarray(img)
    if arr.ndim == 3:
        rgb = arr[..., :3].astype(np.int64)
        code = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
        values, inverse = np.unique(code, return_inverse=True)
        ids = inverse.reshape(code.shape).astype(np.int32)
        if values[0] != 0:  # no black pixel: every colour is an instance
            ids += 1
    else:
        ids = arr.astype(np.int32)
    if shape is not None and ids.shape != tuple(shape):
        ids = cv2.resize(ids, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)
    return ids


def match(pred: np.ndarray, gt: np.ndarray) -> list[tuple[int, int | None, float]]:
    """[(gt id, matched pred id or None, IoU)] for every GT instance (id > 0)."""
    gt_ids = [int(v) for v in np.unique(gt) if v > 0]
    pred_ids = [int(v) for v in np.unique(pred) if v > 0]
    pairs = []
    for g in gt_ids:
        gm = gt == g
        for p in pred_ids:
            pm = pred == p
            inter = int((gm & pm).sum())
            if inter:
                pairs.append((inter / int((gm | pm).sum()), g, p))
    pairs.sort(reverse=True)
    used_g: dict[int, tuple[int, float]] = {}
    used_p: set[int] = set()
    for v, g, p in pairs:
        if g not in used_g and p not in used_p:
            used_g[g] = (p, v)
            used_p.add(p)
    return [(g, used_g[g][0], used_g[g][1]) if g in used_g else (g, None, 0.0) for g in gt_ids]


@dataclass
class InstanceEvaluator:
    rows: list[dict[str, Any]] = field(default_factory=list)
    ious: list[float] = field(default_factory=list)

    def step(self, name: str, pred: np.ndarray, gt: np.ndarray) -> dict[str, Any]:
        if pred.shape != gt.shape:
            raise InputError(f"{name}: instance maps differ in size ({pred.shape[::-1]} vs {gt.shape[::-1]})")
        m = match(pred, gt)
        n_pred = len([v for v in np.unique(pred) if v > 0])
        matched = sum(p is not None for _, p, _ in m)
        row = {"name": name, "instances_gt": len(m), "instances_pred": n_pred, "matched": matched,
               "missed": len(m) - matched, "extra": n_pred - matched,
               "mIoU_instance": float(np.mean([v for *_, v in m])) if m else None}
        self.ious.extend(v for *_, v in m)
        self.rows.append(row)
        return row

    def summary(self) -> dict[str, Any]:
        return {"images_with_instances": len(self.rows), "instances_gt": len(self.ious),
                "mIoU_instance": float(np.mean(self.ious)) if self.ious else None,
                "instances_missed": sum(r["missed"] for r in self.rows),
                "instances_extra": sum(r["extra"] for r in self.rows)}


def instance_map_for(folder: str | Path | None, name: str) -> Path | None:
    """The GT instance map NAME.png (or NAME.jpg) in `folder`, or None."""
    if folder is None:
        return None
    return next((p for p in (Path(folder) / f"{name}.png", Path(folder) / f"{name}.jpg") if p.is_file()), None)


@dataclass(frozen=True)
class GtInstanceLookup:
    """An image's GT instance map for the oracle: `ids` at the image's size (None: use the union GT),
    `path` the map found (None: none in the folder), `error` why a found map cannot be used."""

    ids: np.ndarray | None
    path: Path | None
    error: str | None = None


def gt_instances_for(folder: str | Path | None, name: str, shape: tuple[int, int],
                     gt: np.ndarray | None = None) -> GtInstanceLookup:
    """The window's `--gt-instances DIR` lookup: NAME.png in `folder`, read as `sculpt --gt-instances` reads it
    (engine.critics.oracle.load_gt_instances: resized to `shape`, ids outside `gt` cleared). A map that cannot
    be read or fitted gives `error`, never an exception."""
    from engine.critics.oracle import load_gt_instances
    from engine.errors import SculptError

    found = instance_map_for(Path(folder).expanduser(), name) if folder else None
    if found is None:
        return GtInstanceLookup(None, None)
    try:
        ids = load_gt_instances(found, name, shape, gt)
    except (SculptError, OSError, ValueError, cv2.error) as exc:
        return GtInstanceLookup(None, found, str(exc) or type(exc).__name__)
    return GtInstanceLookup(ids, found)


def find_instance_pairs(pred_dir: str | Path, gt_dir: str | Path, names: list[str]) -> list[tuple[str, Path, Path]]:
    """(name, pred instances.png, GT instance map) for each name that has both: predictions in the outputs
    layout (NAME/instances.png) or flat (NAME.png in a folder of instance maps)."""
    pred_dir, gt_dir = Path(pred_dir), Path(gt_dir)
    if not gt_dir.is_dir():
        raise InputError(f"{gt_dir}: --gt-instances folder not found")
    out = []
    for n in names:
        gt = instance_map_for(gt_dir, n)
        pred = pred_dir / n / "instances.png"
        if gt is not None and pred.is_file():
            out.append((n, pred, gt))
    return out
