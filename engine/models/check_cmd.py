"""`sam-sculpt models check NAME [--path P] [--device D]`."""

from __future__ import annotations

import argparse
import json

HELP = "load a family's model through the normal backend, run one tiny forward, print load time, memory and device"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="a family (see `models list`)")
    p.add_argument("--path", help="the weights to check (default: the configured or discovered ones)")
    p.add_argument("--device", help="cpu, cuda, cuda:1, mps (default: the backend's auto)")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, settings: dict) -> int:
    from dataclasses import asdict

    from engine.models.check import check
    from engine.models.families import get_family

    fam = get_family(args.name)
    result = check(fam, settings, args.path, args.device)
    if args.json:
        print(json.dumps(asdict(result), default=str, indent=1))
    else:
        print("\n".join(result.lines()))
    return 0
