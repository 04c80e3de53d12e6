"""The rows of `sam-sculpt models` (and of the GUI's Models dialog): per family what it needs, whether its
packages are installed, where discovery looked and what it found. No torch/transformers import."""

from __future__ import annotations

import os
from typing import Any

from engine.models.discovery import discover, hf_cache_dir, looked_in
from engine.models.families import Family, all_families
from engine.models.locations import search_order_table


def key_status(family: Family) -> str:
    """Whether the API key is in its environment variable (the value itself is never read out)."""
    env = family.spec.key_env
    if not env:
        return ""
    return f"set in {env}" if os.environ.get(env) else f"not in {env} (the OS keyring is not checked here)"


def family_row(family: Family, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    missing = family.packages_missing()
    found = discover(family, settings)
    if not found:  # a backend with its own kind of weights (an ONNX pair): its own finder
        from engine.models.discovery import Found, folder_size
        from engine.models.listing_choices import other_weights

        if hit := other_weights(family.name, settings):
            found = [Found(hit[0], hit[0].name.split(".")[0], folder_size(hit[0]), hit[1])]
    if family.spec.weights == "key":
        status = "ready" if os.environ.get(family.spec.key_env) and not missing else "needs a key"
    elif family.spec.weights == "none":
        status = "ready"
    else:
        status = "found" if found else "not found"
    if missing:
        status = "package missing"
    return {
        "family": family.name, "kind": family.kind[:-1], "backend": family.backend, "needs": family.needs,
        "extra": family.extra, "installed": not missing, "missing_packages": missing,
        "install": f"pip install -e '.[{family.extra}]'" if missing and family.extra else "",
        "status": status, "found": [f.as_dict() for f in found], "looked_in": looked_in(family, settings),
        "key": key_status(family), "settings": f"{family.settings_path}.{family.spec.option}" if family.spec.option else "",
        "variants": list(family.repos), "default_variant": family.default_variant,
    }


def list_rows(settings: dict[str, Any] | None = None, names: list[str] | None = None) -> list[dict[str, Any]]:
    return [family_row(f, settings) for f in all_families() if not names or f.name in names]


def render_text(rows: list[dict[str, Any]], where: bool = False) -> str:
    lines = []
    width = max((len(r["family"]) for r in rows), default=8)
    for r in rows:
        pkg = "installed" if r["installed"] else f"missing {', '.join(r['missing_packages'])}: {r['install']}"
        extra = f"[{r['extra']}] " if r["extra"] else ""
        lines.append(f"{r['family']:<{width}}  {r['kind']:<10} {r['status']:<15} needs {r['needs']}; {extra}{pkg}")
        for f in r["found"]:
            lines.append(f"{'':<{width}}    found {f['path']} (variant {f['variant']}, {f['size_mb']:.1f} MB, {f['source']})")
        if r["key"]:
            lines.append(f"{'':<{width}}    key {r['key']}")
        if r["variants"] and r["status"] in ("not found", "package missing"):
            lines.append(f"{'':<{width}}    download: sam-sculpt models download {r['family']} "
                         f"[--variant {'|'.join(r['variants'])}]")
        if where and r["looked_in"]:
            lines.append(f"{'':<{width}}    looked in: " + "; ".join(r["looked_in"]))
    lines.append("")
    lines.append("models folders, in search order:")
    for loc in search_order_table():
        lines.append(f"  {loc['path']} ({loc['source']}{'' if loc['exists'] else ', missing'})")
    lines.append(f"  {hf_cache_dir()} (hf cache, read-only)")
    return "\n".join(lines)
