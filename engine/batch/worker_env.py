"""What every batch worker process gets before it does any work: one compute thread per library
(two workers on two cores must not each start a pool of N threads: that is what made 2 workers slower
than 1 on a busy machine), and a watchdog that ends the worker when its parent dies (a `kill -9` of
`batch` must not leave workers writing outputs)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                   "NUMEXPR_NUM_THREADS", "ORT_NUM_THREADS")
PARENT_POLL_S = 0.5


@contextlib.contextmanager
def capped_thread_env(threads: int = 1) -> Iterator[None]:
    """Set the thread variables while worker processes are started (a spawned child reads them before
    numpy, OpenCV or torch load); the parent's own values are restored afterwards."""
    saved = {k: os.environ.get(k) for k in THREAD_ENV_VARS}
    os.environ.update({k: str(threads) for k in THREAD_ENV_VARS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cap_library_threads(threads: int = 1) -> None:
    """For libraries already imported in this process (OpenCV's pool, torch's intra-op pool)."""
    for k in THREAD_ENV_VARS:
        os.environ[k] = str(threads)
    with contextlib.suppress(Exception):
        import cv2

        cv2.setNumThreads(threads)
    import sys

    torch = sys.modules.get("torch")  # only when the backends already imported it: never import it here
    if torch is not None:
        with contextlib.suppress(Exception):
            torch.set_num_threads(threads)


def exit_when_parent_dies(parent_pid: int, poll_s: float = PARENT_POLL_S) -> threading.Thread:
    """A daemon thread that ends this process (os._exit: no cleanup that could write) once the parent
    is gone: on Linux/macOS the orphan is re-parented, so getppid() changes."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)
            time.sleep(poll_s)

    thread = threading.Thread(target=watch, name="parent-watchdog", daemon=True)
    thread.start()
    return thread
