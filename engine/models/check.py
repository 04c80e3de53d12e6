"""`models check NAME`: build the family's backend through the same registry and options a session uses
(the discovered weights filled in when no path is configured), run one tiny forward, and report the load
time, the memory it took and the device."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.errors import BackendError
from engine.models.discovery import accepts, configured_path, discover, looked_in
from engine.models.families import SETTINGS_SECTION, Family
from engine.models.manager import MB, get_manager, process_rss_bytes
from engine.registry import CRITICS, INPAINTERS, LOCALISERS, SEGMENTERS

REGISTRIES = {"segmenters": SEGMENTERS, "critics": CRITICS, "localisers": LOCALISERS, "inpainters": INPAINTERS}


@dataclass
class CheckResult:
    family: str
    backend: str
    weights: str
    device: str
    load_s: float
    forward_s: float
    forward: str  # what the forward did
    rss_delta_mb: float | None
    model_mb: float
    cuda_peak_mb: float | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        mem = f"model {self.model_mb:.1f} MB"
        if self.rss_delta_mb is not None:
            mem += f", process +{self.rss_delta_mb:.1f} MB"
        if self.cuda_peak_mb is not None:
            mem += f", CUDA peak {self.cuda_peak_mb:.1f} MB"
        return [f"{self.family} ({self.backend}): {self.weights}",
                f"  device {self.device}; load {self.load_s:.2f} s; forward {self.forward_s:.2f} s ({self.forward})",
                f"  memory: {mem}"]


def backend_options(family: Family, settings: dict[str, Any], path: str | None, device: str | None) -> dict[str, Any]:
    node: Any = settings
    for part in SETTINGS_SECTION.get(family.kind, family.kind).split(".") + [family.backend]:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    options = copy.deepcopy(node) if isinstance(node, dict) else {}
    if family.spec.option:
        if path:
            options[family.spec.option] = path
        else:
            configured = configured_path(family, settings)
            usable = configured is not None and configured.exists() and (
                family.spec.weights == "pth" or accepts(family, configured) is not None)
            if not usable:  # nothing configured, or another family's folder (qwen3 shares qwen's option)
                found = discover(family, settings)
                if not found:
                    raise BackendError(f"models check {family.name}: no weights found; looked in "
                                       f"{'; '.join(looked_in(family, settings))} (download: sam-sculpt models "
                                       f"download {family.name})")
                options[family.spec.option] = str(found[0].path)
    if device:
        options["device"] = device
    return options


def _scene() -> tuple[np.ndarray, Any]:
    from engine.samples import generate_scene

    scene = generate_scene(seed=1, size=(160, 120))
    return scene.image, scene.box


def _probe_segmenter(backend: Any) -> str:
    image, box = _scene()
    backend.prepare(image)
    pred = backend.predict(box, [])
    what = f"prepare + one box prompt on {image.shape[1]}x{image.shape[0]}: {len(pred.scores)} mask(s)"
    if callable(getattr(backend, "find_all", None)):  # text prompts (sam3): one "find all" too
        found = backend.find_all(image, "object")
        what += f"; text prompt 'object': {len(found)} found"
    return what


def _probe_critic(backend: Any) -> str:
    from engine.critics.vlm import VLMRequest

    if not hasattr(backend, "loaded"):  # API critics: building it checked the key; no paid request is sent
        return "client built (no request sent)"
    image, _ = _scene()
    (answer,) = backend.ask([VLMRequest("check", "Describe the image in one word.", image, 4)])
    if not answer.ok:
        raise BackendError(f"models check: generate failed: {answer.error}")
    return f"one generate of {answer.tokens} token(s) on {image.shape[1]}x{image.shape[0]}"


def _probe_localiser(backend: Any) -> str:
    image, _ = _scene()
    backend.localise(image, "an object")
    return f"one text-image similarity on {image.shape[1]}x{image.shape[0]}"


def _probe_build_only(backend: Any) -> str:
    return "built (no forward probe for this kind)"


PROBES: dict[str, Callable[[Any], str]] = {"segmenters": _probe_segmenter, "critics": _probe_critic,
                                           "localisers": _probe_localiser, "inpainters": _probe_build_only}


def check(family: Family, settings: dict[str, Any], path: str | None = None, device: str | None = None) -> CheckResult:
    options = backend_options(family, settings, path, device)
    weights = str(options.get(family.spec.option, "")) if family.spec.option else family.needs
    registry = REGISTRIES[family.kind]
    manager = get_manager()
    before = {k for k in (r["key"] for r in manager.report()) if manager.is_loaded(k)}
    rss0 = process_rss_bytes()
    cuda = _cuda_reset()
    t0 = time.perf_counter()
    backend = registry.create(family.backend, **options)
    probe = PROBES.get(family.kind, _probe_build_only)
    t1 = time.perf_counter()
    what = probe(backend)
    t2 = time.perf_counter()
    rss1 = process_rss_bytes()
    new = [r for r in manager.report() if r["loaded"] and r["key"] not in before]
    load_s = sum(r["load_s"] for r in new) + (t1 - t0)
    model_mb = sum(r["size_mb"] for r in new)
    info = backend.info() if hasattr(backend, "info") else {}
    return CheckResult(family.name, family.backend, weights, str(info.get("device", options.get("device", "cpu"))),
                       load_s, max(0.0, (t2 - t1) - sum(r["load_s"] for r in new)), what,
                       None if rss0 is None or rss1 is None else (rss1 - rss0) / MB, model_mb,
                       _cuda_peak(cuda), info)


def _cuda_reset() -> bool:
    try:
        import torch
    except ImportError:
        return False
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
        return True
    return False


def _cuda_peak(active: bool) -> float | None:
    if not active:
        return None
    import torch

    return torch.cuda.max_memory_allocated() / MB
