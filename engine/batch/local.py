"""Local executor: N worker processes, each building its models once (pool initializer).
With one worker everything runs in this process."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from engine.batch.task import BatchOptions, ItemResult, WorkerContext, one_line, process_item
from engine.io.dataset import DatasetItem

_CTX: WorkerContext | None = None


def _init_worker(settings: dict[str, Any], options: BatchOptions) -> None:
    global _CTX
    _CTX = WorkerContext(settings, options)
    try:
        _CTX.ensure_models()
    except Exception:  # noqa: BLE001 - reported per item by process_item, which retries the build
        pass


def _run_in_worker(item: DatasetItem) -> ItemResult:
    assert _CTX is not None, "worker not initialised"
    return process_item(item, _CTX)


def run_local(items: list[DatasetItem], settings: dict[str, Any], options: BatchOptions, parallel: int = 1) -> Iterator[ItemResult]:
    if parallel <= 1 or len(items) <= 1:
        ctx = WorkerContext(settings, options)
        for item in items:
            yield process_item(item, ctx)
        return
    # spawn, not fork: forking a process that already holds torch/OpenCV threads can deadlock
    with ProcessPoolExecutor(max_workers=min(parallel, len(items)), mp_context=mp.get_context("spawn"),
                             initializer=_init_worker, initargs=(settings, options)) as pool:
        futures = {pool.submit(_run_in_worker, item): item for item in items}
        for fut in as_completed(futures):
            item = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (e.g. out of memory)
                yield ItemResult(item.name, str(item.image_path), "failed", f"worker crashed: {one_line(exc)}")
