"""End to end through the CLI against the loopback server: `sculpt --critic openai` and `locate`. The API
key must never appear in logs, console output, provenance (sculpt.json), locate's files or settings."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from engine.cli.app import main
from engine.errors import InputError
from engine.io.annotations import read_boxes, read_instance
from engine.settings import load_settings, strip_secrets

from .conftest import FAST_RETRY
from .loopback import Step
from .support import copy_demo_aux


@pytest.fixture
def aux(tmp_path):
    return copy_demo_aux(tmp_path / "aux", llm_out=True)


def api_args(server, tmp_path, critic="openai", chain=None):
    (tmp_path / "settings.json").write_text("{}")
    args = ["--critic", critic, "--settings", str(tmp_path / "settings.json"),
            "--set", f"critic.options.openai.base_url={server.openai_url}",
            "--set", f"critic.options.dashscope.base_url={server.dashscope_url}",
            "--set", "critic.options.openai.model=test-vl"]
    for k, v in FAST_RETRY.items():
        args += ["--set", f"critic.options.{critic}.{k}={v}"]
    if chain is not None:
        args += ["--set", f"critic.fallback_chain={json.dumps(chain)}"]
    return args


def sculpt_responder(rec):
    prompt = rec.prompt_text()
    if "labelled A" in prompt:  # the verdict after the round
        return Step('{"better": "B", "confidence": 0.9, "reason": "B has the leg"}')
    if "Pick at most" in prompt:
        return Step('```json\n{"anchors": [{"id": 2, "intent": "recover_miss", "score": 0.9, "reason": "leg"},'
                    ' {"id": 6, "intent": "fix_leak", "score": 0.5}]}\n```')
    return Step('{"region": 2, "action": "pos", "reason": "more crab"}')


def all_text_under(*roots: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for root in roots for p in root.rglob("*") if p.is_file())


def test_sculpt_with_openai_critic_end_to_end_and_no_key_anywhere(server, api_keys, aux, tmp_path, caplog, capsys):
    server._responder = sculpt_responder
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    code = main(["-v", "sculpt", "--name", "demo", "--aux-dir", str(aux), "--out", str(out), "--rounds", "1",
                 *api_args(server, tmp_path)])
    console = capsys.readouterr()
    assert code == 0, console.err
    prov = json.loads((out / "demo" / "sculpt.json").read_text())
    assert (out / "demo" / "final_mask.png").exists()
    rnd = prov["rounds"][0]
    assert [c["anchor_id"] for c in rnd["selected"]] == [2, 6]
    assert [r["backend"] for r in rnd["critic_replies"]] == ["openai"] * 3
    assert len(rnd["proposals"]) == 2 and all(p["label"] == "pos" for p in rnd["proposals"])
    assert prov["backends"]["critic"]["base_url"] == server.openai_url
    assert len(server.requests) == 4 and server.requests[0].image_urls()  # anchors, 2 squares, the verdict
    verdict = prov["rounds"][0]["verdict"]
    assert verdict["outcome"] == "better" and verdict["backend"] == "openai" and verdict["confidence"] == 0.9
    # the key went over the wire (Authorization header) and nowhere else
    assert any(api_keys in v for v in server.requests[0].headers.values())
    assert api_keys not in caplog.text and api_keys not in console.out + console.err
    assert api_keys not in all_text_under(out, aux)


def test_sculpt_falls_back_along_the_chain_and_provenance_records_the_hops(server, api_keys, aux, tmp_path, capsys):
    server.default = Step(status=503, headers={"Retry-After": "0"})
    out = tmp_path / "out"
    code = main(["sculpt", "--name", "demo", "--aux-dir", str(aux), "--out", str(out), "--rounds", "1",
                 *api_args(server, tmp_path, chain=["heuristic"])])
    assert code in (0, 3), capsys.readouterr().err  # 3: partial (the hop is recorded as a non-fatal failure)
    prov = json.loads((out / "demo" / "sculpt.json").read_text())
    first = prov["rounds"][0]["critic_replies"][0]
    assert first["backend"] == "heuristic" and first["hops"] == ["openai", "heuristic"] and first["fallback"]
    assert "503" in first["error"]
    assert prov["backends"]["critic"]["chain"] == ["openai", "heuristic"]
    assert api_keys not in (out / "demo" / "sculpt.json").read_text()


def test_key_in_settings_is_refused_and_never_saved(server, api_keys, aux, tmp_path, capsys):
    code = main(["sculpt", "--name", "demo", "--aux-dir", str(aux), "--out", str(tmp_path / "o"),
                 *api_args(server, tmp_path), "--set", f"critic.options.openai.api_key={api_keys}"])
    err = capsys.readouterr().err
    assert code == 2 and "never read from settings" in err and api_keys not in err
    with pytest.raises(InputError, match="never read from settings") as info:
        load_settings(user_path=tmp_path / "settings.json",
                      overrides={"critic": {"options": {"openai": {"api_key": api_keys}}}})
    assert api_keys not in str(info.value)
    assert api_keys not in json.dumps(strip_secrets({"critic": {"options": {"openai": {"api_key": api_keys}}}}))
    defaults = json.dumps(load_settings(user_path=tmp_path / "settings.json"))
    assert "sk-" not in defaults and "api_key" not in defaults


@pytest.mark.parametrize("protocol", ["openai", "dashscope"])
def test_locate_grounding_writes_box_and_instance(server, api_keys, aux, tmp_path, capsys, protocol):
    server.script = [Step('{"bbox_2d": [250, 100, 750, 900], "label": "scorpionfish"}')]
    shutil.rmtree(aux / "box_out")
    code = main(["locate", "--name", "demo", "--target", "scorpionfish", "--aux-dir", str(aux),
                 *api_args(server, tmp_path, critic=protocol)])
    assert code == 0, capsys.readouterr().err
    (req,) = server.requests
    assert "scorpionfish" in req.prompt_text() and req.image_urls()
    box = read_boxes(aux / "box_out" / "demo" / "demo_sam_boxes.json", (480, 360))[0]
    assert box.as_list() == pytest.approx([120, 36, 360, 324], abs=0.6)
    assert read_instance(aux / "llm_out" / "demo_output.json").name == "scorpionfish"
    audit = json.loads((aux / "box_out" / "demo" / "demo_locate.json").read_text())
    assert audit["mode"] == "grounding" and audit["critic"] == protocol
    assert api_keys not in all_text_under(aux)


def test_locate_auto_falls_back_to_strips(server, api_keys, aux, tmp_path, capsys):
    def respond(rec):
        prompt = rec.prompt_text()
        if "horizontal strips" in prompt:
            return Step('{"strips": [3, 4, 5], "reason": "body in the middle"}')
        if "vertical strips" in prompt:
            return Step("Strips: [2, 3]")
        return Step("I cannot give coordinates.")

    server._responder = respond
    code = main(["locate", "--name", "demo", "--target", "crab", "--aux-dir", str(aux),
                 *api_args(server, tmp_path)])
    assert code == 0, capsys.readouterr().err
    assert len(server.requests) == 3
    box = read_boxes(aux / "box_out" / "demo" / "demo_sam_boxes.json", (480, 360))[0]
    assert box.as_list() == [round(480 / 9), 80.0, round(3 * 480 / 9), 200.0]
    audit = json.loads((aux / "box_out" / "demo" / "demo_locate.json").read_text())
    assert audit["mode"] == "strips" and audit["replies"][0]["fallback"]


def test_locate_with_the_heuristic_critic_refuses_clearly(aux, tmp_path, capsys):
    (tmp_path / "s.json").write_text("{}")
    code = main(["locate", "--name", "demo", "--target", "crab", "--aux-dir", str(aux), "--critic", "heuristic",
                 "--settings", str(tmp_path / "s.json")])
    err = capsys.readouterr().err
    assert code == 2 and "vision-language" in err and len(err.strip().splitlines()) == 1


def test_python_main_py_sculpt_critic_openai_as_a_subprocess(server, aux, tmp_path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    server._responder = sculpt_responder
    key = "sk-subprocess-SECRET-9876543210"
    env = {**os.environ, "OPENAI_API_KEY": key, "HF_HUB_OFFLINE": "1", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(root / "main.py"), "-v", "sculpt", "--name", "demo", "--aux-dir", str(aux),
                           "--out", str(out), "--clean-output", *api_args(server, tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "2 point(s) applied" in proc.stdout
    assert len(server.requests) == 4  # anchors, 2 squares, the verdict
    assert key not in proc.stdout + proc.stderr and key not in all_text_under(out, aux)


def test_redaction_of_known_keys_and_key_shapes(api_keys):
    from engine.critics.secrets import get_api_key, redact

    assert get_api_key("OPENAI_API_KEY", "openai") == api_keys
    text = redact(f"failed with {api_keys}; Authorization: Bearer abcdefghijk123; api_key='zzzzzzzzzz'")
    assert api_keys not in text and "abcdefghijk123" not in text and "zzzzzzzzzz" not in text
    assert text.count("***") == 3
