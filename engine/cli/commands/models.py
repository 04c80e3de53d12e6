"""`sam-sculpt models [list|check|download|export-onnx]`: find, check and download model weights.

Each subcommand lives in a small module under engine/models/ with add_arguments(parser), run(args, settings)
and HELP; they are imported lazily, so `models` / `models list` never imports torch."""

from __future__ import annotations

import argparse
import importlib

from engine.cli.options import settings_from_args
from engine.errors import BackendError

COMMAND = "models"
HELP = "list, check and download model weights (sam, sam2, sam-hq, edgetam, sam3, qwen, qwen3, clip, sd, ...)"
ORDER = 80
# subcommand -> module under engine.models; export-onnx is H3's engine/models/export_onnx_cmd.py (run(args) only)
SUBCOMMANDS = {"list": "list_cmd", "check": "check_cmd", "download": "download_cmd", "export-onnx": "export_onnx_cmd"}
HELPS = {"list": "list every family: needs, package, where it looked, what it found (the default)",
         "check": "load a family's model, run one tiny forward, print load time, memory and device",
         "download": "download a family's weights into the models folder (Hugging Face, ModelScope or the SAM URLs)",
         "export-onnx": "export a SAM checkpoint to ONNX"}


def _module(sub: str):
    return importlib.import_module(f"engine.models.{SUBCOMMANDS[sub]}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--settings", type=__import__("pathlib").Path, help="a settings.json to use instead of the user's")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override any setting")
    sub = p.add_subparsers(dest="models_command", metavar="<subcommand>")
    for name in SUBCOMMANDS:
        try:
            mod = _module(name)
        except ImportError:  # export-onnx until its module exists
            continue
        sp = sub.add_parser(name, help=getattr(mod, "HELP", HELPS[name]), description=getattr(mod, "HELP", HELPS[name]))
        mod.add_arguments(sp)
    p.set_defaults(models_command=None)


def run(args: argparse.Namespace) -> int:
    sub = args.models_command or "list"
    if sub == "list" and not hasattr(args, "names"):
        args.names, args.json, args.where = [], False, False
    mod = _module(sub)
    if sub == "export-onnx":
        return int(mod.run(args) or 0)
    try:
        settings = settings_from_args(args)
    except OSError as exc:
        raise BackendError(f"settings: {exc}") from exc
    return int(mod.run(args, settings) or 0)
