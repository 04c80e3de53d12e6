"""Find the weights of a model family without loading anything: the configured path, every folder of the
models search order (engine.models.locations) and one level below, and the Hugging Face cache
(models--ORG--NAME/snapshots/REV, honouring HF_HUB_CACHE and HF_HOME). Only json and the file system."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.models.families import Family
from engine.models.locations import search_order

SAM1_VARIANT = re.compile(r"vit_([blh])", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    path: Path
    variant: str
    size_bytes: int
    source: str  # setting | env SAM_SCULPT_MODELS | user data dir | checkout | hf cache
    model_type: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "variant": self.variant, "size_mb": round(self.size_bytes / 1e6, 1),
                "source": self.source, "model_type": self.model_type}


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "huggingface" / "hub"


def hf_cache_snapshots(cache: Path | None = None) -> list[tuple[str, Path]]:
    """(repo id, snapshot folder) of every model in the cache; the revision refs/main points at when known."""
    cache = cache or hf_cache_dir()
    out = []
    if not cache.is_dir():
        return out
    for repo_dir in sorted(cache.glob("models--*")):
        repo_id = repo_dir.name[len("models--"):].replace("--", "/", 1)
        snaps = repo_dir / "snapshots"
        if not snaps.is_dir():
            continue
        main = repo_dir / "refs" / "main"
        rev = main.read_text(encoding="utf-8").strip() if main.is_file() else ""
        chosen = snaps / rev if rev and (snaps / rev).is_dir() else None
        if chosen is None:
            revs = sorted((p for p in snaps.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
            chosen = revs[0] if revs else None
        if chosen is not None:
            out.append((repo_id, chosen))
    return out


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += (Path(root) / f).stat().st_size  # follows the hub cache's blob symlinks
            except OSError:
                pass
    return total


def model_type_of(folder: Path) -> str:
    """config.json's model_type, or 'diffusers:<pipeline class>' for a diffusers folder; '' when neither."""
    for name in ("config.json", "model_index.json"):
        f = folder / name
        if f.is_file():
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return ""
            if name == "model_index.json":
                return f"diffusers:{data.get('_class_name', '')}"
            return str(data.get("model_type", ""))
    return ""


def accepts(family: Family, folder: Path) -> str | None:
    """The model type when `folder` holds this family's weights, else None."""
    mt = model_type_of(folder)
    if family.spec.weights == "hf" and mt in family.spec.model_types:
        return mt
    if family.spec.weights == "diffusers" and mt.startswith("diffusers:") and "Inpaint" in mt:
        return mt
    return None


def variant_of(family: Family, path: Path, repo_id: str = "") -> str:
    if family.spec.weights == "pth":
        m = SAM1_VARIANT.search(path.name)
        return f"vit_{m.group(1).lower()}" if m else "custom"
    for variant, repo in family.repos.items():
        rid = str(repo.get("hf", ""))
        if rid and (rid == repo_id or rid.rsplit("/", 1)[-1] == path.name):
            return variant
    return path.name


def _candidates(folder: Path) -> list[Path]:
    out = [folder]
    try:
        out += sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        pass
    return out


def _sam1_files(folder: Path) -> list[Path]:
    files = []
    for base in _candidates(folder):
        files += sorted(p for p in base.glob("*.pth") if p.is_file())
    return files


def configured_path(family: Family, settings: dict[str, Any] | None) -> Path | None:
    if not settings or not family.spec.option:
        return None
    node: Any = settings
    for part in family.settings_path.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    value = node.get(family.spec.option) if isinstance(node, dict) else None
    return Path(str(value)).expanduser() if value else None


def configured_models_dir(family: Family, settings: dict[str, Any] | None) -> str | None:
    if not settings:
        return None
    node: Any = settings
    for part in family.settings_path.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    value = node.get("models_dir") if isinstance(node, dict) else None
    return str(value) if value else None


def looked_in(family: Family, settings: dict[str, Any] | None = None) -> list[str]:
    """Where discovery looks, in order (for the listing and for errors)."""
    if family.spec.weights in ("key", "none"):
        return []
    where = []
    path = configured_path(family, settings)
    if path is not None:
        where.append(f"{path} (setting {family.settings_path}.{family.spec.option})")
    where += [loc.describe() for loc in search_order(configured_models_dir(family, settings))]
    where.append(f"{hf_cache_dir()} (hf cache)")
    return where


def discover(family: Family, settings: dict[str, Any] | None = None) -> list[Found]:
    """Every copy of this family's weights that can be found, in search order (first = what a backend uses)."""
    if family.spec.weights in ("key", "none"):
        return []
    hits: list[Found] = []
    seen: set[str] = set()

    def add(path: Path, source: str, model_type: str = "", repo_id: str = "") -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            hits.append(Found(path, variant_of(family, path, repo_id), folder_size(path), source, model_type))

    configured = configured_path(family, settings)
    if configured is not None and configured.exists():
        if family.spec.weights == "pth" and configured.is_file():
            add(configured, "setting")
        elif configured.is_dir() and (mt := accepts(family, configured)):
            add(configured, "setting", mt)
    for loc in search_order(configured_models_dir(family, settings)):
        if not loc.exists:
            continue
        if family.spec.weights == "pth":
            for f in _sam1_files(loc.path):
                add(f, loc.source)
            continue
        for folder in _candidates(loc.path):
            if mt := accepts(family, folder):
                add(folder, loc.source, mt)
    if family.spec.weights != "pth":
        for repo_id, snap in hf_cache_snapshots():
            if mt := accepts(family, snap):
                add(snap, "hf cache", mt, repo_id)
    return hits
