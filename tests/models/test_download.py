"""`models download` for real against a loopback server speaking the Hugging Face file endpoints
(HF_ENDPOINT=http://127.0.0.1:PORT) serving a tiny random-weight Qwen3-VL folder, including a transfer cut
half-way that huggingface_hub resumes with a Range request; the SAM 1 URL path (resume across runs,
sha256 mismatch); offline and gated repos end as one line."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import BackendError
from engine.models.fetch_url import fetch_url
from engine.models.progress import DownloadCancelled, ProgressHook

from .hf_server import LoopbackHub

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "hf_loopbackSECRETtoken0123456789"


@pytest.fixture
def hub():
    h = LoopbackHub().start()
    yield h
    h.stop()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cli(args, tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    full.update({"HF_HUB_OFFLINE": "0", "HF_HOME": str(tmp_path / "hf_home"), "HF_HUB_DISABLE_PROGRESS_BARS": "1",
                 "SAM_SCULPT_MODELS": str(tmp_path / "models")})
    full.update(env)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "models", *args], capture_output=True, text=True,
                          env=full, cwd=tmp_path, timeout=180)


@pytest.mark.slow
def test_hf_download_resumes_a_cut_transfer_and_discovery_finds_it(hub, tiny_qwen3_dir, tmp_path):
    repo = "Qwen/Qwen3-VL-4B-Instruct"  # the catalogue's qwen3 default, served from the tiny folder
    hub.state.add_folder(repo, tiny_qwen3_dir)
    hub.state.cut_once.add(f"{repo}/model.safetensors")
    models = tmp_path / "models"
    r = cli(["download", "qwen3", "--dest", str(models)], tmp_path, HF_ENDPOINT=hub.url, HF_TOKEN=TOKEN)
    assert r.returncode == 0, r.stderr
    got = models / "Qwen3-VL-4B-Instruct"
    for f in tiny_qwen3_dir.iterdir():
        assert (got / f.name).read_bytes() == f.read_bytes(), f.name
    assert not (models / "Qwen3-VL-4B-Instruct.part").exists() and not (got / ".cache").exists()
    gets = [(p, rng) for m, p, rng, _ in hub.state.requests if m == "GET" and p.endswith("model.safetensors")]
    assert len(gets) == 2 and gets[0][1] is None and gets[1][1].startswith("bytes=")  # resumed, not restarted
    assert any(auth == f"Bearer {TOKEN}" for *_, auth in hub.state.requests)  # HF_TOKEN is sent ...
    assert TOKEN not in r.stdout + r.stderr  # ... and never printed

    listed = cli(["list", "qwen3", "--json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "found" and row["found"][0]["path"] == str(got) and row["found"][0]["variant"] == "4b"


def test_gated_repo_and_unreachable_endpoint_are_one_line(hub, tmp_path):
    hub.state.repos["facebook/sam-vit-base"] = {"config.json": b'{"model_type": "sam"}'}
    hub.state.gated.add("facebook/sam-vit-base")
    r = cli(["download", "sam-hf", "--dest", str(tmp_path / "m")], tmp_path, HF_ENDPOINT=hub.url)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "gated" in r.stderr, r.stderr
    r = cli(["download", "sam-hf", "--dest", str(tmp_path / "m")], tmp_path,
            HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "cannot reach" in r.stderr and "HF_ENDPOINT" in r.stderr
    assert not any((tmp_path / "m").glob("sam-vit-base/config.json"))


def test_sam1_url_download_resumes_across_runs_and_checks_sha256(hub, tmp_path):
    data = os.urandom(3 << 20)
    hub.state.files["sam_vit_x.pth"] = data
    hub.state.cut_once.add("sam_vit_x.pth")
    url, dest = f"{hub.url}/files/sam_vit_x.pth", tmp_path / "sam_vit_x.pth"
    sha = hashlib.sha256(data).hexdigest()
    quiet = ProgressHook(show_bar=False)
    with pytest.raises(BackendError, match="run the same command again to resume") as err:
        fetch_url(url, dest, sha, len(data), quiet, timeout_s=5)
    assert "\n" not in str(err.value)
    part = tmp_path / "sam_vit_x.pth.part"
    assert 0 < part.stat().st_size < len(data) and not dest.exists()
    seen = []
    assert fetch_url(url, dest, sha, len(data), ProgressHook(lambda d, t, w: seen.append((d, t)), show_bar=False)) == dest
    assert dest.read_bytes() == data and not part.exists()
    ranges = [rng for m, p, rng, _ in hub.state.requests if m == "GET" and p.endswith("sam_vit_x.pth")]
    assert ranges[0] is None and ranges[1] == f"bytes={len(data) // 2}-"
    assert seen[-1] == (len(data), len(data))

    hub.state.files["bad.pth"] = data
    with pytest.raises(BackendError, match="sha256 mismatch"):
        fetch_url(f"{hub.url}/files/bad.pth", tmp_path / "bad.pth", "0" * 64, None, quiet)
    assert not (tmp_path / "bad.pth").exists() and not (tmp_path / "bad.pth.part").exists()


def test_url_offline_cancel_and_deadline(hub, tmp_path):
    with pytest.raises(BackendError, match="cannot connect") as err:
        fetch_url(f"http://127.0.0.1:{closed_port()}/x.pth", tmp_path / "x.pth", hook=ProgressHook(show_bar=False),
                  timeout_s=2)
    assert "\n" not in str(err.value)
    hub.state.files["big.pth"] = os.urandom(4 << 20)
    hook = ProgressHook(show_bar=False)
    hook.cancel.set()
    with pytest.raises(DownloadCancelled, match="cancelled"):
        fetch_url(f"{hub.url}/files/big.pth", tmp_path / "big.pth", hook=hook)
    with pytest.raises(DownloadCancelled, match="deadline"):
        fetch_url(f"{hub.url}/files/big.pth", tmp_path / "big.pth", hook=ProgressHook(deadline_s=0.0, show_bar=False))
    assert not (tmp_path / "big.pth").exists()


def test_modelscope_source_uses_the_package_and_renames_the_part_folder(tmp_path, monkeypatch):
    import importlib.machinery
    import types

    from engine.errors import InputError
    from engine.models import download as dl
    from engine.models.families import get_family

    calls = []

    def stub_snapshot_download(model_id, local_dir=None):  # stub standing in for modelscope's downloader
        calls.append((model_id, local_dir))
        (Path(local_dir) / "config.json").write_text('{"model_type": "qwen3_vl"}')
        return local_dir

    fake = types.ModuleType("modelscope")
    fake.__spec__ = importlib.machinery.ModuleSpec("modelscope", None)
    fake.snapshot_download = stub_snapshot_download
    monkeypatch.setitem(sys.modules, "modelscope", fake)
    p = dl.plan(get_family("qwen3"), "4b", "modelscope", tmp_path)
    assert p.repo == "Qwen/Qwen3-VL-4B-Instruct" and p.dest == tmp_path / "Qwen3-VL-4B-Instruct"
    assert dl.download(p, ProgressHook(show_bar=False)) == p.dest
    assert calls == [("Qwen/Qwen3-VL-4B-Instruct", str(tmp_path / "Qwen3-VL-4B-Instruct.part"))]
    assert (p.dest / "config.json").is_file() and not (tmp_path / "Qwen3-VL-4B-Instruct.part").exists()
    with pytest.raises(InputError, match="no modelscope id is known"):
        dl.plan(get_family("qwen3"), "2b", "modelscope", tmp_path)
    monkeypatch.delitem(sys.modules, "modelscope")
    monkeypatch.setattr(dl, "package_installed", lambda name: name != "modelscope")
    with pytest.raises(BackendError, match="pip install modelscope"):
        dl.download(dl.plan(get_family("qwen"), "3b", "modelscope", tmp_path), ProgressHook(show_bar=False))
    assert not (tmp_path / "Qwen2.5-VL-3B-Instruct.part").exists()


@pytest.mark.slow
def test_hf_download_failed_half_way_keeps_finished_files_for_the_next_run(hub, tiny_qwen3_dir, tmp_path):
    repo = "Qwen/Qwen3-VL-4B-Instruct"
    hub.state.add_folder(repo, tiny_qwen3_dir)
    hub.state.missing.add(f"{repo}/model.safetensors")
    models = tmp_path / "models"
    r = cli(["download", "qwen3", "--dest", str(models)], tmp_path, HF_ENDPOINT=hub.url)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    part = models / "Qwen3-VL-4B-Instruct.part"
    kept = {f.name for f in part.iterdir() if f.is_file()}
    assert kept and "model.safetensors" not in kept and not (models / "Qwen3-VL-4B-Instruct").exists()
    hub.state.missing.clear()
    hub.state.requests.clear()
    r = cli(["download", "qwen3", "--dest", str(models)], tmp_path, HF_ENDPOINT=hub.url)
    assert r.returncode == 0, r.stderr
    fetched = {p.rsplit("/", 1)[-1] for m, p, *_ in hub.state.requests if m == "GET" and "/resolve/" in p}
    every = {f.name for f in tiny_qwen3_dir.iterdir()}
    assert fetched == every - kept  # what the first run finished is not fetched again
    assert ((models / "Qwen3-VL-4B-Instruct" / "model.safetensors").read_bytes()
            == (tiny_qwen3_dir / "model.safetensors").read_bytes())


def test_hf_download_without_bars_reports_progress_to_a_callback(hub, tmp_path, monkeypatch):
    """The GUI's way: no tqdm bar, a callback; in-process (huggingface_hub's offline switch lifted for the test)."""
    from huggingface_hub import constants

    from engine.models import download as dl
    from engine.models.families import get_family

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    weights = os.urandom(1 << 20)
    hub.state.repos["facebook/sam-vit-base"] = {"config.json": b'{"model_type": "sam"}', "model.safetensors": weights}
    seen = []
    hook = ProgressHook(callback=lambda d, t, w: seen.append((d, t)), show_bar=False)
    path = dl.download(dl.plan(get_family("sam-hf"), None, "hf", tmp_path), hook)
    assert path == tmp_path / "sam-vit-base" and (path / "model.safetensors").read_bytes() == weights
    total = len(weights) + len(b'{"model_type": "sam"}')
    assert seen and max(d for d, _ in seen) == total and seen[-1][1] == total
