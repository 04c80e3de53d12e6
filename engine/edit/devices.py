"""Device and dtype choice shared by the CLIP and Stable Diffusion loaders."""

from __future__ import annotations

from typing import Any


def pick_device(device: str = "auto") -> str:
    import torch

    if device and device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: str, dtype: str = "auto") -> Any:
    """fp16 on CUDA by default; fp32 elsewhere (fp16 convolutions are slow or missing on CPU)."""
    import torch

    if dtype == "auto":
        return torch.float16 if device.startswith("cuda") else torch.float32
    try:
        return {"fp16": torch.float16, "float16": torch.float16, "bf16": torch.bfloat16, "bfloat16": torch.bfloat16,
                "fp32": torch.float32, "float32": torch.float32}[dtype]
    except KeyError:
        from engine.errors import InputError

        raise InputError(f"unknown dtype {dtype!r} (use auto, fp16, bf16 or fp32)") from None


def gpu_total_bytes(device: str) -> int | None:
    import torch

    if not device.startswith("cuda") or not torch.cuda.is_available():
        return None
    return int(torch.cuda.get_device_properties(torch.device(device)).total_memory)
