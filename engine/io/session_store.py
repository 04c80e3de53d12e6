"""A plain, versioned on-disk snapshot: a JSON document plus named numpy arrays. Never pickle.

API (used by gui/autosave.py, and by anything else that saves a session: e.g. an ImageSession)
    save_snapshot(folder, doc, arrays=None, kind="session")
        folder/snapshot.json  {"format": "sam-sculpt-snapshot", "version": 1, "kind": kind,
                               "arrays_file": "arrays-<nonce>.npz", "arrays": {name: {"dtype", "shape"}},
                               "doc": doc}
        folder/arrays-<nonce>.npz   the arrays (np.savez_compressed); older NPZ files are removed after
        Both writes are atomic and the JSON is written last, so a crash leaves the previous snapshot whole.
        `doc` must be JSON data (dict/list/str/int/float/bool/None); `arrays` maps names to numpy arrays
        of plain dtypes (bool, ints, floats). For engine dataclasses use engine.io.snapshot_codec.encode()
        first (or save_objects below).
    load_snapshot(folder, kind=None, max_elements=...) -> (doc, arrays) | None
        None when the folder holds no snapshot; SnapshotError (an InputError: one line naming the file)
        when it is damaged, foreign, of another kind, or from a newer version. Arrays are read with
        allow_pickle=False after their headers are checked against the manifest and a size limit.
    save_objects(folder, obj, kind) / load_objects(folder, kind) -> obj | None
        the same with engine.io.snapshot_codec's encoding of plain engine data (Box, Point, Round, ...).
    A legacy or foreign *.pkl in the folder is never opened: one log line says it was ignored.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.lib.format as npformat

from engine.io.atomic import write_bytes, write_json
from engine.io.snapshot_codec import ALLOWED_DTYPES, SnapshotError, decode, encode

log = logging.getLogger("sam_sculpt.store")
FORMAT = "sam-sculpt-snapshot"
VERSION = 1
SNAPSHOT_FILE = "snapshot.json"
MAX_DOC_BYTES = 64 * 2**20
MAX_ELEMENTS = 2_000_000_000  # all arrays together
_logged_pickles: set[str] = set()

__all__ = ["SNAPSHOT_FILE", "SnapshotError", "has_snapshot", "ignore_pickles", "load_objects", "load_snapshot",
           "remove_snapshot", "save_objects", "save_snapshot"]


def has_snapshot(folder: str | Path) -> bool:
    return (Path(folder) / SNAPSHOT_FILE).is_file()


def ignore_pickles(folder: str | Path) -> list[Path]:
    """Pickle files in `folder`: never opened; each is named once in the log."""
    found = sorted(Path(folder).glob("*.pkl")) if Path(folder).is_dir() else []
    for p in found:
        if str(p) not in _logged_pickles:
            _logged_pickles.add(str(p))
            log.warning("%s: pickle file ignored (never opened: it could run code); this version saves snapshot.json", p)
    return found


def save_snapshot(folder: str | Path, doc: Any, arrays: dict[str, np.ndarray] | None = None,
                  kind: str = "session") -> None:
    folder = Path(folder)
    arrays = dict(arrays or {})
    manifest: dict[str, dict[str, Any]] = {}
    for name, a in arrays.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise SnapshotError(f"{folder}: array name {name!r} must be an identifier")
        a = np.asarray(a)
        if a.dtype.name not in ALLOWED_DTYPES:
            raise SnapshotError(f"{folder}: array {name} has dtype {a.dtype}; only plain numbers and bools are stored")
        arrays[name] = a
        manifest[name] = {"dtype": a.dtype.name, "shape": list(a.shape)}
    try:
        json.dumps(doc, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SnapshotError(f"{folder}: the snapshot document is not plain JSON ({exc})") from None
    arrays_file = f"arrays-{secrets.token_hex(6)}.npz"
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    write_bytes(folder / arrays_file, buf.getvalue())
    write_json(folder / SNAPSHOT_FILE, {"format": FORMAT, "version": VERSION, "kind": kind, "arrays_file": arrays_file,
                                        "arrays": manifest, "doc": doc})
    for old in folder.glob("arrays-*.npz"):
        if old.name != arrays_file:
            old.unlink(missing_ok=True)


def load_snapshot(folder: str | Path, kind: str | None = None,
                  max_elements: int = MAX_ELEMENTS) -> tuple[Any, dict[str, np.ndarray]] | None:
    folder = Path(folder)
    ignore_pickles(folder)
    path = folder / SNAPSHOT_FILE
    if not path.is_file():
        return None
    head = _read_head(path)
    if kind is not None and head.get("kind") != kind:
        raise SnapshotError(f"{path}: a {head.get('kind')!r} snapshot, not {kind!r}")
    manifest = head.get("arrays")
    arrays_file = head.get("arrays_file")
    if not isinstance(manifest, dict) or not isinstance(arrays_file, str) or Path(arrays_file).name != arrays_file \
            or not arrays_file.endswith(".npz"):
        raise SnapshotError(f"{path}: bad arrays manifest")
    arrays = _read_arrays(folder / arrays_file, manifest, max_elements)
    return head["doc"], arrays


def _read_head(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_DOC_BYTES:
            raise SnapshotError(f"{path}: larger than {MAX_DOC_BYTES // 2**20} MB")
        head = json.loads(raw.decode("utf-8"))
    except SnapshotError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SnapshotError(f"{path}: unreadable snapshot ({type(exc).__name__})") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise SnapshotError(f"{path}: not a SAM Sculpt snapshot")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotError(f"{path}: snapshot without a version")
    if version > VERSION:
        raise SnapshotError(f"{path}: written by a newer version (format {version}; this one reads {VERSION})")
    if version < 1 or "doc" not in head:
        raise SnapshotError(f"{path}: unsupported snapshot format {version}")
    return head


def _read_arrays(path: Path, manifest: dict[str, Any], max_elements: int) -> dict[str, np.ndarray]:
    total = 0
    for name, spec in manifest.items():
        if not isinstance(spec, dict) or spec.get("dtype") not in ALLOWED_DTYPES or not isinstance(spec.get("shape"), list) \
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in spec["shape"]):
            raise SnapshotError(f"{path}: bad manifest entry for array {name!r}")
        total += int(np.prod(spec["shape"], dtype=np.float64))
    if total > max_elements:
        raise SnapshotError(f"{path}: arrays hold {total} values, above the limit of {max_elements}")
    out: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            members = {n[:-4]: n for n in zf.namelist() if n.endswith(".npy")}
            if set(members) != set(manifest):
                raise SnapshotError(f"{path}: arrays differ from the manifest")
            for name, spec in manifest.items():
                with zf.open(members[name]) as f:
                    version = npformat.read_magic(f)
                    if version == (1, 0):
                        shape, _, dtype = npformat.read_array_header_1_0(f)  # the header only
                    elif version == (2, 0):
                        shape, _, dtype = npformat.read_array_header_2_0(f)
                    else:
                        raise SnapshotError(f"{path}: array {name} uses an unsupported .npy version {version}")
                    if dtype.hasobject or list(shape) != spec["shape"] or dtype.name != spec["dtype"]:
                        raise SnapshotError(f"{path}: array {name} does not match the manifest")
                with zf.open(members[name]) as f:
                    out[name] = npformat.read_array(f, allow_pickle=False)
    except SnapshotError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise SnapshotError(f"{path}: unreadable arrays ({type(exc).__name__}: {str(exc)[:80]})") from None
    return out


def remove_snapshot(folder: str | Path) -> None:
    folder = Path(folder)
    (folder / SNAPSHOT_FILE).unlink(missing_ok=True)
    for old in folder.glob("arrays-*.npz"):
        old.unlink(missing_ok=True)


def save_objects(folder: str | Path, obj: Any, kind: str = "session") -> None:
    doc, arrays = encode(obj)
    save_snapshot(folder, doc, arrays, kind)


def load_objects(folder: str | Path, kind: str | None = None, max_elements: int = MAX_ELEMENTS) -> Any:
    found = load_snapshot(folder, kind, max_elements)
    if found is None:
        return None
    doc, arrays = found
    return decode(doc, arrays, str(Path(folder) / SNAPSHOT_FILE))
