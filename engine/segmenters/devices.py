"""Torch device and dtype choice shared by the model backends (imported lazily: needs torch)."""

from __future__ import annotations

import logging

import torch

from engine.errors import BackendError

log = logging.getLogger("sam_sculpt.devices")

_DTYPES = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
           "float16": torch.float16, "fp16": torch.float16}


def resolve_device(name: str | None = "auto") -> torch.device:
    """'auto' picks cuda > mps > cpu; an explicit name must be usable here."""
    name = (name or "auto").lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise BackendError(f"device {name!r} is not a torch device ({exc})") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BackendError(f"device {name!r} was asked for but CUDA is not available (use device 'auto' or 'cpu')")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise BackendError(f"device {name!r} was asked for but MPS is not available (use device 'auto' or 'cpu')")
    return device


def resolve_dtype(name: str | None, device: torch.device) -> torch.dtype:
    """'auto' is float32 on CPU and bfloat16 on a GPU that supports it; half precision on CPU is refused
    quietly (float32), because CPU kernels for it are slow or missing."""
    name = (name or "auto").lower()
    if name == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    if name not in _DTYPES:
        raise BackendError(f"dtype {name!r} is not one of float32, bfloat16, float16 (or auto)")
    dtype = _DTYPES[name]
    if device.type == "cpu" and dtype is not torch.float32:
        log.warning("dtype %s asked for on the CPU: using float32", name)
        return torch.float32
    return dtype


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def module_bytes(module: torch.nn.Module) -> int:
    return sum(t.numel() * t.element_size() for t in list(module.parameters()) + list(module.buffers()))
