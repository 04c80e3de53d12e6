"""Where the transformers-format SAM families' weights are found (no torch import: `models` lists use it).

A model folder is any folder whose config.json names an accepted `model_type`. Search order for a backend:
1. the folders of engine.models.locations.search_order(models_dir) (the setting, SAM_SCULPT_MODELS, the user data
   dir, the checkout's models/): the folder itself or a child folder; with a `variant`, a child whose name holds
   the variant wins, otherwise the largest;
2. the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub), layout
   models--ORG--NAME/snapshots/<rev>/: the catalogue's repo ids for the backend first (the variant's first),
   then any other snapshot whose config names an accepted model_type."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from engine.models.locations import describe_search, search_order
from engine.registry import load_catalogue

MODEL_TYPES: dict[str, tuple[str, ...]] = {
    "sam2": ("sam2", "sam2_video"),
    "sam-hq": ("sam_hq",),
    "edgetam": ("edgetam", "edgetam_video"),
    "sam3": ("sam3_video", "sam3"),
}
WEIGHT_SUFFIXES = (".safetensors", ".bin")


@dataclass(frozen=True)
class Found:
    path: Path
    model_type: str
    variant: str | None
    size_bytes: int
    source: str  # "setting" | "env SAM_SCULPT_MODELS" | "user data dir" | "checkout" | "hf cache" | "model_dir"


def read_model_type(folder: Path) -> str | None:
    cfg = folder / "config.json"
    if not cfg.is_file():
        return None
    try:
        value = json.loads(cfg.read_text(encoding="utf-8")).get("model_type")
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file() and f.suffix in WEIGHT_SUFFIXES)


def repos(name: str) -> dict[str, dict]:
    """The catalogue's {variant: {"hf": ORG/NAME, ...}} for backend `name` ({} when none)."""
    return dict(load_catalogue().get("segmenters", {}).get(name, {}).get("repos") or {})


def variant_of(name: str, folder: Path) -> str | None:
    """The catalogue variant whose repo name is the folder's name (or the HF cache repo's), else None."""
    label = folder.name.lower()
    if folder.parent.name == "snapshots":
        label = folder.parent.parent.name.split("--")[-1].lower()
    for variant, entry in repos(name).items():
        if str(entry.get("hf", "")).split("/")[-1].lower() == label:
            return variant
    return None


def _pick(candidates: list[Path], variant: str | None, name: str | None = None) -> Path | None:
    """The variant's folder (named like its catalogue repo, or holding the variant in its name), else the largest."""
    if not candidates:
        return None
    if variant:
        wanted = [d for d in candidates if (name and variant_of(name, d) == variant) or variant.lower() in d.name.lower()]
        if wanted:
            candidates = wanted
    return max(candidates, key=folder_bytes)


def find_in_folder(folder: Path, model_types: tuple[str, ...], variant: str | None = None,
                   name: str | None = None) -> Path | None:
    """`folder` itself when it is a model folder of an accepted type, else its best child model folder."""
    if not folder.is_dir():
        return None
    if read_model_type(folder) in model_types:
        return folder
    children = [d for d in sorted(folder.iterdir()) if d.is_dir() and read_model_type(d) in model_types]
    return _pick(children, variant, name)


def hf_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return Path("~/.cache/huggingface/hub").expanduser()


def _snapshot(repo_dir: Path) -> Path | None:
    """The snapshot refs/main points to, else the newest complete one."""
    snaps = repo_dir / "snapshots"
    if not snaps.is_dir():
        return None
    ref = repo_dir / "refs" / "main"
    if ref.is_file():
        rev = snaps / ref.read_text(encoding="utf-8").strip()
        if (rev / "config.json").is_file():
            return rev
    revs = [d for d in snaps.iterdir() if (d / "config.json").is_file()]
    return max(revs, key=lambda d: d.stat().st_mtime) if revs else None


def find_in_hf_cache(name: str, model_types: tuple[str, ...], variant: str | None = None) -> Path | None:
    cache = hf_cache_dir()
    if not cache.is_dir():
        return None
    known = repos(name)
    ordered = ([known[variant]] if variant in known else []) + list(known.values())
    for entry in ordered:
        repo_id = str(entry.get("hf", ""))
        if "/" not in repo_id:
            continue
        snap = _snapshot(cache / f"models--{repo_id.replace('/', '--')}")
        if snap is not None and read_model_type(snap) in model_types:
            return snap
    others = [s for d in sorted(cache.glob("models--*")) if (s := _snapshot(d)) is not None and read_model_type(s) in model_types]
    if variant:
        wanted = [s for s in others if variant.lower() in s.parent.parent.name.lower()]
        others = wanted or others
    return others[0] if others else None


def discover(name: str, models_dir: str | None = None, variant: str | None = None) -> Found | None:
    model_types = MODEL_TYPES[name]
    for loc in search_order(models_dir):
        hit = find_in_folder(loc.path, model_types, variant, name)
        if hit is not None:
            return _found(name, hit, loc.source)
    hit = find_in_hf_cache(name, model_types, variant)
    return None if hit is None else _found(name, hit, "hf cache")


def describe(name: str, models_dir: str | None = None) -> str:
    return f"{describe_search(models_dir)}; Hugging Face cache {hf_cache_dir()}"


def _found(name: str, folder: Path, source: str) -> Found:
    return Found(folder, read_model_type(folder) or "", variant_of(name, folder), folder_bytes(folder), source)
