"""Which backends of a kind can run here, for a backend menu (the GUI's Settings dialog): per registered name,
whether it is a classical baseline, an evaluation-only backend or a model, and whether what it needs (weights, an
API key, its package extra) is found. Only the file system and importlib: nothing is loaded, no Qt.

What costs (measured, issue #17): the keyring lookup of an API critic's key (importing keyring and picking its
backend, ~130 ms cold; a D-Bus call on a desktop), then the first import of the sam-onnx finder (~15 ms); the
weight lookups themselves take ~2 ms. So a menu asks `choices(..., keyring=False)` (everything but the keyring)
or the last full answer (`cached_choices`) at once, and the full `refresh_choices` off the UI thread."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from engine.models.discovery import discover
from engine.models.families import Family, all_families
from engine.models.locations import search_order
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


def choice(kind: str, name: str, settings: dict[str, Any] | None = None, keyring: bool = True) -> Choice:
    """`keyring=False`: an API key is looked for in the environment only (the keyring may block)."""
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
        ready = _local_server(name, settings) or (
            _key_found(key_env) if keyring else bool(os.environ.get(key_env, "").strip()))
        return Choice(name, kind, role, Need.NOTHING if ready else Need.KEY, description=description)
    if not families and name not in FINDERS:  # a catalogue backend discovery does not know: assume it runs
        return Choice(name, kind, role, description=description)
    found = _weights_found(name, families, settings)
    return Choice(name, kind, role, Need.NOTHING if found else Need.WEIGHTS, found, description=description)


def choices(kind: str, names: list[str], settings: dict[str, Any] | None = None,
            keyring: bool = True) -> list[Choice]:
    """One Choice per name, in menu order: what runs here first (baselines, then found models), then the
    evaluation-only backends, then what lacks weights / a key / a package; the given order within each."""
    rank = {Role.BASELINE: 0, Role.MODEL: 1, Role.API: 1, Role.OTHER: 2, Role.EVALUATION: 3}
    out = [choice(kind, n, settings, keyring) for n in names]
    return sorted(out, key=lambda c: (not c.available, rank[c.role] if c.available else 0))


# ---- the last full answer per (kind, names, where weights are looked for, settings, which keys are set) ----
_CACHE: dict[tuple[str, ...], list[Choice]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32  # fingerprints kept (each settings change makes a new one)
_ENV_VARS = ("HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "OPENAI_BASE_URL")


def fingerprint(kind: str, names: list[str], settings: dict[str, Any] | None = None) -> tuple[str, ...]:
    """What a full answer depends on, cheaply (no walk, no keyring). Keys count by presence only and the
    settings by a digest, so no secret is kept in the cache."""
    try:
        shown = json.dumps(settings or {}, sort_keys=True, default=str)
    except (TypeError, ValueError):
        shown = repr(settings)
    key_envs = sorted({f.spec.key_env for f in all_families() if f.spec.key_env})
    env = "|".join(f"{v}={os.environ.get(v, '')}" for v in _ENV_VARS)
    keys = "|".join(f"{v}={bool(os.environ.get(v, '').strip())}" for v in key_envs)
    where = "|".join(str(loc.path) for loc in search_order())
    return (kind, "|".join(names), where, env, keys, hashlib.sha256(shown.encode("utf-8")).hexdigest())


def cached_choices(kind: str, names: list[str], settings: dict[str, Any] | None = None,
                   key: tuple[str, ...] | None = None) -> list[Choice] | None:
    """The last `refresh_choices` answer for the same fingerprint; None when there is none (or it was
    invalidated)."""
    key = key or fingerprint(kind, names, settings)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    return list(hit) if hit is not None else None


def refresh_choices(kind: str, names: list[str], settings: dict[str, Any] | None = None,
                    key: tuple[str, ...] | None = None) -> list[Choice]:
    """The full answer (keyring included: may take a while, call it off the UI thread), remembered under
    `key` (the fingerprint taken when it was asked for, so a later change of settings starts afresh)."""
    key = key or fingerprint(kind, names, settings)
    out = choices(kind, names, settings)
    with _CACHE_LOCK:
        _CACHE.pop(key, None)
        _CACHE[key] = list(out)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    return out


def invalidate_choices() -> None:
    """Forget every cached answer: weights were downloaded or added, a key stored, settings changed."""
    with _CACHE_LOCK:
        _CACHE.clear()
