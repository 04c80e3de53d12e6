"""Settings: defaults in resources/settings/defaults.json (which must agree with the typed models in
engine/config), overridden by the user's file (platformdirs config dir, settings.json), overridden
per call. Every layer is validated (engine.config): an unknown key, a wrong type or a value out of
range is one InputError naming the file and the key. API keys in a settings file are refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from engine.errors import InputError
from engine.resources import settings_defaults_path

DEFAULTS_PATH = settings_defaults_path()  # resources/settings/defaults.json, installed or in a checkout
SECRET_KEY_HINTS = ("api_key", "apikey", "secret", "password", "access_key")
MAX_SETTINGS_BYTES = 4 * 2**20
_defaults_cache: tuple[float, dict[str, Any]] | None = None


def user_settings_path() -> Path:
    return Path(user_config_dir("sam-sculpt", appauthor=False)) / "settings.json"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def is_secret_key(name: str) -> bool:
    """'api_key', 'auth_token', 'password'... but not 'max_new_tokens'."""
    low = name.lower()
    return any(h in low for h in SECRET_KEY_HINTS) or low.endswith("token") or low == "key"


def strip_secrets(obj: Any) -> Any:
    """A copy with every key that looks like a secret removed (for saving and provenance)."""
    if isinstance(obj, dict):
        return {k: strip_secrets(v) for k, v in obj.items() if not is_secret_key(k)}
    if isinstance(obj, list):
        return [strip_secrets(v) for v in obj]
    return obj


def find_secret_keys(obj: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every key that looks like a secret."""
    found: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if is_secret_key(str(k)):
                found.append(path)
            found.extend(find_secret_keys(v, path))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found.extend(find_secret_keys(v, f"{prefix}[{i}]"))
    return found


def refuse_secrets(obj: Any, source: str) -> None:
    found = find_secret_keys(obj)
    if found:
        raise InputError(f"{source}: {found[0]}: API keys are never read from settings files (they would end up in "
                         "outputs); remove it and set the environment variable named by the critic's key_env "
                         "(e.g. DASHSCOPE_API_KEY, OPENAI_API_KEY) or store the key in the OS keyring")


def read_json_file(path: Path, what: str = "settings") -> Any:
    """A JSON file read with every failure as one InputError naming the file."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a {what} file")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SETTINGS_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc.strerror or exc})") from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise InputError(f"{path}: {what} file larger than {MAX_SETTINGS_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: {what} file is not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed {what} JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise InputError(f"{path}: {what} JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise InputError(f"{path}: unusable {what} JSON ({str(exc)[:100]})") from None


def _defaults() -> dict[str, Any]:
    """defaults.json, validated once per modification (a broken defaults file names itself)."""
    global _defaults_cache
    from engine.config import validate_settings

    mtime = DEFAULTS_PATH.stat().st_mtime
    if _defaults_cache is None or _defaults_cache[0] != mtime:
        raw = read_json_file(DEFAULTS_PATH, "defaults")
        _defaults_cache = (mtime, validate_settings(raw, str(DEFAULTS_PATH), reference=raw))
    return copy.deepcopy(_defaults_cache[1])


def load_settings(user_path: Path | None = None, overrides: dict[str, Any] | None = None,
                  require_user_file: bool = False, overrides_source: str = "overrides") -> dict[str, Any]:
    """Defaults, then the user's file (if it exists; `require_user_file`: it must), then `overrides`;
    each layer validated. Returns a plain dict (the models' model_dump())."""
    from engine.config import validate_settings

    settings = _defaults()
    reference = settings
    path = user_path if user_path is not None else user_settings_path()
    if require_user_file and not path.exists():
        raise InputError(f"{path}: settings file not found")
    if path.exists():
        data = read_json_file(path)
        if not isinstance(data, dict):
            raise InputError(f"{path}: settings must be a JSON object of sections, not a {type(data).__name__}")
        refuse_secrets(data, str(path))
        settings = validate_settings(deep_merge(settings, data), str(path), reference=reference)
    if overrides:
        refuse_secrets(overrides, overrides_source)
        settings = validate_settings(deep_merge(settings, overrides), overrides_source, reference=reference)
    return settings


def backend_options(settings: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    """The options block of backend `name` in section `kind` ('segmenter' | 'critic' | ...)."""
    return dict(settings.get(kind, {}).get("options", {}).get(name, {}))
