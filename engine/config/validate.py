"""Checking a whole settings dict against the models, and the defaults the models define."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.config.base import (
    OPTION_KINDS,
    OPTION_MODELS,
    SECTIONS,
    describe_errors,
    unknown_key_message,
)
from engine.errors import InputError

log = logging.getLogger("sam_sculpt.settings")
_warned: set[str] = set()


def defaults() -> dict[str, Any]:
    """Every default setting, as a plain dict built from the models (what the GUI and SculptParams use)."""
    out = {name: model().model_dump() for name, model in SECTIONS.items()}
    for kind, path in OPTION_KINDS.items():
        node = _at(out, path)
        if node is not None:
            node["options"] = {name: model().model_dump() for name, model in OPTION_MODELS[kind].items()}
    return out


def section_defaults(section: str) -> dict[str, Any]:
    """The defaults of one section, e.g. section_defaults("gui")."""
    return defaults()[section]


def validate_settings(data: Any, source: str, reference: dict[str, Any] | None = None) -> dict[str, Any]:
    """`data` checked and normalised (a new plain dict); InputError naming `source` on the first problem.

    `reference` (the defaults file) lists blocks that exist but have no model yet (a backend being
    added): those are accepted with the keys the reference lists, and a warning is logged."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: settings must be a JSON object of sections, not {type(data).__name__}")
    reference = reference or {}
    out: dict[str, Any] = {}
    for name, value in data.items():
        model = SECTIONS.get(name)
        if model is None:
            out[name] = _unmodelled(value, reference.get(name), str(name), source, set(SECTIONS) | set(reference))
            continue
        if not isinstance(value, dict):
            raise InputError(f"{source}: {name}: must be an object of settings, not {_kind(value)}")
        out[name] = _validate_model(model, value, name, source, reference.get(name))
    for kind, path in OPTION_KINDS.items():
        node = _at(out, path)
        if node is not None and "options" in node:
            ref = _at(reference, path) or {}
            node["options"] = _validate_options(kind, path, node["options"], ref.get("options") or {}, source)
    return out


def _validate_model(model: type[BaseModel], value: dict[str, Any], where: str, source: str,
                    reference: Any = None) -> dict[str, Any]:
    """model_validate + model_dump. Keys the defaults file has but the model lacks (a helper added an
    option to defaults.json first) pass through unchecked with a warning; the agreement test fails."""
    lagging = {}
    if isinstance(reference, dict):
        lagging = {k: v for k, v in value.items() if k not in model.model_fields and k in reference}
        if lagging:
            value = {k: v for k, v in value.items() if k not in lagging}
            for k in lagging:
                if f"{where}.{k}" not in _warned:
                    _warned.add(f"{where}.{k}")
                    log.warning("settings: %s.%s is in defaults.json but not in its model (engine/config): not checked",
                                where, k)
    try:
        out = model.model_validate(value).model_dump()
    except ValidationError as exc:
        raise InputError(f"{source}: {describe_errors(exc, model, where)}") from None
    out.update(lagging)
    return out


def _validate_options(kind: str, path: str, options: dict[str, Any], reference: dict[str, Any],
                      source: str) -> dict[str, Any]:
    models = OPTION_MODELS[kind]
    out: dict[str, Any] = {}
    for name, block in options.items():
        where = f"{path}.options.{name}"
        if not isinstance(block, dict):
            raise InputError(f"{source}: {where}: must be an object of options, not {_kind(block)}")
        model = models.get(name)
        if model is not None:
            out[name] = _validate_model(model, block, where, source, reference.get(name))
        else:
            out[name] = _unmodelled(block, reference.get(name), name, source, set(models) | set(reference),
                                    where=f"{path}.options", warn_kind=f"{kind} options")
    return out


def _unmodelled(value: Any, ref: Any, name: str, source: str, known: set[str], where: str = "",
                warn_kind: str = "section") -> Any:
    """A block with no model: allowed only when the defaults file has it (keys limited to its keys)."""
    if ref is None:
        raise InputError(f"{source}: {unknown_key_message(where, name, known)}")
    key = f"{where}.{name}" if where else name
    if key not in _warned:
        _warned.add(key)
        log.warning("settings: %s %r has no model in engine/config yet: its values are not checked", warn_kind, key)
    if isinstance(ref, dict) and isinstance(value, dict):
        for k in value:
            if k not in ref:
                raise InputError(f"{source}: {unknown_key_message(key, k, ref)}")
    return value


def _at(tree: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return None
        node = node[part]
    return node


def _kind(value: Any) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r:.40}"


def field_specs(section: str, kind: str | None = None) -> dict[str, dict[str, Any]]:
    """What a settings editor needs per key of a section (or, with `kind`, of backend `section`'s options):
    {"default", "type", "description", "choices", "ge", "gt", "le", "lt"} from the models, so a form
    takes its defaults, ranges and choices from the one source."""
    import typing

    from engine.config.base import OPTION_MODELS

    model = OPTION_MODELS[kind][section] if kind else SECTIONS[section]
    out: dict[str, dict[str, Any]] = {}
    for name, f in model.model_fields.items():
        spec: dict[str, Any] = {"default": f.get_default(call_default_factory=True), "description": f.description or "",
                                "type": getattr(f.annotation, "__name__", str(f.annotation)), "choices": None}
        if typing.get_origin(f.annotation) is typing.Literal:
            spec["choices"] = list(typing.get_args(f.annotation))
        for meta in f.metadata:
            for bound in ("ge", "gt", "le", "lt"):
                if getattr(meta, bound, None) is not None:
                    spec[bound] = getattr(meta, bound)
        out[name] = spec
    return out
