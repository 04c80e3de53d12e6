"""`sam-sculpt models [list]`: every backend and model family, what it needs, what was found where."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "list every backend and model family: what it needs, whether its package is installed, what was found where"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="*", help="only these families (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--where", action="store_true", help="also show every place each family was looked for")


def run(args: argparse.Namespace, settings: dict) -> int:
    from engine.models.families import get_family
    from engine.models.listing import list_rows, render_text

    for name in args.names or []:
        get_family(name)  # unknown name -> one line, exit 2
    rows = list_rows(settings, args.names or None)
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(render_text(rows, where=args.where or bool(args.names)))
    return 0
