"""Ray executor: the same per-image function on Ray actors that hold the models. Starts a local
Ray instance by default, or joins an existing cluster with address= (then every node needs this
package installed, e.g. `pip install 'sam-sculpt[batch]'` or `pip install -e .` from the same checkout)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engine.batch.task import BatchOptions, ItemResult, WorkerContext, one_line, process_item
from engine.batch.worker_env import THREAD_ENV_VARS, cap_library_threads
from engine.errors import BackendError
from engine.io.dataset import DatasetItem
from engine.process_env import HUGE_PAGES_VAR


@dataclass
class RayConfig:
    address: str | None = None  # None: start a local instance; "auto" or "ray://host:10001" for a cluster
    num_gpus_per_actor: float = 0.0
    num_cpus_per_actor: float = 1.0
    temp_dir: str | None = None  # local instance only (its logs and sockets)


class _Worker:
    def __init__(self, settings: dict[str, Any], options: BatchOptions) -> None:
        cap_library_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))  # set by runtime_env
        self.ctx = WorkerContext(settings, options)
        self.ctx.worker_id = f"ray-{self.ctx.worker_id}"
        try:
            self.ctx.ensure_models()
        except Exception:  # noqa: BLE001 - process_item retries and reports it per image
            pass

    def process(self, item: DatasetItem) -> ItemResult:
        return process_item(item, self.ctx)


def _init_ray(ray: Any, config: RayConfig, parallel: int) -> bool:
    """True when this call started Ray (so it must shut it down)."""
    if ray.is_initialized():
        return False
    if config.address:
        ray.init(address=config.address, log_to_driver=False)
    else:
        kwargs: dict[str, Any] = {"num_cpus": max(1, int(parallel * config.num_cpus_per_actor + 0.999)),
                                  "include_dashboard": False, "log_to_driver": False}
        if config.temp_dir:
            kwargs["_temp_dir"] = config.temp_dir
        ray.init(**kwargs)
    return True


def run_ray(items: list[DatasetItem], settings: dict[str, Any], options: BatchOptions, parallel: int = 2,
            config: RayConfig | None = None) -> Iterator[ItemResult]:
    try:
        import ray
    except ImportError as exc:
        raise BackendError("executor 'ray' needs the ray package; install it with: pip install 'sam-sculpt[batch]'") from exc
    config = config or RayConfig()
    started = _init_ray(ray, config, parallel)
    # the same thread caps as the local executor, set before the actor's process loads numpy/OpenCV/torch
    threads = str(max(1, int(config.num_cpus_per_actor)))
    actor_cls = ray.remote(num_cpus=config.num_cpus_per_actor, num_gpus=config.num_gpus_per_actor,
                           runtime_env={"env_vars": {**{k: threads for k in THREAD_ENV_VARS},
                                                     HUGE_PAGES_VAR: os.environ.get(HUGE_PAGES_VAR, "1")}})(_Worker)
    actors = [actor_cls.remote(settings, options) for _ in range(max(1, min(parallel, len(items))))]
    try:
        queue = list(reversed(items))
        running: dict[Any, tuple[Any, DatasetItem]] = {}
        for actor in actors:
            if queue:
                item = queue.pop()
                running[actor.process.remote(item)] = (actor, item)
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            ref = ready[0]
            actor, item = running.pop(ref)
            try:
                yield ray.get(ref)
            except Exception as exc:  # noqa: BLE001 - the actor died: replace it and go on
                yield ItemResult(item.name, str(item.image_path), "failed", f"ray worker failed: {one_line(exc)}")
                actor = actor_cls.remote(settings, options)
            if queue:
                nxt = queue.pop()
                running[actor.process.remote(nxt)] = (actor, nxt)
    finally:
        for actor in actors:
            try:
                ray.kill(actor)
            except Exception:  # noqa: BLE001
                pass
        if started:
            ray.shutdown()
