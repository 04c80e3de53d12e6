"""Check a user's local model folder before handing it to from_pretrained, so a wrong path is one
clear line naming the folder instead of a hub lookup or a long traceback."""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError


def check_model_dir(path: str | Path | None, kind: str, marker: str, flag: str) -> Path:
    if path is None or str(path).strip() == "":
        raise InputError(f"{kind} needs a local model folder: pass {flag} DIR")
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{p}: {kind} model folder not found ({flag})")
    if not p.is_dir():
        raise InputError(f"{p}: {kind} model path is a file; {flag} expects the folder save_pretrained wrote")
    if not (p / marker).exists():
        raise InputError(f"{p}: not a {kind} model folder (no {marker}; {flag} expects the folder save_pretrained wrote)")
    return p.resolve()
