import json

import pytest

from engine.errors import BackendError, InputError
from engine.registry import CRITICS, SEGMENTERS
from engine.settings import load_settings, strip_secrets


def test_catalogue_names_and_lazy_creation():
    assert {"grabcut"} <= set(SEGMENTERS.names())
    assert {"heuristic", "oracle"} <= set(CRITICS.names())
    assert SEGMENTERS.create("grabcut", iterations=2).iterations == 2
    assert "baseline" in SEGMENTERS.describe("grabcut")["description"].lower()
    assert "not a vlm" in CRITICS.describe("heuristic")["description"].lower()


def test_unknown_backend():
    with pytest.raises(BackendError, match="unknown segmenter 'nope'"):
        SEGMENTERS.create("nope")


def test_settings_layering_and_secrets(tmp_path):
    user = tmp_path / "settings.json"
    user.write_text(json.dumps({"sculpt": {"ratio": 0.4}}))
    s = load_settings(user_path=user, overrides={"sculpt": {"rounds": 3}})
    assert s["sculpt"]["ratio"] == 0.4 and s["sculpt"]["rounds"] == 3 and s["sculpt"]["anchors_k"] == 3
    user.write_text(json.dumps({"critic": {"options": {"openai": {"api_key": "sk-never-read"}}}}))
    with pytest.raises(InputError, match="API keys are never read from settings") as info:
        load_settings(user_path=user)
    assert "sk-never-read" not in str(info.value) and "critic.options.openai.api_key" in str(info.value)
    assert strip_secrets({"a": {"API_KEY": 1, "b": 2}}) == {"a": {"b": 2}}
    user.write_text("{oops")
    with pytest.raises(InputError, match="malformed settings JSON"):
        load_settings(user_path=user)
