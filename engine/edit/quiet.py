"""Load models without the libraries' per-file progress bars (noise in a CLI and in the GUI log)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    restore = []
    for mod_name in ("transformers.utils.logging", "diffusers.utils.logging"):
        try:
            mod = __import__(mod_name, fromlist=["is_progress_bar_enabled"])
        except ImportError:
            continue
        if mod.is_progress_bar_enabled():
            mod.disable_progress_bar()
            restore.append(mod)
    try:
        with warnings.catch_warnings():
            # diffusers renamed torch_dtype to dtype; the old name is the one every supported version accepts
            warnings.filterwarnings("ignore", message=".*torch_dtype.*", category=FutureWarning)
            yield
    finally:
        for mod in restore:
            mod.enable_progress_bar()
