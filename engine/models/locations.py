"""Where the user's model weights live: one documented search order, shown by `sam-sculpt models`
and in every "no weights found" error.

Search order (every folder is listed for the user; discovery, `discover()`, takes the first folder whose
finder hits, and searches only the explicit folder when one is set, so a typo is reported, not skipped):
  1. the explicit setting (`models_dir` option / `--set segmenter.options.<name>.models_dir=...`, or
     `--models-dir` on a command),
  2. the `SAM_SCULPT_MODELS` environment variable (one folder, or several joined by os.pathsep),
  3. the per-user data folder from platformdirs (e.g. ~/.local/share/sam-sculpt/models on Linux),
  4. `./models` of a source checkout (the repository's models/ folder, only when running from one).

Only the standard library and platformdirs are imported here (the base install)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

ENV_VAR = "SAM_SCULPT_MODELS"
APP_NAME = "sam-sculpt"


@dataclass(frozen=True)
class ModelLocation:
    """One folder of the search order and where it came from."""

    path: Path
    source: str  # "setting" | "env SAM_SCULPT_MODELS" | "user data dir" | "checkout"

    @property
    def exists(self) -> bool:
        return self.path.is_dir()

    def describe(self) -> str:
        return f"{self.path} ({self.source}{'' if self.exists else ', missing'})"


def user_models_dir() -> Path:
    """The per-user models folder (platformdirs user data dir / models); may not exist yet."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "models"


def checkout_models_dir() -> Path | None:
    """`<checkout>/models` when this code runs from a source checkout (pyproject.toml next to engine/),
    None for an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "engine").is_dir():
        return root / "models"
    return None


def search_order(explicit: str | os.PathLike[str] | None = None) -> list[ModelLocation]:
    """Every candidate folder, in search order, with its source (duplicates removed, missing kept)."""
    out: list[ModelLocation] = []
    if explicit:
        out.append(ModelLocation(Path(explicit).expanduser(), "setting"))
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        for part in env.split(os.pathsep):
            if part.strip():
                out.append(ModelLocation(Path(part.strip()).expanduser(), f"env {ENV_VAR}"))
    out.append(ModelLocation(user_models_dir(), "user data dir"))
    checkout = checkout_models_dir()
    if checkout is not None:
        out.append(ModelLocation(checkout, "checkout"))
    seen: set[str] = set()
    unique = []
    for loc in out:
        key = os.path.normcase(os.path.abspath(loc.path))
        if key not in seen:
            seen.add(key)
            unique.append(loc)
    return unique


def existing_dirs(explicit: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders of the search order that exist, in order."""
    return [loc.path for loc in search_order(explicit) if loc.exists]


def find_models_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The first existing folder of the search order, or None."""
    dirs = existing_dirs(explicit)
    return dirs[0] if dirs else None


def find_in_locations(finder: Callable[[Path], Path | None],
                      explicit: str | os.PathLike[str] | None = None) -> tuple[Path, ModelLocation] | None:
    """Run `finder(folder)` on each existing folder in order; the first hit and the folder it came from.
    Use this for discovery ("the first folder that holds a SAM checkpoint"), so an empty folder early
    in the order does not hide weights later in it."""
    for loc in search_order(explicit):
        if loc.exists:
            hit = finder(loc.path)
            if hit is not None:
                return hit, loc
    return None


def describe_search(explicit: str | os.PathLike[str] | None = None) -> str:
    """One line for errors: 'searched: A (setting), B (user data dir, missing), ...'."""
    return "searched: " + ", ".join(loc.describe() for loc in search_order(explicit))


def search_order_table(explicit: str | os.PathLike[str] | None = None) -> list[dict[str, str | bool]]:
    """Rows for `sam-sculpt models` (JSON-friendly)."""
    return [{"path": str(loc.path), "source": loc.source, "exists": loc.exists} for loc in search_order(explicit)]


def discover(finder: Callable[[Path], Path | None],
             explicit: str | os.PathLike[str] | None = None) -> tuple[Path | None, str]:
    """Discovery for a backend: `finder(folder)` on the explicit folder alone when it is set (a typo is
    reported, not skipped), else on each existing folder of the search order. Returns (hit or None,
    "searched: ..." for the error message)."""
    if explicit:
        folder = Path(explicit).expanduser()
        hit = finder(folder) if folder.is_dir() else None
        return hit, f"searched: {folder} (setting{'' if folder.is_dir() else ', missing'})"
    found = find_in_locations(finder)
    return (found[0] if found else None), describe_search()
