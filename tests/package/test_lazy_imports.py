"""The base install: with torch, pycocotools, PySide6, transformers (and the other extras' packages)
unimportable, the CLI starts, every command's --help works, sculpt runs with the baselines, and a
format that needs a missing package says so in one line naming the extra."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from tests.package.blocker import run_blocked


def test_every_command_help_without_heavy_packages():
    r = run_blocked("""
        import contextlib, io, json
        import engine.cli.app as app
        out = {}
        for name in app.command_names() + [None]:
            argv = [name, "--help"] if name else ["--help"]
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    app.main(argv)
                code = 0
            except SystemExit as exc:
                code = exc.code
            out[name or "-"] = [code, buf.getvalue()]
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in _BLOCKED and sys.modules[m] is not None)
        print(json.dumps({"helps": out, "heavy": heavy}))
    """)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout.strip().splitlines()[-1])
    helps = data["helps"]
    assert data["heavy"] == []
    for cmd in ("sculpt", "batch", "export", "eval", "bench", "embed", "edit", "locate"):
        assert cmd in helps, sorted(helps)
    for cmd, (code, text) in helps.items():
        assert code == 0, (cmd, text)
        assert "usage: sam-sculpt" in text, (cmd, text[:200])
    top = helps["-"][1]
    assert "--open" in top and "--version" in top and "gui" in top


def test_top_level_help_imports_no_command_module():
    r = run_blocked("""
        import contextlib, io
        import engine.cli.app as app
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                app.main(["--help"])
            except SystemExit:
                pass
        print(sorted(m for m in sys.modules if m.startswith("engine.cli.commands.")))
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_version_lists_packages_without_heavy_ones():
    r = run_blocked("""
        import contextlib, io
        import engine.cli.app as app
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                app.main(["--version"])
            except SystemExit as exc:
                assert exc.code == 0
        print(buf.getvalue())
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("sam-sculpt 0.") and "numpy" in r.stdout


def test_sculpt_with_baselines_and_coco_hint(tmp_path):
    rng = np.random.default_rng(0)
    img = (rng.random((120, 160, 3)) * 60 + 80).astype(np.uint8)
    img[40:80, 50:110] = 200
    Image.fromarray(img).save(tmp_path / "scene.png")
    r = run_blocked(f"""
        from engine.cli.app import main
        code = main(["sculpt", "--image", {str(tmp_path / 'scene.png')!r}, "--box", "40,30,120,90",
                     "--out", {str(tmp_path / 'out')!r}, "--rounds", "1"])
        assert code == 0, code
        code = main(["export", "--outputs", {str(tmp_path / 'out')!r}, "--format", "coco", "--out", {str(tmp_path / 'coco')!r}])
        print("EXPORT", code)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in _BLOCKED and sys.modules[m] is not None)
        print("HEAVY", heavy)
    """, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "out" / "scene" / "final_mask.png").is_file()
    assert "EXPORT 2" in r.stdout
    err = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(err) == 1 and "pycocotools" in err[0] and "pip install 'sam-sculpt[metrics]'" in err[0], r.stderr[-1000:]
    assert "HEAVY []" in r.stdout
