"""`sam-sculpt <command>` (== `python main.py <command>`): every module in engine/cli/commands/ that
defines COMMAND, HELP, add_arguments(parser) and run(args) -> int is a subcommand. Errors end as one
line, exit code 2.

Start-up stays light: the top-level help reads COMMAND / HELP / ORDER from each module's source
(literal assignments) without importing it, and only the chosen command's module is imported. A
command module must import heavy packages (torch, pycocotools, ...) inside run(), so its --help works
on the base install."""

from __future__ import annotations

import argparse
import ast
import importlib
import logging
import pkgutil
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from engine.errors import SculptError

log = logging.getLogger("sam_sculpt")
PROG = "sam-sculpt"
COMMANDS_PACKAGE = "engine.cli.commands"
# Options of the annotation window (gui/app.py); with one of them and no command the window opens.
WINDOW_OPTIONS = ("--open", "--out", "--work", "--layout", "--recover", "--no-recover", "--lang", "--theme", "--settings",
                  "--gt-instances")
# The packages whose versions --version reports (the backends each extra brings).
BACKEND_PACKAGES = ("numpy", "opencv-python-headless", "pillow", "pydantic", "torch", "torchvision", "segment-anything",
                    "transformers", "accelerate", "onnxruntime", "onnx", "openai", "dashscope", "keyring", "diffusers",
                    "open-clip-torch", "PySide6-Essentials", "pycocotools", "pysodmetrics", "matplotlib", "ray")
WINDOW_HELP = (
    "the annotation window opens when no command is given: `sam-sculpt` (the bundled samples), "
    "`sam-sculpt --open DIR [--layout auto|aux|cod|folder] [--out DIR] [--work DIR] [--recover|--no-recover] "
    "[--lang en|zh_CN] [--theme auto|light|dark] [--settings FILE] [--gt-instances DIR]`, "
    "or `sam-sculpt gui --help` for the window's options "
    "(needs the gui extra: pip install 'sam-sculpt[gui]')."
)


@dataclass(frozen=True)
class CommandInfo:
    command: str
    help: str
    order: int
    module: str


def _literal_info(path: Path, module: str) -> CommandInfo | None:
    """COMMAND / HELP / ORDER read from the module's source; None when not all are literals."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("COMMAND", "HELP", "ORDER"):
                try:
                    found[name] = ast.literal_eval(node.value)
                except ValueError:
                    return None
    if "COMMAND" not in found:
        return None if any(n in found for n in ("HELP", "ORDER")) else CommandInfo("", "", 0, module)
    return CommandInfo(str(found["COMMAND"]), str(found.get("HELP", "")), int(found.get("ORDER", 50)), module)  # type: ignore[arg-type]


@cache
def command_infos() -> tuple[CommandInfo, ...]:
    """Every subcommand, sorted by ORDER, without importing the modules (falls back to importing one
    whose COMMAND / HELP are not literals)."""
    pkg = importlib.import_module(COMMANDS_PACKAGE)
    infos = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = f"{COMMANDS_PACKAGE}.{info.name}"
        path = Path(info.module_finder.path) / f"{info.name}.py"  # type: ignore[union-attr]
        if info.ispkg:
            path = Path(info.module_finder.path) / info.name / "__init__.py"  # type: ignore[union-attr]
        ci = _literal_info(path, module) if path.is_file() else None
        if ci is None:
            mod = importlib.import_module(module)
            ci = CommandInfo(getattr(mod, "COMMAND", ""), getattr(mod, "HELP", ""), getattr(mod, "ORDER", 50), module)
        if ci.command:
            infos.append(ci)
    return tuple(sorted(infos, key=lambda c: (c.order, c.command)))


def command_names() -> list[str]:
    return [c.command for c in command_infos()]


def _command_modules() -> list[ModuleType]:
    """Every command module, imported (kept for callers that want them all)."""
    return [importlib.import_module(c.module) for c in command_infos()]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the whole usage block
        sys.stderr.write(f"error: {self.prog}: {message} (see --help)\n")
        raise SystemExit(2)


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text() + "\n")
        raise SystemExit(0)


def version_text() -> str:
    """`sam-sculpt X.Y.Z (python A.B.C)` and one line per installed backend package."""
    from engine.version import __version__, package_version

    lines = [f"{PROG} {__version__} (python {sys.version.split()[0]})"]
    for name in BACKEND_PACKAGES:
        v = package_version(name)
        if v:
            lines.append(f"  {name} {v}")
    missing = [n for n in BACKEND_PACKAGES if not package_version(n)]
    if missing:
        lines.append(f"  not installed: {', '.join(missing)}")
    return "\n".join(lines)


def _base_parser() -> _Parser:
    parser = _Parser(prog=PROG, description="SAM Sculpt: sculpt camouflaged-object masks with a segmenter and a critic.",
                     epilog=f"Window: {WINDOW_HELP} Each command has its own --help.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action=_VersionAction, help="print the version and the installed backend packages")
    return parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser. With `only`, just that command's module is imported (others are listed by name
    and help); without it every command module is imported and fully configured."""
    parser = _base_parser()
    sub = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    for ci in command_infos():
        p = sub.add_parser(ci.command, help=ci.help, description=ci.help)
        if only is None or ci.command == only:
            mod = importlib.import_module(ci.module)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    sub.add_parser("gui", help="open the annotation window (also: no command, or only window options)",
                   description=WINDOW_HELP, add_help=False)
    return parser


def _chosen_command(argv: list[str]) -> str | None:
    names = set(command_names())
    for tok in argv:
        if tok in names:
            return tok
        if not tok.startswith("-"):
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=_chosen_command(argv) or "")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except SculptError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except OSError as exc:  # disk full, read-only folder...: one line naming the file (engine.io.atomic.WriteError)
        where = f"{exc.filename}: " if exc.filename and str(exc.filename) not in str(exc) else ""
        sys.stderr.write(f"error: {where}{exc}\n".splitlines()[0] + "\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    from engine.process_env import prefer_huge_pages

    prefer_huge_pages()  # as the launcher does (this route skips it)
    raise SystemExit(main())
