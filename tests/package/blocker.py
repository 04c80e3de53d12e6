"""Run a snippet in a fresh interpreter where some packages cannot be imported (a meta-path finder
raises ModuleNotFoundError for them, as if they were not installed)."""

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
import importlib.abc, sys
_BLOCKED = set({blocked!r})
class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)", name=name)
        return None
sys.meta_path.insert(0, _Blocker())
"""


def run_blocked(code: str, blocked: tuple[str, ...] = HEAVY, cwd: Path | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    src = PRELUDE.format(blocked=tuple(blocked)) + textwrap.dedent(code)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", src], cwd=cwd or ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
