"""What the benchmark scripts share: where the CAMO test set and the results live, the lines a benchmark
prints when the set is absent, the set's pairs.jsonl, and the grabcut settings the critic benchmarks use.
Imported as `benchmarks.common` (each script puts the checkout root on sys.path first)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "camo-test"
RESULTS = ROOT / "benchmarks" / "results"


def camo_missing(found: bool, path: Path) -> bool:
    """True, after the skip line naming `path` and `SUMMARY skipped=1`, when the set was not `found`."""
    if found:
        return False
    print(f"skipped: {path} not found (the CAMO test set lives in ../shared/data/camo-test)")
    print("SUMMARY skipped=1")
    return True


def read_pairs(pairs_file: Path) -> list[dict[str, Any]]:
    """The records of a pairs.jsonl (image, mask, box per line; blank lines skipped)."""
    return [json.loads(line) for line in pairs_file.read_text().splitlines() if line.strip()]


def grabcut_settings(grabcut_side: int | None) -> dict[str, Any]:
    """The settings with the grabcut segmenter (at `grabcut_side` when given) and the direct strategy."""
    from engine.settings import load_settings

    over: dict[str, Any] = {"segmenter": {"name": "grabcut"}, "sculpt": {"strategy": "direct"}}
    if grabcut_side:
        over["segmenter"]["options"] = {"grabcut": {"max_side": grabcut_side}}
    return load_settings(overrides=over)
