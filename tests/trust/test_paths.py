"""Every output lies under the folder the user chose (--out, --aux-dir, the export folder): names from
the command line or from data never climb out (engine/io/safe_paths.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.errors import InputError
from engine.io.safe_paths import listed_image, safe_join, safe_name, sanitise_stem
from tests.trust.conftest import SAMPLES


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def box(tmp_path):
    """A private copy of the bundled samples inside tmp/box/aux, outputs to tmp/box/out."""
    root = tmp_path / "box"
    shutil.copytree(SAMPLES, root / "aux", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (root / "out").mkdir()
    return root


@pytest.mark.parametrize("name", ["../../evil", "../evil", "/tmp/evil-abs", "..", "a/b", "a\\b", "", "C:evil"])
def test_sculpt_name_cannot_leave_out(cli, box, name):
    before = _files(box.parent)
    rc, _, err = cli("sculpt", "--name", name, "--aux-dir", box / "aux", "--out", box / "out")
    assert rc == 2 and "must be a plain file name" in err and err.count("\n") == 1, err
    assert _files(box.parent) == before
    assert not Path("/tmp/evil-abs").exists()


def test_image_named_dotdot_png_writes_inside_out(cli, box):
    src = box / "aux" / "images" / "demo.png"
    odd = box / "img" / "...png"  # stem '..'
    odd.parent.mkdir()
    shutil.copy(src, odd)
    rc, out, err = cli("sculpt", "--image", odd, "--box", "60,60,300,260", "--out", box / "out" / "sub")
    assert rc == 0, err
    written = _files(box / "out")
    assert written and all((box / "out" / "sub") in p.parents for p in written)
    assert (box / "out" / "sub" / "__" / "final_mask.png").exists()
    assert not (box / "out" / "final_mask.png").exists()


def test_batch_samples_cannot_leave_out(cli, box):
    before = _files(box.parent)
    rc, _, err = cli("batch", "--samples", "demo,../../x", "--aux-dir", box / "aux", "--out", box / "out", "--no-progress")
    assert rc == 2 and "'../../x'" in err
    assert _files(box.parent) == before


def test_locate_name_cannot_leave_aux(cli, box):
    before = _files(box.parent)
    rc, _, err = cli("locate", "--name", "../../x", "--target", "crab", "--aux-dir", box / "aux")
    assert rc == 2 and "must be a plain file name" in err
    assert _files(box.parent) == before


def test_output_folder_that_is_a_link_outside_is_refused(cli, box, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (box / "out" / "demo").symlink_to(outside, target_is_directory=True)
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", box / "aux", "--out", box / "out")
    assert rc == 2 and "resolves outside" in err
    assert not any(outside.iterdir())


def test_dataset_stems_are_sanitised(tmp_path):
    from engine.io.dataset import list_dataset

    folder = tmp_path / "plain"
    folder.mkdir()
    Image.new("RGB", (8, 8)).save(folder / "a b.png")
    Image.new("RGB", (8, 8)).save(folder / "ok.png")
    names = [i.name for i in list_dataset(folder, "folder")]
    assert names == ["a b", "ok"]


def test_edit_default_output_folder_stays_under_outputs(cli, box, monkeypatch):
    monkeypatch.chdir(box)
    odd = box / "img" / "...png"
    odd.parent.mkdir()
    shutil.copy(box / "aux" / "images" / "demo.png", odd)
    mask = box / "mask.png"
    m = np.zeros((360, 480), np.uint8)
    m[100:200, 100:200] = 255
    Image.fromarray(m).save(mask)
    rc, _, err = cli("edit", "--image", odd, "--prompt", "sand", "--mask", mask, "--inpainter", "opencv")
    assert rc == 0, err
    assert (box / "outputs" / "edit" / "__" / "edited.png").exists()
    assert not (box / "outputs" / "edited.png").exists()


def _fake_outputs(root: Path, name: str, image_path: str) -> None:
    d = root / name
    d.mkdir(parents=True)
    Image.fromarray(np.pad(np.full((4, 4), 255, np.uint8), 2)).save(d / "final_mask.png")
    (d / "sculpt.json").write_text(json.dumps({"name": name, "image_path": image_path, "instance": {"instance": "crab"}}))


def test_export_cod_copies_only_listed_images(cli, tmp_path):
    secret_txt = tmp_path / "secret.txt"
    secret_txt.write_text("password=hunter2")
    fake_png = tmp_path / "secret.png"  # an image suffix, not an image
    fake_png.write_text("password=hunter2")
    real = tmp_path / "real.png"
    Image.new("RGB", (8, 8), (10, 20, 30)).save(real)
    outputs = tmp_path / "outputs"
    _fake_outputs(outputs, "a", str(secret_txt))
    _fake_outputs(outputs, "b", str(fake_png))
    _fake_outputs(outputs, "c", str(real))
    _fake_outputs(outputs, "d", "/etc/passwd")
    rc, out, err = cli("export", "--format", "cod", "--outputs", outputs, "--out", tmp_path / "export")
    assert rc == 0, err
    exported = _files(tmp_path / "export")
    assert all(b"hunter2" not in p.read_bytes() and b"root:" not in p.read_bytes() for p in exported)
    imgs = sorted(p.name for p in (tmp_path / "export" / "Imgs").iterdir()) if (tmp_path / "export" / "Imgs").exists() else []
    assert imgs == ["c.png"]


# ---- the helper itself -------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["", " ", ".", "..", "...", "a/b", "a\\b", "/abs", "x\0y", "C:x", "a\nb", "n" * 300])
def test_safe_name_refuses(bad):
    with pytest.raises(InputError):
        safe_name(bad)


@pytest.mark.parametrize("stem, expected", [("..", "__"), (".", "_"), ("a/b", "a_b"), ("", "image"), ("ok", "ok"),
                                            ("a\\..\\b", "a_.._b"), ("C:evil", "C_evil"), ("caf\u00e9", "caf\u00e9")])
def test_sanitise_stem(stem, expected):
    assert sanitise_stem(stem) == expected
    safe_name(sanitise_stem(stem))


def test_safe_join(tmp_path):
    assert safe_join(tmp_path, "a", "b.png") == tmp_path / "a" / "b.png"
    for parts in (("..",), ("a", "../.."), ("/etc",)):
        with pytest.raises(InputError):
            safe_join(tmp_path, *parts)


def test_listed_image(tmp_path):
    (tmp_path / "x.png").write_text("not an image")
    Image.new("L", (4, 4)).save(tmp_path / "y.png")
    Image.new("L", (4, 4)).save(tmp_path / ".hidden.png")
    (tmp_path / "z.txt").write_text("x")
    assert listed_image(tmp_path / "x.png") is None and listed_image(tmp_path / "z.txt") is None
    assert listed_image(tmp_path / ".hidden.png") is None and listed_image(tmp_path) is None
    assert listed_image(tmp_path / "y.png") == tmp_path / "y.png"
