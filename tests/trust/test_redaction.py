"""No credential in what is written (issue 10, item 6): URL userinfo, secret-looking query parameters and
headers (extra_headers.Authorization) are redacted everywhere provenance goes - sculpt.json,
batch_summary.json, logs - by engine.critics.secrets.redact_provenance, which every writer calls."""

# ruff: noqa: F811  (pytest fixtures imported from .api_support and requested by name)
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from critics.loopback import Step

from engine.cli.app import main
from engine.critics.secrets import MAX_PROVENANCE_CHARS, redact_provenance, redact_text, redact_url
from engine.registry import CRITICS

from .api_support import FAKE_KEY, KEY_ENV, auth_header, aux, keys, server  # noqa: F401 (fixtures)

PASSWORD = "hunter2-PASSWORD-zz"
QUERY_KEY = "QUERYKEY-0123456789"
HEADER_TOKEN = "HEADER-TOKEN-abcdef0123"
SECRETS = (PASSWORD, QUERY_KEY, HEADER_TOKEN, FAKE_KEY)


@pytest.mark.parametrize("url, expected", [
    (f"https://bob:{PASSWORD}@vlm.example.com/v1", "https://***@vlm.example.com/v1"),
    (f"https://vlm.example.com/v1?api-key={QUERY_KEY}&model=x", "https://vlm.example.com/v1?api-key=***&model=x"),
    (f"http://h:8000/v1?token={QUERY_KEY}&sig={QUERY_KEY}", "http://h:8000/v1?token=***&sig=***"),
    (f"https://h/v1?access_token={QUERY_KEY}", "https://h/v1?access_token=***"),
    ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redact_provenance_masks_headers_keys_and_urls_anywhere():
    doc = {"backends": {"critic": {"base_url": f"https://bob:{PASSWORD}@h/v1?key={QUERY_KEY}",
                                   "extra_headers": {"Authorization": f"Bearer {HEADER_TOKEN}", "X-Trace": "on"},
                                   "key_env": "OPENAI_API_KEY", "max_new_tokens": 256}},
           "settings": {"critic": {"options": {"openai": {"api_key": FAKE_KEY, "auth_token": FAKE_KEY}}}},
           "log": [f"request to https://u:{PASSWORD}@h/v1 failed"], "nothing": None}
    out = redact_provenance(doc)
    text = json.dumps(out)
    assert not any(s in text for s in SECRETS)
    crit = out["backends"]["critic"]
    assert crit["extra_headers"] == {"Authorization": "***", "X-Trace": "on"}
    assert crit["key_env"] == "OPENAI_API_KEY" and crit["max_new_tokens"] == 256  # names, not secrets: kept
    assert out["nothing"] is None


def test_long_text_is_cut_with_a_note():
    s = redact_text("y" * (MAX_PROVENANCE_CHARS * 3))
    assert len(s) < MAX_PROVENANCE_CHARS + 100 and s.endswith(f"[truncated: {MAX_PROVENANCE_CHARS * 3} chars, first "
                                                               f"{MAX_PROVENANCE_CHARS} kept]")


def secret_url(server) -> str:
    return server.openai_url.replace("http://", f"http://bob:{PASSWORD}@") + f"?api-key={QUERY_KEY}"


def test_critic_info_carries_no_credential(server, keys):
    critic = CRITICS.create("openai", base_url=secret_url(server), model="m", key_env=KEY_ENV,
                            extra_headers={"Authorization": f"Bearer {HEADER_TOKEN}"})
    text = json.dumps(critic.info())
    assert not any(s in text for s in SECRETS)
    assert "127.0.0.1" in text


def secret_args(server, tmp_path, critic: str = "openai") -> list[str]:
    (tmp_path / "settings.json").write_text("{}")
    headers = json.dumps({"Authorization": f"Bearer {HEADER_TOKEN}", "X-Trace": "on"})
    return ["--critic", critic, "--settings", str(tmp_path / "settings.json"),
            "--set", f"critic.options.openai.base_url={server.openai_url}",
            "--set", f"critic.options.openai.extra_headers={headers}",
            "--set", "critic.options.openai.model=m", "--set", f"critic.options.openai.key_env={KEY_ENV}",
            "--set", "critic.options.openai.max_retries=0"]


def test_extra_headers_are_sent(server, keys, aux, tmp_path, capsys):
    server.default = Step('{"anchors": [2]}')
    main(["sculpt", "--name", "demo", "--aux-dir", str(aux), "--out", str(tmp_path / "out"), "--rounds", "1",
          *secret_args(server, tmp_path)])
    capsys.readouterr()
    assert auth_header(server.requests[0]) == f"Bearer {HEADER_TOKEN}"
    assert {k.lower(): v for k, v in server.requests[0].headers.items()}["x-trace"] == "on"
    assert HEADER_TOKEN not in all_text(tmp_path / "out")


def all_text(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in root.rglob("*") if p.is_file())


def test_sculpt_json_and_logs_carry_no_credential(server, keys, aux, tmp_path, caplog, capsys):
    server.default = Step('{"anchors": [2]}')
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    main(["-v", "sculpt", "--name", "demo", "--aux-dir", str(aux), "--out", str(out), "--rounds", "1",
          *secret_args(server, tmp_path), "--set", f"critic.options.openai.base_url={secret_url(server)}"])
    console = capsys.readouterr()
    assert server.requests, console.err  # the request went out (httpx turns the userinfo into Basic auth) ...
    prov = (out / "demo" / "sculpt.json").read_text()
    written = all_text(out) + caplog.text + console.out + console.err
    assert not any(s in written for s in SECRETS)  # ... and no credential was written anywhere
    assert "***" in prov


@pytest.mark.slow
def test_batch_summary_carries_no_credential(server, keys, aux, tmp_path, capsys):
    out = tmp_path / "out"
    main(["batch", "--samples", "demo", "--aux-dir", str(aux), "--out", str(out), "--parallel", "1", "--no-progress",
          *secret_args(server, tmp_path, critic="heuristic"),
          "--set", f"critic.options.openai.base_url={secret_url(server)}"])
    console = capsys.readouterr()
    summary = out / "batch_summary.json"
    assert summary.exists(), console.err
    text = all_text(out) + console.out + console.err
    assert not any(s in text for s in SECRETS)
    assert json.loads(summary.read_text())["settings"]["critic"]["options"]["openai"]["extra_headers"]["X-Trace"] == "on"
