"""One entry: `sam-sculpt` == `python main.py` == `python -m sam_sculpt`; window options open the
window, commands run the CLI; the import-linter contract keeps engine/ Qt-free."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sam_sculpt.launcher import wants_window

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv, window", [
    ([], True), (["gui"], True), (["--open", "x"], True), (["--open=x"], True), (["--out", "o"], True),
    (["--work", "w"], True), (["--layout", "aux"], True), (["--recover"], True), (["--no-recover"], True),
    (["--lang", "zh_CN"], True), (["--help"], False), (["-h"], False), (["--version"], False),
    (["sculpt", "--out", "o"], False), (["export", "--help"], False), (["-v", "sculpt"], False),
])
def test_window_or_cli(argv, window):
    assert wants_window(argv) is window


def _run(args, cwd):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_main_py_and_module_agree(tmp_path):
    a = _run([sys.executable, str(ROOT / "main.py"), "--help"], tmp_path)
    b = _run([sys.executable, "-m", "sam_sculpt", "--help"], ROOT)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout
    assert a.stdout.startswith("usage: sam-sculpt") and "sculpt" in a.stdout and "--open DIR" in a.stdout
    v = _run([sys.executable, str(ROOT / "main.py"), "--version"], tmp_path)
    assert v.returncode == 0 and v.stdout.startswith("sam-sculpt ")


def test_console_script_points_at_the_launcher():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'sam-sculpt = "sam_sculpt.launcher:main"' in text
    script = Path(sys.executable).parent / "sam-sculpt"
    if script.is_file():  # the editable install of the checkout
        r = _run([str(script), "--version"], ROOT)
        assert r.returncode == 0 and r.stdout.startswith("sam-sculpt ")


def test_window_without_pyside6_is_one_line():
    from tests.package.blocker import run_blocked

    r = run_blocked("""
        from sam_sculpt.launcher import main
        print("CODE", main(["--open", "nowhere"]))
    """)
    assert r.returncode == 0, r.stderr
    assert "CODE 2" in r.stdout
    assert r.stderr.strip() == "error: the annotation window needs PySide6; install it with: pip install 'sam-sculpt[gui]'"


def test_import_contract_engine_is_qt_free():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (the test extra has it)")
    r = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]
    assert "1 kept, 0 broken" in r.stdout or "0 broken" in r.stdout


def test_entry_asks_torch_for_huge_pages_before_it_loads(monkeypatch):
    """The launcher sets THP_MEM_ALLOC_ENABLE=1 (torch reads it once, at its first allocation) unless the
    user chose a value; the CLI it then runs sees the variable."""
    from engine.process_env import HUGE_PAGES_VAR
    from sam_sculpt import launcher

    seen = []
    monkeypatch.setattr("engine.cli.app.main", lambda argv: seen.append(os.environ.get(HUGE_PAGES_VAR)) or 0)
    monkeypatch.delenv(HUGE_PAGES_VAR, raising=False)
    assert launcher.main(["sculpt"]) == 0
    monkeypatch.setenv(HUGE_PAGES_VAR, "0")
    assert launcher.main(["sculpt"]) == 0
    assert seen == ["1", "0"]
