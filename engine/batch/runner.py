"""Run a batch: pick the executor, show progress with an ETA, record failures, write the summary."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from engine.batch.local import run_local
from engine.batch.ray_executor import RayConfig, run_ray
from engine.batch.task import BatchOptions, ItemResult, is_done
from engine.critics.secrets import redact_provenance
from engine.errors import InputError
from engine.io.atomic import write_json, write_text
from engine.io.dataset import DatasetItem
from engine.settings import strip_secrets

EXECUTORS = ("local", "ray")
SUMMARY_FILE = "batch_summary.json"
FAILURES_FILE = "batch_failures.txt"


@dataclass
class BatchSummary:
    total: int
    results: list[ItemResult] = field(default_factory=list)
    seconds: float = 0.0
    executor: str = "local"
    parallel: int = 1

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failures(self) -> list[ItemResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failures and len(self.results) == self.total

    def images_per_s(self) -> float:
        done = self.count("done")
        return done / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        done = [r for r in self.results if r.status == "done" and r.iou_final is not None]
        d: dict[str, Any] = {
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "executor": self.executor,
            "parallel": self.parallel,
            "total": self.total,
            "done": self.count("done"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "seconds": round(self.seconds, 3),
            "images_per_s": round(self.images_per_s(), 4),
            "failures": [{"file": r.file, "name": r.name, "reason": r.reason} for r in self.failures],
            "items": [r.to_dict() for r in sorted(self.results, key=lambda r: r.name)],
        }
        if done:
            d["mean_iou_initial"] = round(sum(r.iou_initial or 0 for r in done) / len(done), 5)
            d["mean_iou_final"] = round(sum(r.iou_final for r in done) / len(done), 5)
        return d

    def text(self) -> str:
        line = (f"batch: {self.count('done')} done, {self.count('skipped')} skipped, {self.count('failed')} failed "
                f"of {self.total} in {self.seconds:.1f}s ({self.images_per_s():.2f} img/s, {self.executor} x{self.parallel})")
        d = self.to_dict()
        if "mean_iou_final" in d:
            line += f"; mean IoU box-only {d['mean_iou_initial']:.4f} -> sculpted {d['mean_iou_final']:.4f}"
        return line


def run_batch(items: list[DatasetItem], settings: dict[str, Any], options: BatchOptions, parallel: int = 1,
              executor: str = "local", ray_config: RayConfig | None = None, progress: bool = True) -> BatchSummary:
    if executor not in EXECUTORS:
        raise InputError(f"--executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    if parallel < 1:
        raise InputError(f"--parallel {parallel}: must be at least 1")
    out_root = Path(options.out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    summary = BatchSummary(total=len(items), executor=executor, parallel=parallel)
    todo = items
    if options.skip_done:  # decided here too, so finished images never reach (or wake) a worker
        todo = [i for i in items if not is_done(i, out_root)]
        summary.results.extend(ItemResult(i.name, str(i.image_path), "skipped") for i in items if is_done(i, out_root))
    t0 = time.perf_counter()
    bar = tqdm(total=len(items), initial=len(items) - len(todo), unit="img", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, desc="batch")
    try:
        if todo:
            stream = run_local(todo, settings, options, parallel) if executor == "local" else \
                run_ray(todo, settings, options, parallel, ray_config)
            for res in stream:
                summary.results.append(res)
                if res.status == "failed":
                    bar.write(f"failed: {res.failure_line()}")
                bar.set_postfix(failed=summary.count("failed"), refresh=False)
                bar.update(1)
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - t0
        write_summary(out_root, summary, settings)
    return summary


def write_summary(out_root: Path, summary: BatchSummary, settings: dict[str, Any]) -> None:
    data = summary.to_dict()
    data["settings"] = strip_secrets(settings)
    write_json(out_root / SUMMARY_FILE, redact_provenance(data))
    write_text(out_root / FAILURES_FILE, "".join(f"{r.failure_line()}\n" for r in summary.failures))
