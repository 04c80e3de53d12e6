"""Options shared by sculpt, batch and bench, and how they override the settings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.settings import load_settings


def add_sculpt_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sculpting (defaults from resources/settings/defaults.json, then your settings.json)")
    g.add_argument("--segmenter", help="segmenter backend (grabcut, sam, sam-hf, ...)")
    g.add_argument("--critic", help="critic backend (heuristic, oracle, qwen, dashscope, openai, ...)")
    g.add_argument("--strategy", choices=["anchors", "direct"],
                   help="anchors: the critic picks anchors, then judges a square at each (default); direct: it proposes points")
    g.add_argument("--rounds", type=int, help="critic rounds (default 1; 0 = the segmenter only)")
    g.add_argument("--ratio", type=float, help="square side / ROI short side")
    g.add_argument("--min-square-side", type=int, help="lower clamp of the square side in pixels")
    g.add_argument("--anchors-k", type=int, help="anchors chosen per round")
    g.add_argument("--max-points", type=int, help="strategy direct: points per round")
    g.add_argument("--vlm-max-side", type=int, help="long side of images sent to a VLM")
    g.add_argument("--local-gating", action="store_true", default=None, help="the mask may change only near edited anchors")
    g.add_argument("--verdict", choices=["on", "off", "record"],
                   help="after each round the critic judges better/worse/same; on: a worse round is reverted (default)")
    g.add_argument("--settings", type=Path, help="a settings.json to use instead of the user's")
    g.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override any setting, e.g. --set segmenter.options.sam.checkpoint=models/sam_vit_b_01ec64.pth")


def _parse_value(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # not JSON (or a 5,000-digit integer): the text itself
        return text


def parse_set_items(items: list[str], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """`--set a.b.c=VALUE` items as a nested override dict (VALUE read as JSON, else as a string)."""
    overrides = overrides if overrides is not None else {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--set {item!r}: expected SECTION.KEY=VALUE")
        dotted, value = item.split("=", 1)
        parts = dotted.strip().split(".")
        if not all(parts):
            raise InputError(f"--set {item!r}: expected SECTION.KEY=VALUE (an empty name in {dotted!r})")
        node = overrides
        for i, part in enumerate(parts[:-1]):
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise InputError(f"--set {item!r}: {'.'.join(parts[:i + 1])} was already set to a value, not a section")
            node = nxt
        node[parts[-1]] = _parse_value(value)
    return overrides


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {"sculpt": {}}
    for key in ("strategy", "rounds", "ratio", "min_square_side", "anchors_k", "max_points", "vlm_max_side", "local_gating",
                "verdict"):
        value = getattr(args, key, None)
        if value is not None:
            overrides["sculpt"][key] = value
    if getattr(args, "segmenter", None):
        overrides["segmenter"] = {"name": args.segmenter}
    if getattr(args, "critic", None):
        overrides["critic"] = {"name": args.critic}
    parse_set_items(getattr(args, "set", []) or [], overrides)
    user = getattr(args, "settings", None)
    settings = load_settings(user_path=user, overrides=overrides, require_user_file=user is not None,
                             overrides_source="command line (--set and options)")
    from engine.io.images import set_pixel_limit

    set_pixel_limit(settings["io"]["max_pixels"])  # every image and mask read, not only the main image
    return settings
