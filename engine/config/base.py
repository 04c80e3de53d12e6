"""The pieces every settings model uses: the strict base class, the two registries (sections and
backend option models) and the one-line error messages (with "did you mean ...?")."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=type[BaseModel])

# where a backend's options live, by kind: the dotted path of the section that holds {"name", "options"}
OPTION_KINDS: dict[str, str] = {
    "segmenter": "segmenter",
    "critic": "critic",
    "localiser": "edit.localiser",
    "inpainter": "edit.inpainter",
}


class Settings(BaseModel):
    """Base of every section and option model: unknown keys are refused, assignments re-validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)


class Options(Settings):
    """Base of one backend's options (the keyword arguments of its constructor)."""


SECTIONS: dict[str, type[Settings]] = {}
OPTION_MODELS: dict[str, dict[str, type[Options]]] = {kind: {} for kind in OPTION_KINDS}


def register_section(name: str) -> Callable[[M], M]:
    """Class decorator: the model of the top-level section `name` ("sculpt", "io", ...)."""

    def decorator(cls: M) -> M:
        SECTIONS[name] = cls
        return cls

    return decorator


def register_options(kind: str, name: str) -> Callable[[M], M]:
    """Class decorator: the options model of backend `name` of `kind` ('segmenter', 'critic',
    'localiser', 'inpainter')."""
    if kind not in OPTION_KINDS:
        raise ValueError(f"unknown option kind {kind!r} (use one of {', '.join(OPTION_KINDS)})")

    def decorator(cls: M) -> M:
        OPTION_MODELS[kind][name] = cls
        return cls

    return decorator


def option_model(kind: str, name: str) -> type[Options] | None:
    return OPTION_MODELS.get(kind, {}).get(name)


def closest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_key_message(where: str, key: str, known: Iterable[str]) -> str:
    known = sorted(known)
    hint = closest(key, known)
    text = f"{where + '.' if where else ''}{key}: unknown key; the keys here are {', '.join(known) or '(none)'}"
    return text + (f" (did you mean {hint}?)" if hint else "")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_errors(exc: ValidationError, model: type[BaseModel], prefix: str, limit: int = 3) -> str:
    """The pydantic errors of `model` (found at dotted `prefix`) as one line."""
    parts: list[str] = []
    for err in exc.errors()[:limit]:
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "extra_forbidden" and loc:
            parent = _model_at(model, loc[:-1])
            known = list(parent.model_fields) if parent is not None else []
            parts.append(unknown_key_message(".".join([p for p in [prefix, *loc[:-1]] if p]), loc[-1], known))
            continue
        where = ".".join([p for p in [prefix, *loc] if p])
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "missing":
            parts.append(f"{where}: missing")
        else:
            parts.append(f"{where}: {msg[0].lower() + msg[1:]} (got {_short(err.get('input'))})")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _model_at(model: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return None
        current = field.annotation
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None
