"""Run a snippet in a fresh interpreter where some packages cannot be imported, as if they were not
installed: each blocked top-level name is None in sys.modules, so `import x` raises ModuleNotFoundError
and importlib.util.find_spec("x") returns None (what libraries probing for optional packages see)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pycocotools", "torch", "torchvision", "PySide6", "transformers", "segment_anything", "diffusers",
         "pysodmetrics", "matplotlib", "ray", "onnxruntime", "onnx", "open_clip", "accelerate")

PRELUDE = """
import sys
_BLOCKED = set({blocked!r})
for _name in _BLOCKED:  # None in sys.modules: `import x` raises ModuleNotFoundError, find_spec(x) is None
    sys.modules[_name] = None
"""


def run_blocked(code: str, blocked: tuple[str, ...] = HEAVY, cwd: Path | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    src = PRELUDE.format(blocked=tuple(blocked)) + textwrap.dedent(code)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", src], cwd=cwd or ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
