"""Every backend and model family `sam-sculpt models` knows, with what it needs (weights / an API key / a
package extra) and how discovery recognises its weights. Built from resources/catalogue.json plus the
table below; nothing heavy is imported (package status comes from importlib.util.find_spec)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any

from engine.registry import load_catalogue

# where each catalogue kind keeps its options in the settings
SETTINGS_SECTION = {"segmenters": "segmenter.options", "critics": "critic.options",
                    "localisers": "edit.localiser.options", "inpainters": "edit.inpainter.options"}


@dataclass(frozen=True)
class FamilySpec:
    weights: str  # "pth" (a SAM 1 checkpoint file) | "hf" (a folder with config.json) | "diffusers" | "key" | "none"
    packages: tuple[str, ...] = ()  # import names whose presence says the extra is installed
    model_types: tuple[str, ...] = ()  # config.json model_type values accepted (hf)
    option: str = ""  # the backend option naming the weights (checkpoint / model_dir / model_path)
    key_env: str = ""  # API key environment variable
    backend: str = ""  # registry name when it differs from the family name (qwen3 -> qwen)
    kind: str = ""  # catalogue kind when the family is not itself a catalogue entry


SPECS: dict[str, FamilySpec] = {
    "sam": FamilySpec("pth", ("torch", "segment_anything"), option="checkpoint"),
    "sam-hf": FamilySpec("hf", ("torch", "transformers"), ("sam",), "model_dir"),
    "sam2": FamilySpec("hf", ("torch", "transformers"), ("sam2", "sam2_video"), "model_dir"),
    "sam-hq": FamilySpec("hf", ("torch", "transformers"), ("sam_hq",), "model_dir"),
    "edgetam": FamilySpec("hf", ("torch", "transformers", "timm"), ("edgetam", "edgetam_video"), "model_dir"),
    "sam3": FamilySpec("hf", ("torch", "transformers"), ("sam3_video", "sam3"), "model_dir"),
    "qwen": FamilySpec("hf", ("torch", "transformers", "qwen_vl_utils"), ("qwen2_5_vl",), "model_path"),
    "qwen3": FamilySpec("hf", ("torch", "transformers", "qwen_vl_utils"), ("qwen3_vl", "qwen3_vl_moe"), "model_path",
                        backend="qwen", kind="critics"),
    "dashscope": FamilySpec("key", ("dashscope",), key_env="DASHSCOPE_API_KEY"),
    "openai": FamilySpec("key", ("openai",), key_env="OPENAI_API_KEY"),
    "clip": FamilySpec("hf", ("torch", "transformers"), ("clip",), "model_dir"),
    "sd": FamilySpec("diffusers", ("torch", "diffusers"), option="model_dir"),
}
ORDER = ["sam", "sam-hf", "sam2", "sam-hq", "edgetam", "sam3", "qwen", "qwen3", "dashscope", "openai", "clip", "sd"]


@dataclass(frozen=True)
class Family:
    name: str  # what the user types: `models check qwen3`
    kind: str  # segmenters | critics | localisers | inpainters
    backend: str  # the registry name that runs it
    spec: FamilySpec
    entry: dict[str, Any] = field(default_factory=dict)  # the catalogue entry of the backend

    @property
    def extra(self) -> str:
        return str(self.entry.get("extra", ""))

    @property
    def needs(self) -> str:
        if self.spec.weights == "key":
            return f"an API key ({self.spec.key_env} or the OS keyring)"
        if self.spec.weights == "none":
            return "nothing (no weights)"
        return "weights"

    @property
    def settings_path(self) -> str:
        return f"{SETTINGS_SECTION.get(self.kind, self.kind)}.{self.backend}"

    @property
    def repos(self) -> dict[str, dict[str, Any]]:
        """Downloadable variants: {variant: {"hf": id, "modelscope": id, "url": ..., "sha256": ..., ...}}."""
        repos = dict(self.entry.get("repos") or {})
        return {v: r for v, r in repos.items() if r.get("family", self.backend) == self.name}

    @property
    def default_variant(self) -> str | None:
        repos = self.repos
        default = self.entry.get("default_variant")
        if default in repos:
            return str(default)
        return next(iter(repos), None)

    def packages_missing(self) -> list[str]:
        return [p for p in self.spec.packages if not package_installed(p)]


def package_installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def all_families() -> list[Family]:
    """Every catalogue backend (all kinds) plus the families that share a backend (qwen3), known ones first."""
    catalogue = load_catalogue()
    found: dict[str, Family] = {}
    for kind, entries in catalogue.items():
        if kind not in SETTINGS_SECTION:
            continue
        for name, entry in entries.items():
            spec = SPECS.get(name) or FamilySpec("none" if str(entry.get("weights", "")).startswith("none") else "hf")
            found[name] = Family(name, kind, name, spec, entry)
    for name, spec in SPECS.items():
        if name not in found and spec.backend:
            entry = catalogue.get(spec.kind, {}).get(spec.backend, {})
            found[name] = Family(name, spec.kind, spec.backend, spec, entry)
    rank = {n: i for i, n in enumerate(ORDER)}
    return sorted(found.values(), key=lambda f: (rank.get(f.name, len(rank)), f.kind, f.name))


def get_family(name: str) -> Family:
    from engine.errors import InputError

    for fam in all_families():
        if fam.name == name:
            return fam
    known = ", ".join(f.name for f in all_families())
    raise InputError(f"unknown model family '{name}' (known: {known})")
