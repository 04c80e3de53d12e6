"""Refresh the window's translation catalogue and compile it:

    .venv/bin/python scripts/update_translations.py          # lupdate (gui/**/*.py -> .ts), then lrelease (.ts -> .qm)
    .venv/bin/python scripts/update_translations.py --check  # exit 1 when a message is unfinished

pyside6-lupdate keeps the translations already in the .ts and marks new or changed strings
"unfinished"; translate those (Qt Linguist: `pyside6-linguist resources/translations/*.ts`, or by
hand), then run this again to compile the .qm that the package ships."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "resources" / "translations"
LANGS = ("zh_CN",)


def tool(name: str) -> str:
    here = Path(sys.executable).with_name(name)
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: it ships with PySide6 (pip install PySide6)")
    return found


def unfinished(ts: Path) -> list[str]:
    root = ET.parse(ts).getroot()
    out = []
    for ctx in root.iter("context"):
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("unfinished",) or not ("".join(tr.itertext()).strip()):
                if tr is not None and tr.get("type") in ("obsolete", "vanished"):
                    continue
                out.append(f"{ctx.findtext('name')}: {msg.findtext('source')}")
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="only report unfinished messages")
    args = p.parse_args()
    sources = sorted(str(f.relative_to(ROOT)) for f in (ROOT / "gui").rglob("*.py"))
    status = 0
    for lang in LANGS:
        ts = TS_DIR / f"sam_sculpt_{lang}.ts"
        if not args.check:
            TS_DIR.mkdir(parents=True, exist_ok=True)
            subprocess.run([tool("pyside6-lupdate"), *sources, "-no-obsolete", "-locations", "none",
                            "-target-language", lang, "-ts", str(ts)], check=True, cwd=ROOT)
        missing = unfinished(ts)
        for m in missing:
            print(f"unfinished ({lang}): {m}")
        status = status or int(bool(missing))
        if not args.check:
            subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True, cwd=ROOT)
    return status


if __name__ == "__main__":
    sys.exit(main())
