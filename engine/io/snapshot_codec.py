"""Plain data (engine dataclasses, enums, numpy arrays, tuples, dicts) to a JSON document plus named
arrays and back, for engine.io.session_store. Nothing is imported or called by name from the file:
only the classes registered here (a fixed whitelist) are rebuilt, from their dataclass fields.

Encoding of one value
    None / bool / int / str / finite float   as themselves
    float nan/inf                            {"$float": "nan" | "inf" | "-inf"}
    numpy array                              {"$array": "a3"}   (the array goes in the NPZ as a3)
    registered enum                          {"$enum": "PointLabel", "value": "pos"}
    registered dataclass                     {"$type": "Point", "$id": 7, "fields": {...}}; the same object
                                             met again is {"$ref": 7} (points shared by rounds stay shared)
    tuple                                    {"$tuple": [...]}
    dict with keys that are not plain str    {"$dict": [[key, value], ...]}
Register more types with register_type(cls) (a dataclass or an Enum)."""

from __future__ import annotations

import dataclasses
import math
from enum import Enum
from typing import Any

import numpy as np

from engine import types as T
from engine.errors import InputError

ALLOWED_DTYPES = frozenset({"bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "int64", "uint64",
                            "float16", "float32", "float64"})
_TYPES: dict[str, type] = {}
_SIMPLE: dict[str, tuple[type, ...]] = {"float": (int, float), "int": (int,), "str": (str,), "bool": (bool,)}


class SnapshotError(InputError):
    """A snapshot that cannot be stored or read back (names the file and the problem)."""


def register_type(cls: type) -> type:
    """Allow a dataclass or Enum in snapshots (usable as a class decorator)."""
    if not (dataclasses.is_dataclass(cls) or issubclass(cls, Enum)):
        raise TypeError(f"{cls.__name__}: only dataclasses and enums can be stored in snapshots")
    known = _TYPES.get(cls.__name__)
    if known is not None and known is not cls:
        raise TypeError(f"snapshot type name {cls.__name__!r} is already taken by {known.__module__}.{known.__qualname__}")
    _TYPES[cls.__name__] = cls
    return cls


for _cls in (T.PointLabel, T.PointSource, T.PointStatus, T.Intent, T.Box, T.Point, T.Anchor, T.Square, T.AnchorChoice,
             T.SquareJudgement, T.CriticReply, T.InstanceInfo, T.Round):
    register_type(_cls)


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.memo: dict[int, int] = {}
        self.keep: list[Any] = []  # objects memoised by id() stay alive until the end

    def value(self, v: Any) -> Any:
        if isinstance(v, Enum):  # before str: PointLabel and friends are str enums
            return self._enum(v)
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, str):
            return str(v)
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            return float(v) if math.isfinite(v) else {"$float": str(v)}
        if isinstance(v, np.ndarray):
            return self._array(v)
        if isinstance(v, np.generic):
            return self.value(v.item())
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return self._dataclass(v)
        if isinstance(v, tuple):
            return {"$tuple": [self.value(x) for x in v]}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            if all(isinstance(k, str) and not k.startswith("$") for k in v):
                return {k: self.value(x) for k, x in v.items()}
            return {"$dict": [[self.value(k), self.value(x)] for k, x in v.items()]}
        raise SnapshotError(f"cannot store a {type(v).__name__} in a snapshot (register it with "
                            "engine.io.snapshot_codec.register_type, or convert it to plain data)")

    def _enum(self, v: Enum) -> dict[str, Any]:
        if _TYPES.get(type(v).__name__) is not type(v):
            raise SnapshotError(f"enum {type(v).__name__} is not registered for snapshots")
        return {"$enum": type(v).__name__, "value": self.value(v.value)}

    def _array(self, a: np.ndarray) -> dict[str, str]:
        if a.dtype.name not in ALLOWED_DTYPES:
            raise SnapshotError(f"arrays of dtype {a.dtype} cannot be stored in a snapshot")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = np.ascontiguousarray(a)
        return {"$array": name}

    def _dataclass(self, v: Any) -> dict[str, Any]:
        cls = type(v)
        if _TYPES.get(cls.__name__) is not cls:
            raise SnapshotError(f"{cls.__name__} is not registered for snapshots (engine.io.snapshot_codec.register_type)")
        key = id(v)
        if key in self.memo:
            return {"$ref": self.memo[key]}
        ident = self.memo[key] = len(self.memo)
        self.keep.append(v)
        fields = {f.name: self.value(getattr(v, f.name)) for f in dataclasses.fields(v)}
        return {"$type": cls.__name__, "$id": ident, "fields": fields}


def encode(obj: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """(JSON-ready document, named arrays)."""
    enc = _Encoder()
    return enc.value(obj), enc.arrays


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], source: str) -> None:
        self.arrays = arrays
        self.source = source
        self.objects: dict[int, Any] = {}

    def fail(self, what: str) -> SnapshotError:
        return SnapshotError(f"{self.source}: {what}")

    def value(self, v: Any) -> Any:
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if not isinstance(v, dict):
            raise self.fail(f"unexpected {type(v).__name__} in the document")
        if "$array" in v:
            name = v["$array"]
            if not isinstance(name, str) or name not in self.arrays:
                raise self.fail(f"names an array {name!r} that is not in the file")
            return self.arrays[name]
        if "$float" in v:
            if v["$float"] not in ("nan", "inf", "-inf"):
                raise self.fail(f"bad float {v['$float']!r}")
            return float(v["$float"])
        if "$tuple" in v:
            return tuple(self.value(x) for x in self._list(v["$tuple"]))
        if "$dict" in v:
            pairs = self._list(v["$dict"])
            if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise self.fail("bad $dict entry")
            out = {}
            for k, x in pairs:
                key = self.value(k)
                try:
                    out[key] = self.value(x)
                except TypeError:
                    raise self.fail(f"unusable dict key {k!r}") from None
            return out
        if "$enum" in v:
            return self._enum(v)
        if "$ref" in v:
            ref = v["$ref"]
            if not isinstance(ref, int) or ref not in self.objects:
                raise self.fail(f"reference {ref!r} to an object not defined before it")
            return self.objects[ref]
        if "$type" in v:
            return self._dataclass(v)
        if any(isinstance(k, str) and k.startswith("$") for k in v):
            raise self.fail(f"unknown tag in {sorted(v)[:3]}")
        return {k: self.value(x) for k, x in v.items()}

    def _list(self, v: Any) -> list[Any]:
        if not isinstance(v, list):
            raise self.fail("expected a list")
        return v

    def _enum(self, v: dict[str, Any]) -> Enum:
        cls = _TYPES.get(str(v.get("$enum")))
        if cls is None or not issubclass(cls, Enum):
            raise self.fail(f"unknown enum {v.get('$enum')!r}")
        try:
            return cls(v.get("value"))
        except ValueError:
            raise self.fail(f"{v.get('value')!r} is not a {cls.__name__}") from None

    def _dataclass(self, v: dict[str, Any]) -> Any:
        name, ident, fields = v.get("$type"), v.get("$id"), v.get("fields")
        cls = _TYPES.get(str(name))
        if cls is None or not dataclasses.is_dataclass(cls):
            raise self.fail(f"unknown type {name!r} (only plain engine data types are read)")
        if not isinstance(ident, int) or ident in self.objects or not isinstance(fields, dict):
            raise self.fail(f"bad {name} entry")
        spec = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(fields) - set(spec)
        if unknown:
            raise self.fail(f"{name} has no field(s) {', '.join(sorted(map(str, unknown)))}")
        values = {k: self.value(x) for k, x in fields.items()}
        for k, x in values.items():
            expected = _expected_types(spec[k].type)
            if expected is not None and (not isinstance(x, expected) or (bool not in expected and isinstance(x, bool))):
                raise self.fail(f"{name}.{k} must be {spec[k].type}, not {type(x).__name__}")
        try:
            obj = cls(**{k: x for k, x in values.items() if spec[k].init})
            for k, x in values.items():
                if not spec[k].init:
                    object.__setattr__(obj, k, x)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"bad {name}: {exc}") from None
        self.objects[ident] = obj
        return obj


def _expected_types(annotation: Any) -> tuple[type, ...] | None:
    """The classes a field annotated e.g. 'float', 'PointLabel | None' or 'Box | None' accepts; None
    when the annotation is anything else (lists, dicts...: not checked here)."""
    out: list[type] = []
    for part in str(annotation).split("|"):
        part = part.strip()
        if part == "None":
            out.append(type(None))
        elif part in _SIMPLE:
            out.extend(_SIMPLE[part])
        elif part in _TYPES:
            out.append(_TYPES[part])
        else:
            return None
    return tuple(out)


def decode(doc: Any, arrays: dict[str, np.ndarray], source: str = "snapshot") -> Any:
    """The value encode() made `doc` from; SnapshotError (one line naming `source`) on anything odd."""
    try:
        return _Decoder(arrays, source).value(doc)
    except RecursionError:
        raise SnapshotError(f"{source}: document nested too deeply") from None
