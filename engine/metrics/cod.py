"""COD metrics through pysodmetrics, plus IoU; the same keys the prototype's evaluation wrote.

Keys (per image and in the summary):
  Smeasure   structure measure (alpha 0.5)
  wFmeasure  weighted F-measure (beta 1)
  MAE        mean absolute error of the 0-1 prediction
  adpEm / meanEm / maxEm   E-measure at the adaptive threshold / mean / max over 256 thresholds
  adpFm / meanFm / maxFm   F-measure (beta^2 0.3) at the adaptive threshold / mean / max over 256 thresholds
  IoU (per image) and mIoU (summary): intersection over union of the binarised masks (> 127)
Summary mean/max E and F follow pysodmetrics: the threshold curves are averaged over images first,
then the mean or max of that curve is taken (as in the COD papers), so they are not the mean of the
per-image maxima.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import py_sod_metrics as sod

from engine.geometry.masks import iou

METRIC_KEYS = ("Smeasure", "wFmeasure", "MAE", "adpEm", "meanEm", "maxEm", "adpFm", "meanFm", "maxFm")
SUMMARY_KEYS = (*METRIC_KEYS, "mIoU")


def as_gray(mask: np.ndarray) -> np.ndarray:
    """A bool or 0/255 mask as the uint8 grey image pysodmetrics expects."""
    if mask.dtype == bool:
        return mask.astype(np.uint8) * 255
    return mask.astype(np.uint8)


@dataclass
class CODEvaluator:
    """step() once per image, then rows (per image) and summary()."""

    rows: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sm = sod.Smeasure()
        self._em = sod.Emeasure()
        self._wfm = sod.WeightedFmeasure()
        self._mae = sod.MAE()
        self._fm_handler = sod.FmeasureHandler(with_dynamic=True, with_adaptive=True, beta=0.3)
        self._fm = sod.FmeasureV2({"fm": self._fm_handler})

    def step(self, name: str, pred: np.ndarray, gt: np.ndarray) -> dict:
        pred8, gt8 = as_gray(pred), as_gray(gt)
        if pred8.shape != gt8.shape:
            raise ValueError(f"{name}: prediction is {pred8.shape[::-1]} but GT is {gt8.shape[::-1]}")
        for metric in (self._sm, self._em, self._wfm, self._mae, self._fm):
            metric.step(pred=pred8, gt=gt8)
        fm = self._fm_handler
        em_curve = np.asarray(self._em.changeable_ems[-1], dtype=float)
        fm_curve = np.asarray(fm.dynamic_results[-1], dtype=float)
        row = {
            "name": name,
            "Smeasure": float(self._sm.sms[-1]),
            "wFmeasure": float(self._wfm.weighted_fms[-1]),
            "MAE": float(self._mae.maes[-1]),
            "adpEm": float(self._em.adaptive_ems[-1]),
            "meanEm": float(em_curve.mean()),
            "maxEm": float(em_curve.max()),
            "adpFm": float(fm.adaptive_results[-1]),
            "meanFm": float(fm_curve.mean()),
            "maxFm": float(fm_curve.max()),
            "IoU": iou(pred8 > 127, gt8 > 127),
        }
        self.rows.append(row)
        return row

    def summary(self) -> dict:
        if not self.rows:
            return {"count": 0}
        em = self._em.get_results()["em"]
        fm = self._fm.get_results()["fm"]
        return {
            "Smeasure": float(self._sm.get_results()["sm"]),
            "wFmeasure": float(self._wfm.get_results()["wfm"]),
            "MAE": float(self._mae.get_results()["mae"]),
            "adpEm": float(em["adp"]),
            "meanEm": float(np.mean(em["curve"])),
            "maxEm": float(np.max(em["curve"])),
            "adpFm": float(fm["adaptive"]),
            "meanFm": float(np.mean(fm["dynamic"])),
            "maxFm": float(np.max(fm["dynamic"])),
            "mIoU": float(np.mean([r["IoU"] for r in self.rows])),
            "count": len(self.rows),
        }


def rows_to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    cols = ["name", *METRIC_KEYS, "IoU"]
    extra = [k for k in (rows[0] if rows else {}) if k not in cols]
    writer = csv.DictWriter(buf, fieldnames=cols + extra, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (f"{v:.6f}" if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue()


def write_results(out_dir: str | Path, rows: list[dict], summary: dict, stem: str = "metrics") -> tuple[Path, Path]:
    """{stem}_per_image.csv and {stem}_summary.json, written atomically."""
    from engine.io.atomic import write_json, write_text

    out = Path(out_dir)
    csv_path, json_path = out / f"{stem}_per_image.csv", out / f"{stem}_summary.json"
    write_text(csv_path, rows_to_csv(rows))
    write_json(json_path, {k: (round(v, 6) if isinstance(v, float) else v) for k, v in summary.items()})
    return csv_path, json_path
