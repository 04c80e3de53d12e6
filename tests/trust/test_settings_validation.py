"""Settings are typed (engine/config): every bad value or unknown key is one line naming the file or
the option, with the keys that exist and the closest match; defaults live in one place."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from engine import config
from engine.config.sections import SculptSection
from engine.errors import InputError
from engine.sculpt.params import SculptParams
from engine.settings import DEFAULTS_PATH, backend_options, load_settings


def _set(cli, *items, extra=()):
    args = ["sculpt", "--name", "demo", "--out", "/nonexistent-never-written"]
    for item in items:
        args += ["--set", item]
    return cli(*args, *extra)


@pytest.mark.parametrize("item, expected", [
    ("sculpt.rounds=abc", "sculpt.rounds: input should be a valid integer"),
    ("sculpt.rounds=1.5", "sculpt.rounds: input should be a valid integer, got a number with a fractional part"),
    ("io.max_pixels=null", "io.max_pixels: input should be a valid integer (got None)"),
    ("sculpt=5", "sculpt: must be an object of settings"),
    ("segmenter.options.grabcut.bogus=1", "segmenter.options.grabcut.bogus: unknown key; the keys here are context"),
    ("sculpt.roundz=3", "did you mean rounds?"),
    ("critic.fallback_chain=heuristic", "critic.fallback_chain: input should be a valid list (got 'heuristic')"),
    ("segmenter.options.grabcut.max_side=0", "segmenter.options.grabcut.max_side: input should be greater than or equal to 16"),
    ("segmenter.options.grabcutt.iterations=2", "(did you mean grabcut?)"),
    ("sculptt.rounds=2", "(did you mean sculpt?)"),
    ("critic.options.openai.api_key=sk-123", "API keys are never read from settings"),
    ("sculpt.rounds=" + "9" * 5000, "sculpt.rounds: "),
    ("sculpt.rounds=1e400", "sculpt.rounds"),
    ("sculpt.rounds=" + "[" * 100_000, "sculpt.rounds: input should be a valid integer"),
])
def test_set_values_are_checked(cli, item, expected):
    rc, out, err = _set(cli, item)
    assert rc == 2, (out, err)
    assert err.startswith("error: command line (--set and options): ") and err.count("\n") == 1, err
    assert expected in err
    assert "sk-123" not in err


def test_set_clash_is_one_line(cli):
    rc, _, err = _set(cli, "sculpt.rounds=2", "sculpt.rounds.x=1")
    assert rc == 2 and "was already set to a value" in err and err.count("\n") == 1


def test_unknown_key_lists_the_keys_and_the_closest_match():
    with pytest.raises(InputError) as info:
        load_settings(overrides={"sculpt": {"roundz": 3}})
    msg = str(info.value)
    assert "sculpt.roundz: unknown key" in msg and "rounds" in msg and "anchors_k" in msg
    assert msg.endswith("(did you mean rounds?)") and "\n" not in msg


def test_missing_settings_file_is_refused(cli, tmp_path):
    rc, _, err = cli("sculpt", "--name", "demo", "--out", tmp_path, "--settings", tmp_path / "nope.json")
    assert rc == 2 and "nope.json: settings file not found" in err
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize("content, expected", [
    (b"[1, 2]", "settings must be a JSON object of sections, not a list"),
    (b'"just a string"', "settings must be a JSON object of sections, not a str"),
    (b"\xff\xfe\x00garbage", "settings file is not UTF-8 text"),
    (b"{oops", "malformed settings JSON"),
    (b'{"sculpt": {"ratio": "wide"}}', "sculpt.ratio: input should be a valid number"),
    (b'{"critic": {"options": {"dashscope": {"api_key": "sk-secret"}}}}', "critic.options.dashscope.api_key: API keys"),
    (b"[" * 100_000, "settings JSON nested too deeply"),
    (b'{"sculpt": {"rounds": ' + b"9" * 5000 + b"}}", "unusable settings JSON"),
])
def test_bad_settings_files(cli, tmp_path, content, expected):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    rc, _, err = cli("sculpt", "--name", "demo", "--out", tmp_path / "out", "--settings", path)
    assert rc == 2 and expected in err and str(path) in err and err.count("\n") == 1, err
    assert "sk-secret" not in err


def test_settings_folder_is_refused(cli, tmp_path):
    rc, _, err = cli("sculpt", "--name", "demo", "--out", tmp_path / "out", "--settings", tmp_path)
    assert rc == 2 and "is a folder, not a settings file" in err


def test_grabcut_max_side_zero_no_longer_gives_an_empty_mask(cli, tmp_path):
    rc, _, err = cli("sculpt", "--name", "demo", "--out", tmp_path, "--set", "segmenter.options.grabcut.max_side=0")
    assert rc == 2 and "max_side" in err
    assert not (tmp_path / "demo" / "final_mask.png").exists()


def test_values_are_normalised_and_layered(tmp_path):
    user = tmp_path / "settings.json"
    user.write_text(json.dumps({"sculpt": {"ratio": 1}, "critic": {"fallback_chain": ["heuristic"]}}))
    s = load_settings(user_path=user, overrides={"sculpt": {"rounds": 3.0}})
    assert s["sculpt"]["ratio"] == 1.0 and isinstance(s["sculpt"]["ratio"], float)
    assert s["sculpt"]["rounds"] == 3 and isinstance(s["sculpt"]["rounds"], int)
    assert s["critic"]["fallback_chain"] == ["heuristic"]
    assert backend_options(s, "segmenter", "grabcut")["max_side"] == 512
    json.dumps(s)  # a plain dict


def test_user_file_error_names_the_user_file(tmp_path):
    user = tmp_path / "settings.json"
    user.write_text(json.dumps({"gui": {"overlay_alpha": 3}}))
    with pytest.raises(InputError, match=r"settings\.json: gui\.overlay_alpha: input should be less than or equal to 1"):
        load_settings(user_path=user)


# ---- one source of truth -----------------------------------------------------------------------
def _raw_defaults() -> dict:
    return json.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))


def test_defaults_json_agrees_with_the_models():
    """resources/settings/defaults.json (what users read) == the models' defaults (engine/config)."""
    assert config.defaults() == _raw_defaults()


def test_every_backend_options_block_in_defaults_has_a_model():
    """LOUD on purpose: a backend added to defaults.json without an options model in engine/config
    would have its options accepted unchecked. Add a class (see engine/config/__init__.py)."""
    raw = _raw_defaults()
    missing = []
    for kind, path in config.OPTION_KINDS.items():
        node = raw
        for part in path.split("."):
            node = node.get(part, {})
        for name in node.get("options", {}):
            if config.option_model(kind, name) is None:
                missing.append(f"{path}.options.{name}")
    sections = [name for name in raw if name not in config.SECTIONS]
    assert not missing and not sections, (
        f"no options model for {missing} / no section model for {sections}: add one in engine/config/ "
        "(one class per backend, @register_options(kind, name); see engine/config/__init__.py)")


def test_catalogue_backends_with_options_have_models():
    """Every catalogue backend that takes options in defaults.json is typed; the rest take none."""
    from engine.registry import load_catalogue

    raw = _raw_defaults()
    kinds = {"segmenters": "segmenter", "critics": "critic", "localisers": "localiser", "inpainters": "inpainter"}
    for cat_kind, kind in kinds.items():
        path = config.OPTION_KINDS[kind]
        node = raw
        for part in path.split("."):
            node = node.get(part, {})
        for name in load_catalogue().get(cat_kind, {}):
            if name in node.get("options", {}):
                assert config.option_model(kind, name) is not None, f"{kind} {name}: options without a model"


def test_sculpt_params_take_their_defaults_from_the_model():
    assert {f.name for f in fields(SculptParams)} == set(SculptSection.model_fields)
    assert SculptParams().to_dict() == SculptSection().model_dump() == config.section_defaults("sculpt")
    with pytest.raises(InputError, match="sculpt.anchors_k"):
        SculptParams(anchors_k=9)
    with pytest.raises(InputError, match="sculpt.rounds"):
        SculptParams(rounds="abc")  # type: ignore[arg-type]


def test_gui_defaults_come_from_the_models():
    gui = config.section_defaults("gui")
    assert gui == _raw_defaults()["gui"] and gui["overlay_colour"].startswith("#")


def test_unmodelled_backend_block_is_accepted_with_its_keys_only(caplog):
    """While a backend is being added (defaults.json has its block, no model yet): the values pass
    unchecked with a warning, unknown keys are still refused."""
    raw = _raw_defaults()
    raw["segmenter"]["options"]["future-seg"] = {"alpha": 1}
    out = config.validate_settings(raw, "defaults", reference=raw)
    assert out["segmenter"]["options"]["future-seg"] == {"alpha": 1}
    bad = json.loads(json.dumps(raw))
    bad["segmenter"]["options"]["future-seg"] = {"alpah": 1}
    with pytest.raises(InputError, match="did you mean alpha"):
        config.validate_settings(bad, "user", reference=raw)


def test_field_specs_for_settings_forms():
    """A settings form (the GUI's dialog) gets defaults, ranges and choices from the models."""
    spec = config.field_specs("sculpt")
    assert spec["anchors_k"]["default"] == 3 and spec["anchors_k"]["ge"] == 1 and spec["anchors_k"]["le"] == 8
    assert spec["strategy"]["choices"] == ["anchors", "direct"]
    assert config.field_specs("grabcut", kind="segmenter")["max_side"]["ge"] == 16
    assert set(config.field_specs("gui")) == set(config.section_defaults("gui"))


def test_unknown_backend_name_suggests_the_closest(cli, tmp_path):
    rc, _, err = cli("sculpt", "--name", "demo", "--out", tmp_path, "--segmenter", "grabcutt")
    assert rc == 2 and "unknown segmenter 'grabcutt'" in err and "did you mean grabcut?" in err
