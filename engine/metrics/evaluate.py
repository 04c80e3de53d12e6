"""Pair a folder of predicted masks with a folder of GT masks and evaluate them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.io.images import IMAGE_SUFFIXES, load_mask
from engine.metrics.cod import CODEvaluator


@dataclass
class Pair:
    name: str
    pred: Path
    gt: Path


def _index(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES}


def find_pairs(pred_dir: str | Path, gt_dir: str | Path) -> tuple[list[Pair], list[str]]:
    """Predictions may be flat ({name}.png) or in the outputs layout ({name}/final_mask.png).
    Returns the pairs and the GT names without a prediction."""
    pred_dir, gt_dir = Path(pred_dir), Path(gt_dir)
    for d, what in ((pred_dir, "--pred"), (gt_dir, "--gt")):
        if not d.is_dir():
            raise InputError(f"{d}: {what} folder not found")
    preds = _index(pred_dir)
    for sub in sorted(p for p in pred_dir.iterdir() if p.is_dir()):
        if (sub / "final_mask.png").exists():
            preds.setdefault(sub.name, sub / "final_mask.png")
    gts = _index(gt_dir)
    pairs = [Pair(n, preds[n], g) for n, g in gts.items() if n in preds]
    missing = [n for n in gts if n not in preds]
    if not pairs:
        raise InputError(f"{pred_dir}: no prediction matches a GT mask in {gt_dir} (same file stem, or NAME/final_mask.png)")
    return pairs, missing


def evaluate_pairs(pairs: list[Pair]) -> CODEvaluator:
    ev = CODEvaluator()
    for p in pairs:
        gt = load_mask(p.gt)
        pred = load_mask(p.pred, gt.shape)
        ev.step(p.name, pred, gt)
    return ev
