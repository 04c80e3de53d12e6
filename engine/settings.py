"""Settings: defaults in resources/settings/defaults.json, overridden by the user's file
(platformdirs config dir, settings.json), overridden per call. Never holds API keys."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from engine.errors import InputError

DEFAULTS_PATH = Path(__file__).resolve().parent.parent / "resources" / "settings" / "defaults.json"
SECRET_KEY_HINTS = ("api_key", "apikey", "secret", "password", "access_key")


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


def load_settings(user_path: Path | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    with open(DEFAULTS_PATH, encoding="utf-8") as f:
        settings = json.load(f)
    path = user_path if user_path is not None else user_settings_path()
    if path.exists():
        try:
            with open(path, encoding="utf-8") as f:
                settings = deep_merge(settings, strip_secrets(json.load(f)))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: malformed settings JSON ({exc.msg} at line {exc.lineno})") from None
    if overrides:
        settings = deep_merge(settings, overrides)
    return settings


def backend_options(settings: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    """The options block of backend `name` in section `kind` ('segmenter' | 'critic' | ...)."""
    return dict(settings.get(kind, {}).get("options", {}).get(name, {}))
