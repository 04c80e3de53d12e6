"""Opening an outputs/work folder never runs code from it: autosaves are plain, versioned JSON + NPZ
(engine/io/session_store.py) and a planted pickle is ignored with one log line, never opened."""

from __future__ import annotations

import io
import json
import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from engine.io.session_store import SNAPSHOT_FILE, load_objects, load_snapshot, save_objects, save_snapshot
from engine.io.snapshot_codec import SnapshotError, decode, encode
from engine.types import Box, InstanceInfo, Point, PointLabel, Round, Square
from tests.trust.conftest import ROOT, SAMPLES


class _Touch:
    """Unpickling this creates `path`: proof that the pickle was loaded."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _plant(work: Path, marker: Path, name: str = "demo", with_marker: bool = True) -> None:
    d = work / name
    d.mkdir(parents=True)
    (d / "autosave.pkl").write_bytes(pickle.dumps({"session": True, "evil": _Touch(marker)}))
    if with_marker:
        (work / "recovery.json").write_text(json.dumps({"root": str(SAMPLES), "name": name, "dirty": True, "pid": 1}))


def test_planted_pickle_is_never_opened_by_main_gui_recover(tmp_path):
    """`main.py gui --recover` on a work folder holding a pickle (a subprocess, the user's start-up path)."""
    pytest.importorskip("PySide6")
    marker, work, out = tmp_path / "PWNED", tmp_path / "work", tmp_path / "out"
    _plant(work, marker)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SAM_SCULPT_QSETTINGS": str(tmp_path / "q.ini")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "gui", "--open", str(SAMPLES), "--out", str(out),
                             "--work", str(work), "--recover"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 10  # start-up, the recovery offer and opening demo take a few seconds
        while time.time() < deadline and proc.poll() is None and not marker.exists():
            time.sleep(0.25)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert not marker.exists(), "the pickle was loaded"
    assert (work / "demo" / "autosave.pkl").exists()  # left alone, not deleted either


def test_planted_pickle_is_never_opened_by_recovery_or_the_worker(qtbot, tmp_path, monkeypatch, caplog):
    """The window's recovery offer (as --recover answers it) and the worker's open path."""
    pytest.importorskip("PySide6")
    from gui.app import build_window
    from gui.compat import guard_none_refcount

    guard_none_refcount()
    monkeypatch.setenv("SAM_SCULPT_QSETTINGS", str(tmp_path / "q.ini"))
    marker, work, out = tmp_path / "PWNED", tmp_path / "work", tmp_path / "out"
    _plant(work, marker)
    window, _, recover = build_window(["--open", str(SAMPLES), "--out", str(out), "--work", str(work), "--recover"])
    qtbot.addWidget(window)
    try:
        assert recover == "yes"
        assert window.store.pending_recovery() is None  # a pickle is not an autosave
        assert not window.offer_recovery(recover)
        assert any("pickle file ignored" in r.getMessage() for r in caplog.records)
        window.open_folder(SAMPLES, select="demo")  # the worker's open path reads the autosave of demo
        qtbot.waitUntil(lambda: window.snapshot is not None and window.snapshot.name == "demo" and not window.busy,
                        timeout=30000)
        assert window.store.load("demo") is None
    finally:
        window.worker.stop()
    assert not marker.exists(), "the pickle was loaded"


def test_autosave_round_trip_keeps_shared_points(tmp_path):
    from gui.autosave import AutosaveStore

    p = Point(10.0, 20.0, PointLabel.NEG)
    sq = Square(1, 0, 0, 4, np.ones((4, 4), bool), np.zeros((4, 4), bool))
    state = {"session": True, "box": Box(0, 0, 50, 40), "initial_box": Box(0, 0, 50, 40), "points": [p],
             "rounds": [Round(1, squares=[sq], proposals=[p], timings={"x": 1.5})], "mask": np.eye(5, dtype=bool),
             "initial_mask": None, "instance": InstanceInfo("crab", synonyms=["shore crab"])}
    store = AutosaveStore(tmp_path)
    store.save("demo", "root", state, state["mask"])
    back = store.load("demo")
    assert back["points"][0] is back["rounds"][0].proposals[0]
    assert back["points"][0].label is PointLabel.NEG and back["box"] == Box(0, 0, 50, 40)
    assert np.array_equal(back["mask"], state["mask"]) and back["rounds"][0].squares[0].inner.all()
    assert back["instance"].synonyms == ["shore crab"] and store.pending_recovery().name == "demo"


def test_autosave_names_stay_in_the_work_folder(tmp_path):
    from gui.autosave import AutosaveStore

    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "recovery.json").write_text(json.dumps({"root": "/", "name": "../../etc", "dirty": True}))
    store = AutosaveStore(tmp_path / "work")
    assert store.pending_recovery() is None and store.load("../x") is None


# ---- the store refuses anything odd ------------------------------------------------------------------
def _rewrite(folder: Path, member: str, data: bytes) -> None:
    path = folder / SNAPSHOT_FILE
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[member] = data
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)


def _tamper(folder: Path, **changes) -> None:
    with zipfile.ZipFile(folder / SNAPSHOT_FILE) as zf:
        head = json.loads(zf.read("snapshot.json"))
    head.update(changes)
    _rewrite(folder, "snapshot.json", json.dumps(head).encode())


@pytest.mark.parametrize("changes, needle", [
    ({"version": 99}, "written by a newer version"),
    ({"version": "1"}, "without a version"),
    ({"format": "pickle"}, "not a SAM Sculpt snapshot"),
    ({"kind": "other"}, "snapshot, not"),
    ({"arrays": [1, 2]}, "bad arrays manifest"),
    ({"arrays": {"a0": {"dtype": "float64", "shape": [3, 3], "packed": True}}}, "bad manifest entry"),
    ({"arrays": {"a0": {"dtype": "bool", "shape": [30, 30], "packed": True}}}, "does not match the manifest"),
    ({"arrays": {"a0": {"dtype": "object", "shape": [2]}}}, "bad manifest entry"),
    ({"arrays": {"a0": {"dtype": "bool", "shape": [10 ** 6, 10 ** 6]}}}, "above the limit"),
    ({"doc": {"$type": "Popen", "$id": 0, "fields": {}}}, "unknown type 'Popen'"),
    ({"doc": {"$type": "Point", "$id": 0, "fields": {"x": "1", "y": 2}}}, "Point.x must be float"),
    ({"doc": {"$enum": "PointLabel", "value": "evil"}}, "is not a PointLabel"),
    ({"doc": {"$ref": 5}}, "reference 5"),
])
def test_tampered_snapshots_are_refused(tmp_path, changes, needle):
    save_objects(tmp_path, {"mask": np.ones((3, 3), bool)}, "k")
    _tamper(tmp_path, **changes)
    with pytest.raises(SnapshotError, match=needle):
        load_objects(tmp_path, "k")


def test_npz_with_a_pickled_object_array_is_refused(tmp_path):
    marker = tmp_path / "PWNED"
    save_snapshot(tmp_path, {"x": 1}, {"a0": np.zeros(2)}, "k")
    buf = io.BytesIO()
    np.save(buf, np.array([_Touch(marker)], dtype=object), allow_pickle=True)
    _rewrite(tmp_path, "a0.npy", buf.getvalue())
    with pytest.raises(SnapshotError, match="does not match the manifest|larger than its manifest"):
        load_snapshot(tmp_path, "k")
    _tamper(tmp_path, arrays={"a0": {"dtype": "float64", "shape": [1]}})
    with pytest.raises(SnapshotError):
        load_snapshot(tmp_path, "k")
    _rewrite(tmp_path, "snapshot.json", b"\x80\x04 a pickle, not JSON")
    with pytest.raises(SnapshotError, match="unreadable snapshot document"):
        load_snapshot(tmp_path, "k")
    (tmp_path / SNAPSHOT_FILE).write_bytes(pickle.dumps(_Touch(marker)))  # a pickle under the snapshot's name
    with pytest.raises(SnapshotError, match="unreadable snapshot"):
        load_snapshot(tmp_path, "k")
    assert not marker.exists()


def test_store_api_for_other_sessions(tmp_path):
    """The general API (ImageSession snapshots use it): any JSON doc + named arrays, versioned."""
    arrays = {"mask": np.zeros((4, 5), bool), "logits": np.ones((2, 2), np.float16)}
    save_snapshot(tmp_path, {"objects": [{"id": 1, "label": "crab"}]}, arrays, "image-session")
    doc, back = load_snapshot(tmp_path, "image-session")
    assert doc == {"objects": [{"id": 1, "label": "crab"}]}
    assert back["logits"].dtype == np.float16 and back["mask"].shape == (4, 5)
    save_snapshot(tmp_path, {"v": 2}, {}, "image-session")  # a later save replaces it: one file
    assert [p.name for p in tmp_path.iterdir()] == [SNAPSHOT_FILE] and load_snapshot(tmp_path)[0] == {"v": 2}
    assert load_snapshot(tmp_path / "empty") is None
    with pytest.raises(SnapshotError):
        save_snapshot(tmp_path, {"x": object()}, {}, "k")
    with pytest.raises(SnapshotError):
        save_snapshot(tmp_path, {}, {"bad name": np.zeros(1)}, "k")


def test_codec_refuses_unknown_types():
    with pytest.raises(SnapshotError, match="register"):
        encode({"x": object()})
    doc, arrays = encode({"t": (1, 2), "k": {3: "x"}, "nan": float("nan")})
    back = decode(json.loads(json.dumps(doc)), arrays)
    assert back["t"] == (1, 2) and back["k"] == {3: "x"} and np.isnan(back["nan"])
