"""Versions recorded in provenance."""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from importlib import metadata

__version__ = "0.1.0"


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def provenance_header() -> dict:
    return {
        "tool": "sam-sculpt",
        "version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        "packages": {n: package_version(n) for n in ("numpy", "opencv-python-headless", "torch", "segment-anything", "transformers")
                     if package_version(n)},
    }
