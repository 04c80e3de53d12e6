"""Every file the program reads at run time that is not code: settings defaults, the backend
catalogue, prompt templates, icons, translations (resources/) and the bundled samples used by
`--name demo` (auxiliary/).

In the repository they stay in the top-level folders resources/ and auxiliary/. The wheel installs
them as the packages `sam_sculpt_resources` and `sam_sculpt_samples` (pyproject maps the folders;
every file below them is included by glob, so a new prompt or translation needs no packaging edit).
They are found through importlib.resources; a plain checkout that was never installed falls back to
the folders next to engine/. Nothing here imports anything beyond the standard library."""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

RESOURCES_PACKAGE = "sam_sculpt_resources"
SAMPLES_PACKAGE = "sam_sculpt_samples"
_CHECKOUT = Path(__file__).resolve().parent.parent


def _package_dir(package: str, checkout_folder: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        root = None
    if root is not None:
        path = Path(str(root))
        if path.is_dir():
            return path
    return _CHECKOUT / checkout_folder


@cache
def resources_dir() -> Path:
    """The root of resources/ (installed: site-packages/sam_sculpt_resources)."""
    return _package_dir(RESOURCES_PACKAGE, "resources")


@cache
def samples_dir() -> Path:
    """The bundled samples (aux layout: images/, gt/, box_out/, llm_out/) used by `--name demo`."""
    return _package_dir(SAMPLES_PACKAGE, "auxiliary")


def resource_path(*parts: str) -> Path:
    """A path below resources/, e.g. resource_path("prompts", "anchors.txt")."""
    return resources_dir().joinpath(*parts)


def settings_defaults_path() -> Path:
    return resource_path("settings", "defaults.json")


def catalogue_path() -> Path:
    return resource_path("catalogue.json")


def prompts_dir() -> Path:
    return resource_path("prompts")


def translations_dir() -> Path:
    return resource_path("translations")


def icons_dir() -> Path:
    return resource_path("icons")


def default_aux_dir(cwd: Path | None = None) -> Path:
    """Where `--name NAME` / `--samples` look by default: ./auxiliary when the working folder has
    one (a checkout, or the user's own aux-layout folder), else the bundled samples."""
    local = (cwd or Path.cwd()) / "auxiliary"
    return local if (local / "images").is_dir() else samples_dir()
