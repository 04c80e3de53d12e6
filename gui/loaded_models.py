"""What the worker tells the Session panel about the loaded models: plain data read from the model
manager's report and the segmenter's attributes (no model math, nothing loaded to find out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

DTYPES = ("float32", "float16", "bfloat16", "int8")


@dataclass(frozen=True)
class LoadedModel:
    backend: str  # the registry name ("sam", "qwen", ...)
    weights: str  # the checkpoint file or model folder name, not its path
    device: str
    dtype: str  # "" when the key does not say
    size_mb: float
    runtime: str | None  # "onnx" | "torch" for backends whose clicks can run on either; else None
    key: str  # the manager's key (for the tooltip)


def _from_key(key: str, device: str) -> tuple[str, str, str]:
    """(backend, weights name, dtype) from a manager key "<backend>:<path>:<device>[:<dtype>...]"."""
    backend, _, rest = key.partition(":")
    path, sep, tail = rest.rpartition(f":{device}")
    if not sep:
        path, tail = rest, ""
    dtype = next((p for p in tail.split(":") if p in DTYPES), "")
    return backend, PureWindowsPath(path).name or path, dtype  # either separator: keys hold the OS's paths


def _runtime(segmenter: Any) -> str | None:
    if not isinstance(getattr(type(segmenter), "decoder_runtime", None), property):
        return None
    try:
        return str(segmenter.decoder_runtime)  # the model is loaded (checked by the caller): no load here
    except Exception:  # noqa: BLE001 - a label must never break the worker
        return None


def describe_loaded(report: list[dict[str, Any]], segmenter: Any = None) -> list[LoadedModel]:
    """One LoadedModel per loaded entry of ModelManager.report(); the segmenter's own entry names its
    weights and decoder runtime from the segmenter."""
    seg_key = getattr(segmenter, "model_key", None) if segmenter is not None else None
    out = []
    for r in report:
        if not r.get("loaded"):
            continue
        key, device = str(r["key"]), str(r["device"])
        backend, weights, dtype = _from_key(key, device)
        runtime = None
        if seg_key is not None and key == seg_key:
            backend = str(getattr(segmenter, "name", backend))
            for attr in ("checkpoint", "model_dir"):
                if isinstance(getattr(segmenter, attr, None), Path):
                    weights = getattr(segmenter, attr).name
                    break
            runtime = _runtime(segmenter)
        out.append(LoadedModel(backend, weights, device, dtype, float(r["size_mb"]), runtime, key))
    return out
