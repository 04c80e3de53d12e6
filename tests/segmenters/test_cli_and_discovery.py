"""`sculpt --segmenter sam2|sam-hq|edgetam|sam3 --set segmenter.options.NAME.model_dir=DIR` with each tiny folder
(in process); discovery under segmenter.options.NAME.models_dir (variant preferred) and in the Hugging Face cache
layout (models--ORG--NAME/snapshots/<rev>/, HF_HUB_CACHE pointed at a temp dir)."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.cli.app import main as cli_main
from engine.errors import BackendError
from engine.io.atomic import write_image
from engine.io.images import load_image
from engine.registry import SEGMENTERS
from engine.samples import generate_scene
from engine.segmenters import discovery


@pytest.fixture()
def dirs(sam2_dir, sam_hq_dir, edgetam_dir, sam3_dir):
    return {"sam2": sam2_dir, "sam-hq": sam_hq_dir, "edgetam": edgetam_dir, "sam3": sam3_dir}


@pytest.mark.parametrize("name", ["sam2", "sam-hq", "edgetam", "sam3"])
def test_sculpt_cli_with_each_tiny_folder(name, dirs, tmp_path):
    scene = generate_scene(seed=9, size=(240, 180))
    image = tmp_path / "scene.png"
    write_image(image, scene.image)
    write_image(tmp_path / "gt.png", scene.gt)
    box = ",".join(str(int(v)) for v in scene.box.as_list())
    argv = ["sculpt", "--image", str(image), "--box", box, "--gt", str(tmp_path / "gt.png"), "--segmenter", name,
            "--set", f"segmenter.options.{name}.model_dir={dirs[name]}", "--out", str(tmp_path / "out"), "--clean-output"]
    assert cli_main(argv) == 0
    assert load_image(tmp_path / "out" / "scene" / "final_mask.png").shape[:2] == (180, 240)
    assert name in json.dumps(json.loads((tmp_path / "out" / "scene" / "sculpt.json").read_text()))


def test_sculpt_cli_bad_model_dir_is_exit_2(tmp_path, capsys):
    scene = generate_scene(seed=9, size=(120, 90))
    write_image(tmp_path / "s.png", scene.image)
    argv = ["sculpt", "--image", str(tmp_path / "s.png"), "--box", "10,10,60,60", "--segmenter", "sam2",
            "--set", f"segmenter.options.sam2.model_dir={tmp_path / 'missing'}", "--out", str(tmp_path / "out")]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "model folder not found" in err[-1]


def test_discovery_under_models_dir_prefers_the_variant(dirs, tmp_path):
    root = tmp_path / "models"
    shutil.copytree(dirs["sam2"], root / "sam2.1-hiera-tiny")
    shutil.copytree(dirs["sam2"], root / "sam2-hiera-small-hf")
    shutil.copytree(dirs["sam-hq"], root / "sam-hq-vit-base")  # another family: ignored by sam2
    seg = SEGMENTERS.create("sam2", models_dir=str(root), disk_cache=False, variant="small")
    assert seg.model_dir.name == "sam2-hiera-small-hf" and seg.variant == "small"
    found = discovery.discover("sam2", str(root), "sam2.1-tiny")
    assert found.path.name == "sam2.1-hiera-tiny" and found.variant == "sam2.1-tiny" and found.source == "setting"
    assert discovery.discover("sam-hq", str(root)).path.name == "sam-hq-vit-base"
    assert discovery.discover("edgetam", str(root)) is None


def test_discovery_in_the_hf_cache_layout(dirs, tmp_path, monkeypatch):
    cache = tmp_path / "hf_hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    repo = cache / "models--yonigozlan--EdgeTAM-hf"
    shutil.copytree(dirs["edgetam"], repo / "snapshots" / "0123abcd")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    seg = SEGMENTERS.create("edgetam", models_dir=str(tmp_path / "empty"), disk_cache=False)
    assert seg.model_dir == (repo / "snapshots" / "0123abcd").resolve() and seg.variant == "edgetam"
    found = discovery.discover("edgetam", str(tmp_path / "empty"))
    assert found.source == "hf cache"
    # a repo the catalogue does not name is still found by its config's model_type
    other = cache / "models--someone--my-sam2"
    shutil.copytree(dirs["sam2"], other / "snapshots" / "feed")
    assert discovery.discover("sam2", str(tmp_path / "empty")).path == other / "snapshots" / "feed"


def test_nothing_found_names_where_it_looked(tmp_path):
    with pytest.raises(BackendError, match="no model_dir given and no SAM 3 folder found.*Hugging Face cache"):
        SEGMENTERS.create("sam3", models_dir=str(tmp_path / "empty"), disk_cache=False)


def test_catalogue_repos_for_every_family():
    for name in ("sam2", "sam-hq", "edgetam", "sam3"):
        entry = SEGMENTERS.describe(name)
        assert entry["default_variant"] in entry["repos"]
        assert all("/" in r["hf"] for r in entry["repos"].values())
