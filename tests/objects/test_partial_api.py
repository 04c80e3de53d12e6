"""Issue 10 item 4 through the CLI: an API critic (openai protocol, loopback server) answers round 1 and
then returns HTTP 500: `sculpt --rounds 3` keeps round 1, writes every output, records the failure in
sculpt.json and exits 3 (partial). The server is a scripted loopback (tests/critics/loopback.py), not a model."""

import json

import pytest

from engine.cli.app import main
from tests.critics.conftest import FAST_RETRY, KEY_ENV
from tests.critics.loopback import Step
from tests.critics.support import copy_demo_aux  # (the `server` fixture: tests/objects/conftest.py)


@pytest.mark.slow
def test_round_two_500_keeps_round_one_and_exits_3(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(KEY_ENV, "sk-loopback-test")
    monkeypatch.setattr("engine.critics.secrets._from_keyring", lambda user: None)
    aux = copy_demo_aux(tmp_path / "aux")
    calls = []

    def respond(rec):
        calls.append(rec)
        if len(calls) == 1:
            return Step('{"points": [{"x": 500, "y": 500, "label": "pos", "reason": "body"}]}')
        return Step("boom", status=500)

    server._responder = respond
    (tmp_path / "settings.json").write_text("{}")
    args = ["sculpt", "--name", "demo", "--aux-dir", str(aux), "--out", str(tmp_path / "out"), "--rounds", "3",
            "--strategy", "direct", "--verdict", "off", "--set", "sculpt.early_stop_iou=1.0", "--critic", "openai", "--settings", str(tmp_path / "settings.json"),
            "--set", f"critic.options.openai.base_url={server.openai_url}", "--set", "critic.options.openai.model=test-vl"]
    for k, v in FAST_RETRY.items():
        args += ["--set", f"critic.options.openai.{k}={v}"]
    code = main(args)
    out = capsys.readouterr().out
    assert code == 3, out
    assert "PARTIAL" in out and "round 2" in out
    folder = tmp_path / "out" / "demo"
    assert (folder / "final_mask.png").exists() and (folder / "instances.png").exists()
    doc = json.loads((folder / "sculpt.json").read_text())
    assert doc["partial"] is True and len(doc["rounds"]) == 1 and doc["rounds"][0]["applied"]
    f = doc["failures"][0]
    assert f["round"] == 2 and f["request"] == "propose_points" and "500" in f["error"]
