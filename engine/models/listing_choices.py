"""Which backends of a kind can run here, for a backend menu (the GUI's Settings dialog): per registered name,
whether it is a classical baseline, an evaluation-only backend or a model, and whether what it needs (weights, an
API key, its package extra) is found. Only the file system and importlib: nothing is loaded, no Qt."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from engine.models.discovery import discover
from engine.models.families import Family, all_families
from engine.registry import load_catalogue


class Role(str, Enum):
    BASELINE = "baseline"  # classical, no weights (grabcut, heuristic, opencv)
    EVALUATION = "evaluation"  # needs the ground truth (oracle, noisy-oracle)
    MODEL = "model"  # a learned model: local weights
    API = "api"  # a remote model behind an API key
    OTHER = "other"  # registered without a catalogue entry (a plug-in, a test stub)


class Need(str, Enum):
    NOTHING = ""  # ready
    WEIGHTS = "weights"  # no weights found
    PACKAGE = "package"  # the package extra is not installed
    KEY = "key"  # no API key in the environment or the keyring


@dataclass(frozen=True)
class Choice:
    name: str  # the registry name (what settings store)
    kind: str  # segmenters | critics | inpainters | localisers
    role: Role
    missing: Need = Need.NOTHING
    found: str = ""  # the weights a backend would use (first hit), when there are any
    install: str = ""  # the pip command when the package extra is missing
    description: str = ""

    @property
    def available(self) -> bool:
        return self.missing is Need.NOTHING


def _key_found(env: str) -> bool:
    from engine.critics.secrets import get_api_key

    return get_api_key(env, "", required=False) is not None


def _local_server(name: str, settings: dict[str, Any] | None) -> bool:
    """An API critic pointed at a local server (Ollama, vLLM, ...): it gets a placeholder key, none is needed."""
    from engine.critics.endpoints import is_local

    opts = ((settings or {}).get("critic", {}).get("options", {}) or {}).get(name, {}) or {}
    url = opts.get("base_url") or os.environ.get("OPENAI_BASE_URL" if name == "openai" else "", "")
    return bool(url) and is_local(str(url))


def _onnx_found(settings: dict[str, Any] | None) -> tuple[Path, str] | None:
    """The encoder of the sam-onnx pair the segmenter would use (its own search) and where it came from."""
    from engine.models.locations import discover as discover_in
    from engine.models.locations import find_in_locations
    from engine.segmenters.sam_onnx import find_pair

    opts = ((settings or {}).get("segmenter", {}).get("options", {}) or {}).get("sam-onnx", {}) or {}
    if opts.get("encoder"):
        enc = Path(str(opts["encoder"])).expanduser()
        return (enc, "setting") if enc.is_file() else None
    if opts.get("models_dir"):
        hit, _searched = discover_in(find_pair, opts["models_dir"])
        return (hit, "setting") if hit is not None else None
    found = find_in_locations(find_pair)
    return (found[0], found[1].source) if found else None


# backends whose weights are not a config.json folder nor a SAM 1 checkpoint: their own finder (name -> hit)
FINDERS: dict[str, Callable[[dict[str, Any] | None], tuple[Path, str] | None]] = {"sam-onnx": _onnx_found}


def other_weights(name: str, settings: dict[str, Any] | None = None) -> tuple[Path, str] | None:
    """(path, source) for a backend with its own finder (FINDERS), None when none or nothing found."""
    finder = FINDERS.get(name)
    return finder(settings) if finder is not None else None


def _weights_found(name: str, families: list[Family], settings: dict[str, Any] | None) -> str:
    if name in FINDERS:
        hit = other_weights(name, settings)
        return str(hit[0]) if hit else ""
    for fam in families:
        hits = discover(fam, settings)
        if hits:
            return str(hits[0].path)
    return ""


def role_of(kind: str, name: str) -> Role:
    """The catalogue's role for a backend alone (no discovery: cheap enough for every redraw)."""
    entry = load_catalogue().get(kind, {}).get(name)
    if entry is None:
        return Role.OTHER
    role = str(entry.get("role", ""))
    if role in (Role.BASELINE.value, Role.EVALUATION.value):
        return Role(role)
    return Role.API if "API" in str(entry.get("weights", "")) else Role.MODEL


def baseline_of(kind: str) -> str | None:
    """The first catalogue backend of `kind` with role 'baseline' (grabcut for segmenters), None when none."""
    return next((n for n, e in load_catalogue().get(kind, {}).items() if e.get("role") == Role.BASELINE.value), None)


def choice(kind: str, name: str, settings: dict[str, Any] | None = None) -> Choice:
    entry = load_catalogue().get(kind, {}).get(name)
    if entry is None:
        return Choice(name, kind, Role.OTHER)
    description = str(entry.get("description", ""))
    families = [f for f in all_families() if f.kind == kind and f.backend == name]
    role_name = str(entry.get("role", ""))
    if role_name in (Role.BASELINE.value, Role.EVALUATION.value):
        return Choice(name, kind, Role(role_name), description=description)
    extra = str(entry.get("extra", ""))
    install = f"pip install -e '.[{extra}]'" if extra else ""
    missing_pkgs = sorted({p for f in families for p in f.packages_missing()})
    key_env = next((f.spec.key_env for f in families if f.spec.key_env), "")
    role = Role.API if key_env else Role.MODEL
    if missing_pkgs:
        return Choice(name, kind, role, Need.PACKAGE, install=install, description=description)
    if key_env:
        ready = _local_server(name, settings) or _key_found(key_env)
        return Choice(name, kind, role, Need.NOTHING if ready else Need.KEY, description=description)
    if not families and name not in FINDERS:  # a catalogue backend discovery does not know: assume it runs
        return Choice(name, kind, role, description=description)
    found = _weights_found(name, families, settings)
    return Choice(name, kind, role, Need.NOTHING if found else Need.WEIGHTS, found, description=description)


def choices(kind: str, names: list[str], settings: dict[str, Any] | None = None) -> list[Choice]:
    """One Choice per name, in menu order: what runs here first (baselines, then found models), then the
    evaluation-only backends, then what lacks weights / a key / a package; the given order within each."""
    rank = {Role.BASELINE: 0, Role.MODEL: 1, Role.API: 1, Role.OTHER: 2, Role.EVALUATION: 3}
    out = [choice(kind, n, settings) for n in names]
    return sorted(out, key=lambda c: (not c.available, rank[c.role] if c.available else 0))
