"""`sam-sculpt models download NAME [--variant V] [--source hf|modelscope] [--dest DIR]`."""

from __future__ import annotations

import argparse

HELP = ("download a family's weights into the models folder: Hugging Face (HF_ENDPOINT mirror, HF_TOKEN), "
        "ModelScope, or the official SAM 1 URLs; resumable, checked, renamed into place when complete")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="a family: sam, sam-hf, sam2, sam-hq, edgetam, sam3, qwen, qwen3, clip, sd")
    p.add_argument("--variant", help="which one (default: the catalogue's default; `models list NAME` shows them)")
    p.add_argument("--source", default="hf", choices=["hf", "modelscope"], help="where repo ids are fetched from")
    p.add_argument("--dest", help="the models folder to download into (default: the first existing one of the "
                   "search order, else the user data dir)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds without an answer before giving up (per request)")
    p.add_argument("--deadline", type=float, help="wall-clock seconds for the whole download (partial files kept)")
    p.add_argument("--dry-run", action="store_true", help="only say what would be downloaded where")


def run(args: argparse.Namespace, settings: dict) -> int:
    from engine.models.download import download, plan, target_root
    from engine.models.families import get_family
    from engine.models.progress import ProgressHook

    fam = get_family(args.name)
    p = plan(fam, args.variant, args.source, target_root(args.dest))
    print(f"{fam.name} {p.variant}: {p.repo} ({p.source}) -> {p.dest}")
    if args.dry_run:
        return 0
    path = download(p, ProgressHook(deadline_s=args.deadline), timeout_s=args.timeout)
    option = f"{fam.settings_path}.{fam.spec.option}" if fam.spec.option else ""
    print(f"downloaded: {path}")
    if option:
        print(f"discovery finds it there; or point at it with --set {option}={path}")
    return 0
