"""Shared by the trust battery (tests/trust/): run the CLI in-process, isolated from the user's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "auxiliary"


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path_factory, monkeypatch):
    """The user's own settings.json (platformdirs) must not change what these tests see."""
    missing = tmp_path_factory.mktemp("cfg") / "settings.json"
    monkeypatch.setattr("engine.settings.user_settings_path", lambda: missing)


@pytest.fixture
def cli(capsys):
    """cli(*args) -> (exit code, stdout, stderr) of `main.py ARGS`, run in this process."""
    from engine.cli.app import main

    def run(*args) -> tuple[int, str, str]:
        capsys.readouterr()
        rc = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return rc, out, err

    return run
