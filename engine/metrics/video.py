"""DAVIS measures for video object segmentation: J (region similarity: IoU) and F (boundary F-measure: precision
and recall of the mask boundary matched within a tolerance of 0.8 % of the image diagonal), per frame and object,
and their means for a sequence (J&F = their average). Both masks empty counts as a perfect frame (DAVIS)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from engine.errors import InputError

BOUND_TH = 0.008  # DAVIS: tolerance as a fraction of the image diagonal


def j_measure(pred: np.ndarray, gt: np.ndarray) -> float:
    p, g = pred.astype(bool), gt.astype(bool)
    union = np.logical_or(p, g).sum()
    return 1.0 if union == 0 else float(np.logical_and(p, g).sum() / union)


def boundary(mask: np.ndarray) -> np.ndarray:
    """One-pixel boundary: mask pixels with a 4-neighbour outside the mask (the image border counts as outside)."""
    m = np.pad(mask.astype(np.uint8), 1)
    eroded = cv2.erode(m, np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8))
    return (m - eroded)[1:-1, 1:-1].astype(bool)


def f_measure(pred: np.ndarray, gt: np.ndarray, bound_th: float = BOUND_TH) -> float:
    h, w = gt.shape[:2]
    radius = bound_th if bound_th >= 1 else math.ceil(bound_th * math.hypot(h, w))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * int(radius) + 1, 2 * int(radius) + 1))
    pb, gb = boundary(pred), boundary(gt)
    n_p, n_g = int(pb.sum()), int(gb.sum())
    if n_p == 0 and n_g == 0:
        return 1.0
    if n_p == 0 or n_g == 0:
        return 0.0
    g_dil = cv2.dilate(gb.astype(np.uint8), disk).astype(bool)
    p_dil = cv2.dilate(pb.astype(np.uint8), disk).astype(bool)
    precision = float(np.logical_and(pb, g_dil).sum() / n_p)
    recall = float(np.logical_and(gb, p_dil).sum() / n_g)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


@dataclass
class SequenceScores:
    sequence: str
    frames: list[dict] = field(default_factory=list)  # {"frame", "object", "J", "F"}
    missing: list[str] = field(default_factory=list)  # GT frames without a prediction (scored J = F = 0)

    @property
    def j_mean(self) -> float:
        return float(np.mean([r["J"] for r in self.frames])) if self.frames else 0.0

    @property
    def f_mean(self) -> float:
        return float(np.mean([r["F"] for r in self.frames])) if self.frames else 0.0

    @property
    def jf_mean(self) -> float:
        return (self.j_mean + self.f_mean) / 2

    def to_json(self) -> dict:
        return {"sequence": self.sequence, "J": round(self.j_mean, 4), "F": round(self.f_mean, 4),
                "J&F": round(self.jf_mean, 4), "frames_scored": len({r["frame"] for r in self.frames}),
                "missing_predictions": self.missing, "per_frame": self.frames}


def _masks(path: Path) -> dict[int, np.ndarray]:
    from engine.video.prompts import read_id_map, split_ids

    return split_ids(read_id_map(path))


def evaluate_sequence(pred_dir: Path, gt_dir: Path, name: str | None = None) -> SequenceScores:
    """Every GT frame (`<gt_dir>/<frame>.png`, palette or 0/255) against `<pred_dir>/<frame>.png`; objects by id
    (a binary GT is object 1). A GT frame without a prediction scores 0 for its objects."""
    gts = sorted(p for p in gt_dir.glob("*.png") if not p.name.startswith("."))
    if not gts:
        raise InputError(f"{gt_dir}: no ground-truth PNG masks")
    scores = SequenceScores(name or gt_dir.name)
    for gt_path in gts:
        gt = _masks(gt_path)
        pred_path = pred_dir / gt_path.name
        if not pred_path.is_file():
            scores.missing.append(gt_path.stem)
            pred: dict[int, np.ndarray] = {}
        else:
            pred = _masks(pred_path)
        shape = next(iter(gt.values())).shape if gt else None
        for obj in sorted(set(gt) | set(pred)):
            g = gt.get(obj)
            p = pred.get(obj)
            ref = g if g is not None else p
            g = g if g is not None else np.zeros_like(ref)
            p = p if p is not None else np.zeros_like(ref)
            if shape is not None and p.shape != shape:
                raise InputError(f"{pred_path}: {p.shape[1]}x{p.shape[0]} px, the GT is {shape[1]}x{shape[0]} px")
            scores.frames.append({"frame": gt_path.stem, "object": obj, "J": round(j_measure(p, g), 4),
                                  "F": round(f_measure(p, g), 4)})
    return scores
