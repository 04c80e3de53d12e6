"""The model folder search order: setting, SAM_SCULPT_MODELS, the user data dir, the checkout."""

from __future__ import annotations

import os

from engine.models import locations as loc


def test_order_and_sources(tmp_path, monkeypatch):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    b.mkdir()
    c.mkdir()
    monkeypatch.setenv(loc.ENV_VAR, f"{b}{os.pathsep}{c}")
    order = loc.search_order(a)
    assert [o.source for o in order[:3]] == ["setting", f"env {loc.ENV_VAR}", f"env {loc.ENV_VAR}"]
    assert order[3].source == "user data dir" and order[3].path == loc.user_models_dir()
    assert order[-1].source == "checkout"  # the tests run from a checkout
    assert not order[0].exists and order[1].exists
    assert loc.find_models_dir(a) == b  # the setting is missing: the next existing folder
    assert loc.find_models_dir(c) == c
    assert "missing" in loc.describe_search(a) and str(a) in loc.describe_search(a)
    rows = loc.search_order_table(a)
    assert rows[0] == {"path": str(a), "source": "setting", "exists": False}


def test_duplicates_removed_and_discovery_skips_empty_folders(tmp_path, monkeypatch):
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.mkdir()
    full.mkdir()
    (full / "w.pth").write_bytes(b"x")
    monkeypatch.setenv(loc.ENV_VAR, f"{empty}{os.pathsep}{full}{os.pathsep}{empty}")
    paths = [o.path for o in loc.search_order()]
    assert paths.count(empty) == 1
    hit = loc.find_in_locations(lambda d: next(iter(sorted(d.glob("*.pth"))), None))
    assert hit is not None and hit[0] == full / "w.pth" and hit[1].source == f"env {loc.ENV_VAR}"


def test_sam_error_names_the_search(tmp_path, monkeypatch):
    from engine.segmenters.sam_common import discover_weights

    monkeypatch.setenv(loc.ENV_VAR, str(tmp_path / "nowhere"))
    hit, searched = discover_weights(lambda d: None, None)
    assert hit is None and str(tmp_path / "nowhere") in searched and "user data dir" in searched
    hit, searched = discover_weights(lambda d: d, str(tmp_path))
    assert hit == tmp_path and "setting" in searched
