"""`models` / `models list` (no torch import, every family, discovery in the models folders and the HF cache)
and `models check` on tiny random-weight folders loaded through the normal backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.app import main
from engine.models.discovery import hf_cache_dir

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = {"sam", "sam-hf", "qwen", "qwen3", "dashscope", "openai", "clip", "sd", "grabcut", "heuristic", "opencv"}


def test_list_imports_no_torch_and_names_every_family(tmp_path):
    code = ("import sys, json, io, contextlib\nfrom engine.cli.app import main\nbuf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n    rc = main(['models', 'list', '--json'])\n"
            "heavy = sorted(m for m in ('torch', 'transformers', 'diffusers', 'segment_anything') if m in sys.modules)\n"
            "print(json.dumps({'rc': rc, 'heavy': heavy, 'rows': json.loads(buf.getvalue())}))\n")
    env = {**os.environ, "SAM_SCULPT_MODELS": str(tmp_path), "HF_HUB_CACHE": str(tmp_path / "hub"),
           "DASHSCOPE_API_KEY": "sk-listing-SECRET-value"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["rc"] == 0 and out["heavy"] == [], out["heavy"]
    rows = {row["family"]: row for row in out["rows"]}
    assert FAMILIES <= set(rows)
    assert rows["qwen3"]["backend"] == "qwen" and rows["qwen3"]["needs"] == "weights"
    assert rows["dashscope"]["key"] == "set in DASHSCOPE_API_KEY" and "SECRET" not in r.stdout
    assert rows["grabcut"]["status"] == "ready"
    assert {"3b", "7b", "7b-awq"} <= set(rows["qwen"]["variants"]) and {"2b", "4b", "8b"} == set(rows["qwen3"]["variants"])
    assert any(str(tmp_path) in w for w in rows["sam"]["looked_in"]) and rows["sam"]["status"] in ("not found", "found")


def test_discovery_finds_folders_files_and_the_hf_cache(tmp_path, monkeypatch, capsys):
    models = tmp_path / "models"
    (models / "sam").mkdir(parents=True)
    (models / "sam" / "sam_vit_b_01ec64.pth").write_bytes(b"x" * 1000)
    (models / "Qwen3-VL-4B-Instruct").mkdir()
    (models / "Qwen3-VL-4B-Instruct" / "config.json").write_text(json.dumps({"model_type": "qwen3_vl"}))
    (models / "Qwen2.5-VL-3B-Instruct").mkdir()
    (models / "Qwen2.5-VL-3B-Instruct" / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    snap = tmp_path / "hf" / "hub" / "models--facebook--sam-vit-base" / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text(json.dumps({"model_type": "sam"}))
    (snap.parent.parent / "refs").mkdir()
    (snap.parent.parent / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("SAM_SCULPT_MODELS", str(models))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert hf_cache_dir() == tmp_path / "hf" / "hub"
    assert main(["models", "list", "sam", "sam-hf", "qwen", "qwen3", "--json"]) == 0
    rows = {r["family"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["sam"]["found"][0]["variant"] == "vit_b" and rows["sam"]["found"][0]["source"].startswith("env")
    assert rows["sam-hf"]["found"][0] == {"path": str(snap), "variant": "vit-base", "size_mb": 0.0,
                                          "source": "hf cache", "model_type": "sam"}
    assert [f["variant"] for f in rows["qwen3"]["found"]] == ["4b"]  # the family is read from config.json
    assert [f["variant"] for f in rows["qwen"]["found"]] == ["3b"]
    assert main(["models", "list", "--where"]) == 0
    text = capsys.readouterr().out
    assert "models folders, in search order:" in text and "hf cache" in text


def test_unknown_family_is_one_line(capsys):
    assert main(["models", "check", "sam9"]) == 2
    err = capsys.readouterr().err
    assert "unknown model family 'sam9'" in err and len(err.strip().splitlines()) == 1


def test_check_without_weights_says_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAM_SCULPT_MODELS", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert main(["models", "check", "sam-hf"]) == 2
    err = capsys.readouterr().err
    assert "no weights found" in err and str(tmp_path) in err and "models download sam-hf" in err


@pytest.mark.slow
def test_check_loads_tiny_models_and_reports_time_memory_device(tmp_path, tiny_qwen3_dir, capsys):
    import torch

    from tests.sam.conftest import build_tiny_sam

    pth = tmp_path / "sam_vit_b_tiny.pth"
    torch.save(build_tiny_sam().state_dict(), pth)
    assert main(["models", "check", "sam", "--path", str(pth), "--device", "cpu", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["device"] == "cpu" and res["load_s"] > 0 and res["model_mb"] > 0 and "box prompt" in res["forward"]
    assert main(["models", "check", "qwen3", "--path", str(tiny_qwen3_dir), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "device cpu" in out and "load " in out and "memory: model" in out and "one generate" in out


@pytest.mark.slow
def test_segmenter_families_are_discovered_and_checked(tmp_path, monkeypatch, capsys):
    from tests.segmenters import tiny_families as tf

    models = tmp_path / "models"
    tf.build_sam2(models / "sam2.1-hiera-tiny")
    tf.build_sam_hq(models / "sam-hq-vit-base")
    tf.build_edgetam(models / "EdgeTAM-hf")
    from tests.edit.tiny_models import clip_tokenizer

    tf.build_sam3(models / "sam3", clip_tokenizer())
    monkeypatch.setenv("SAM_SCULPT_MODELS", str(models))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert main(["models", "list", "sam2", "sam-hq", "edgetam", "sam3", "--json"]) == 0
    rows = {r["family"]: r for r in json.loads(capsys.readouterr().out)}
    for fam, folder in (("sam2", "sam2.1-hiera-tiny"), ("sam-hq", "sam-hq-vit-base"), ("edgetam", "EdgeTAM-hf"),
                        ("sam3", "sam3")):
        assert rows[fam]["status"] == "found" and rows[fam]["found"][0]["path"] == str(models / folder), fam
    for fam in ("sam2", "sam-hq", "edgetam", "sam3"):  # no --path: the discovered folder is loaded by the backend
        assert main(["models", "check", fam, "--device", "cpu", "--json"]) == 0, fam
        res = json.loads(capsys.readouterr().out)
        assert res["device"] == "cpu" and "box prompt" in res["forward"] and res["model_mb"] > 0, res
        assert ("text prompt" in res["forward"]) == (fam == "sam3")


@pytest.mark.slow
def test_check_clip_tiny_folder(tmp_path, capsys):
    from tests.edit.tiny_models import build_tiny_clip, clip_tokenizer

    clip_dir = build_tiny_clip(tmp_path / "clip-vit-base-patch32", clip_tokenizer())
    assert main(["models", "check", "clip", "--path", str(clip_dir), "--device", "cpu", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["device"] == "cpu" and "similarity" in res["forward"]
