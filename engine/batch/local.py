"""Local executor: N persistent worker processes (spawned once, each building its models once in the
pool initializer, then fed image after image), one compute thread each, ended when the parent dies.
Results stream back as they finish. With one worker everything runs in this process."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from engine.batch.task import BatchOptions, ItemResult, WorkerContext, one_line, process_item
from engine.batch.worker_env import cap_library_threads, capped_thread_env, exit_when_parent_dies
from engine.io.dataset import DatasetItem

_CTX: WorkerContext | None = None
WORKER_THREADS = 1  # per worker process, for OpenCV, BLAS, torch and onnxruntime: N workers use N cores


def _init_worker(settings: dict[str, Any], options: BatchOptions, parent_pid: int, threads: int) -> None:
    global _CTX
    exit_when_parent_dies(parent_pid)
    cap_library_threads(threads)
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
    workers = min(parallel, len(items))
    with capped_thread_env(WORKER_THREADS), ProcessPoolExecutor(
            max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_init_worker,
            initargs=(settings, options, os.getpid(), WORKER_THREADS)) as pool:
        futures = {pool.submit(_run_in_worker, item): item for item in items}
        for fut in as_completed(futures):
            item = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (e.g. out of memory)
                yield ItemResult(item.name, str(item.image_path), "failed", f"worker crashed: {one_line(exc)}")
