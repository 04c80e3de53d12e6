"""A plain, versioned on-disk snapshot: a JSON document plus named numpy arrays. Never pickle.

API (used by gui/autosave.py, and by anything else that saves a session: e.g. an ImageSession)
    save_snapshot(folder, doc, arrays=None, kind="session")
        writes folder/snapshot.npz, ONE zip file (one atomic write, one fsync: an autosave after each click
        stays cheap) holding
            snapshot.json   {"format": "sam-sculpt-snapshot", "version": 1, "kind": kind,
                             "arrays": {name: {"dtype", "shape", "packed"}}, "doc": doc}   (plain text:
                             `unzip -p snapshot.npz snapshot.json` shows it)
            NAME.npy        each array (bool arrays packed to bits), uncompressed
        `doc` must be JSON data (dict/list/str/int/float/bool/None); `arrays` maps identifier names to numpy
        arrays of plain dtypes (bool, ints, floats). For engine dataclasses use
        engine.io.snapshot_codec.encode() first (or save_objects below).
    load_snapshot(folder, kind=None, max_elements=...) -> (doc, arrays) | None
        None when the folder holds no snapshot; SnapshotError (an InputError: one line naming the file)
        when it is damaged, foreign, of another kind, or from a newer version. Every member's size and
        every array header is checked against the manifest and a size limit before anything is read;
        arrays are read with allow_pickle=False.
    save_objects(folder, obj, kind) / load_objects(folder, kind) -> obj | None
        the same with engine.io.snapshot_codec's encoding of plain engine data (Box, Point, Round, ...).
    has_snapshot(folder), remove_snapshot(folder)
    A legacy or foreign *.pkl in the folder is never opened: one log line says it was ignored.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.lib.format as npformat

from engine.io.atomic import write_bytes
from engine.io.snapshot_codec import ALLOWED_DTYPES, SnapshotError, decode, encode

log = logging.getLogger("sam_sculpt.store")
FORMAT = "sam-sculpt-snapshot"
VERSION = 1
SNAPSHOT_FILE = "snapshot.npz"
DOC_MEMBER = "snapshot.json"
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
            log.warning("%s: pickle file ignored (never opened: it could run code); this version saves %s",
                        p, SNAPSHOT_FILE)
    return found


def save_snapshot(folder: str | Path, doc: Any, arrays: dict[str, np.ndarray] | None = None,
                  kind: str = "session") -> None:
    folder = Path(folder)
    manifest: dict[str, dict[str, Any]] = {}
    stored: dict[str, np.ndarray] = {}
    for name, a in (arrays or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise SnapshotError(f"{folder}: array name {name!r} must be an identifier")
        a = np.asarray(a)
        if a.dtype.name not in ALLOWED_DTYPES:
            raise SnapshotError(f"{folder}: array {name} has dtype {a.dtype}; only plain numbers and bools are stored")
        packed = a.dtype == np.bool_
        manifest[name] = {"dtype": a.dtype.name, "shape": list(a.shape), "packed": packed}
        stored[name] = np.packbits(a, axis=None) if packed else np.ascontiguousarray(a)
    try:
        head = json.dumps({"format": FORMAT, "version": VERSION, "kind": kind, "arrays": manifest, "doc": doc},
                          allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise SnapshotError(f"{folder}: the snapshot document is not plain JSON ({exc})") from None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(DOC_MEMBER, head)
        for name, a in stored.items():
            with zf.open(f"{name}.npy", "w") as f:
                npformat.write_array(f, a, allow_pickle=False)
    write_bytes(folder / SNAPSHOT_FILE, buf.getvalue())


def load_snapshot(folder: str | Path, kind: str | None = None,
                  max_elements: int = MAX_ELEMENTS) -> tuple[Any, dict[str, np.ndarray]] | None:
    folder = Path(folder)
    ignore_pickles(folder)
    path = folder / SNAPSHOT_FILE
    if not path.is_file():
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            head = _read_head(zf, path)
            if kind is not None and head.get("kind") != kind:
                raise SnapshotError(f"{path}: a {head.get('kind')!r} snapshot, not {kind!r}")
            manifest = head.get("arrays")
            if not isinstance(manifest, dict):
                raise SnapshotError(f"{path}: bad arrays manifest")
            return head["doc"], _read_arrays(zf, path, manifest, max_elements)
    except SnapshotError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError, RecursionError) as exc:
        raise SnapshotError(f"{path}: unreadable snapshot ({type(exc).__name__}: {str(exc)[:80]})") from None


def _read_head(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        info = zf.getinfo(DOC_MEMBER)
    except KeyError:
        raise SnapshotError(f"{path}: not a SAM Sculpt snapshot (no {DOC_MEMBER})") from None
    if info.file_size > MAX_DOC_BYTES:
        raise SnapshotError(f"{path}: document larger than {MAX_DOC_BYTES // 2**20} MB")
    try:
        head = json.loads(zf.read(info).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SnapshotError(f"{path}: unreadable snapshot document ({type(exc).__name__})") from None
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


def _stored_shape(spec: dict[str, Any]) -> tuple[list[int], str]:
    """The shape and dtype of the .npy member that holds an array described by `spec`."""
    if spec.get("packed"):
        n = int(np.prod(spec["shape"], dtype=np.int64))
        return [(n + 7) // 8], "uint8"
    return list(spec["shape"]), spec["dtype"]


def _read_arrays(zf: zipfile.ZipFile, path: Path, manifest: dict[str, Any], max_elements: int) -> dict[str, np.ndarray]:
    total = 0
    for name, spec in manifest.items():
        if not isinstance(spec, dict) or spec.get("dtype") not in ALLOWED_DTYPES or not isinstance(spec.get("shape"), list) \
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in spec["shape"]) \
                or not isinstance(spec.get("packed", False), bool) or (spec.get("packed") and spec["dtype"] != "bool"):
            raise SnapshotError(f"{path}: bad manifest entry for array {name!r}")
        total += int(np.prod(spec["shape"], dtype=np.float64))
    if total > max_elements:
        raise SnapshotError(f"{path}: arrays hold {total} values, above the limit of {max_elements}")
    members = {n[:-4]: n for n in zf.namelist() if n.endswith(".npy")}
    if set(members) != set(manifest):
        raise SnapshotError(f"{path}: arrays differ from the manifest")
    out: dict[str, np.ndarray] = {}
    for name, spec in manifest.items():
        shape, dtype_name = _stored_shape(spec)
        expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype_name).itemsize
        if zf.getinfo(members[name]).file_size > expected + 4096:  # header slack only
            raise SnapshotError(f"{path}: array {name} is larger than its manifest says")
        with zf.open(members[name]) as f:
            version = npformat.read_magic(f)
            if version == (1, 0):
                got_shape, fortran, dtype = npformat.read_array_header_1_0(f)  # the header only
            elif version == (2, 0):
                got_shape, fortran, dtype = npformat.read_array_header_2_0(f)
            else:
                raise SnapshotError(f"{path}: array {name} uses an unsupported .npy version {version}")
            if dtype.hasobject or list(got_shape) != shape or dtype.name != dtype_name:
                raise SnapshotError(f"{path}: array {name} does not match the manifest")
        with zf.open(members[name]) as f:
            a = npformat.read_array(f, allow_pickle=False)
        if spec.get("packed"):
            n = int(np.prod(spec["shape"], dtype=np.int64))
            a = np.unpackbits(a, count=n).astype(bool).reshape(spec["shape"])
        out[name] = a
    return out


def remove_snapshot(folder: str | Path) -> None:
    (Path(folder) / SNAPSHOT_FILE).unlink(missing_ok=True)


def save_objects(folder: str | Path, obj: Any, kind: str = "session") -> None:
    doc, arrays = encode(obj)
    save_snapshot(folder, doc, arrays, kind)


def load_objects(folder: str | Path, kind: str | None = None, max_elements: int = MAX_ELEMENTS) -> Any:
    found = load_snapshot(folder, kind, max_elements)
    if found is None:
        return None
    doc, arrays = found
    return decode(doc, arrays, str(Path(folder) / SNAPSHOT_FILE))
