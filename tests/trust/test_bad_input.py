"""Bad input ends as ONE line naming the file and the problem, exit code 2, never a traceback; the
pixel limit applies to every image and mask read; a full disk is one line too."""

from __future__ import annotations

import errno
import json
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.errors import InputError
from engine.io.annotations import parse_box_arg, read_boxes, read_instance
from engine.io.images import load_image, load_mask
from tests.trust.conftest import SAMPLES


@pytest.fixture
def aux(tmp_path) -> Path:
    root = tmp_path / "aux"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return root


def _one_line(rc: int, err: str, *needles: str) -> None:
    assert rc == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in err, err


# ---- box files and llm_out ----------------------------------------------------------------------
@pytest.mark.parametrize("content, needle", [
    ('{"boxes": [[' + "9" * 400 + ', 1, 2, 3]]}', "box 0 is not four numbers"),
    ('{"boxes": [[1e999, 1, 2, 3]]}', "box 0 is not four numbers"),
    ('{"boxes": [[NaN, 1, 2, 3]]}', "box 0 is not four numbers"),
    ('{"boxes": [[1, 2, 3, ' + "7" * 5000 + ']]}', "unusable JSON"),
    ("[" * 100_000, "nested too deeply"),
    ('{"boxes": [[true, 1, 200, 200]]}', "box 0 is not four numbers"),
])
def test_bad_box_files(cli, aux, tmp_path, content, needle):
    box_file = aux / "box_out" / "demo" / "demo_sam_boxes.json"
    box_file.write_text(content)
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out")
    _one_line(rc, err, str(box_file), needle)


def test_box_file_that_is_a_folder(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_boxes(tmp_path, (10, 10))


@pytest.mark.parametrize("text", ["", "1,2,3", "1,2,3,inf", "nan,1,2,3", "1,2,3," + "9" * 400, "a,b,c,d"])
def test_box_argument(text):
    with pytest.raises(InputError, match="--box"):
        parse_box_arg(text)


def test_empty_box_argument_is_refused(cli, aux, tmp_path):
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out", "--box", "")
    _one_line(rc, err, "--box ''")
    assert not (tmp_path / "out").exists()


def test_llm_out_lists_and_junk(tmp_path):
    path = tmp_path / "x_output.json"
    path.write_text(json.dumps({"instance": ["crab", "fish"], "reason": "two names"}))
    info = read_instance(path)
    assert info.name == "crab" and "fish" in info.synonyms and "[" not in info.name
    for bad in ({"instance": {"name": "crab"}}, {"instance": "crab", "cues": [1, 2]}, {"instance": "crab", "reason": 5}):
        path.write_text(json.dumps(bad))
        with pytest.raises(InputError, match=str(path).replace("\\", "\\\\")):
            read_instance(path)
    path.write_text("[" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_instance(path)


# ---- decompression bombs: the header is checked, nothing is decoded -------------------------------
def _png_header_only(path: Path, width: int, height: int, colour_type: int = 0) -> Path:
    """A PNG whose header claims width x height (8-bit) with a tiny IDAT: decoding it whole would need
    width*height bytes; the limit must refuse it from the header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\0" * (width + 1) * 4)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("side", [12_000, 40_000])  # 144 MP (PIL would only warn), 1.6 GP (PIL would raise)
def test_bomb_as_gt(cli, aux, tmp_path, side):
    bomb = _png_header_only(tmp_path / "bomb.png", side, side)
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out", "--gt", bomb)
    _one_line(rc, err, str(bomb))
    assert "above the limit" in err or "decompression bomb" in err


def test_bomb_as_init_mask(cli, aux, tmp_path):
    bomb = _png_header_only(tmp_path / "bomb.png", 20_000, 20_000)
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out", "--init-mask", bomb)
    _one_line(rc, err, str(bomb))
    assert "above the limit" in err or "decompression bomb" in err


def test_bomb_as_eval_gt(cli, tmp_path):
    pred, gt = tmp_path / "pred", tmp_path / "gt"
    pred.mkdir()
    gt.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(pred / "a.png")
    _png_header_only(gt / "a.png", 15_000, 15_000)
    rc, _, err = cli("eval", "--pred", pred, "--gt", gt)
    _one_line(rc, err, str(gt / "a.png"))


def test_limits_apply_to_masks_and_are_never_lifted(tmp_path):
    from PIL import Image as PILImage

    small = tmp_path / "m.png"
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(small)
    with pytest.raises(InputError, match="above the limit"):
        load_mask(small, max_pixels=5000)
    with pytest.raises(InputError, match="above the limit"):
        load_image(small, max_pixels=5000)
    load_image(small)
    assert PILImage.MAX_IMAGE_PIXELS is not None  # load_image no longer lifts PIL's limit for the whole process


def test_set_io_max_pixels_governs_gt_reads(cli, aux, tmp_path):
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out",
                     "--gt", aux / "gt" / "demo.png", "--set", "io.max_pixels=1000")
    _one_line(rc, err, "above the limit")


# ---- a full disk ------------------------------------------------------------------------------
@pytest.fixture
def disk_full(monkeypatch):
    import engine.io.atomic as atomic

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_space)


def test_disk_full_in_sculpt(cli, aux, tmp_path, disk_full):
    rc, _, err = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out")
    _one_line(rc, err, "No space left on device", str(tmp_path / "out" / "demo"))
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_disk_full_in_export(cli, tmp_path, monkeypatch):
    outputs = tmp_path / "outputs" / "a"
    outputs.mkdir(parents=True)
    Image.fromarray(np.pad(np.full((4, 4), 255, np.uint8), 2)).save(outputs / "final_mask.png")
    import engine.io.atomic as atomic

    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    rc, _, err = cli("export", "--format", "png", "--outputs", tmp_path / "outputs", "--out", tmp_path / "export")
    _one_line(rc, err, "No space left on device", str(tmp_path / "export"))


def test_disk_full_in_eval(cli, tmp_path, disk_full):
    pred, gt = tmp_path / "pred", tmp_path / "gt"
    pred.mkdir()
    gt.mkdir()
    m = np.zeros((16, 16), np.uint8)
    m[4:12, 4:12] = 255
    Image.fromarray(m).save(pred / "a.png")
    Image.fromarray(m).save(gt / "a.png")
    rc, _, err = cli("eval", "--pred", pred, "--gt", gt, "--out", tmp_path / "metrics")
    _one_line(rc, err, "No space left on device", str(tmp_path / "metrics"))


def test_disk_full_in_batch_summary(cli, aux, tmp_path, disk_full):
    rc, out, err = cli("batch", "--samples", "demo", "--aux-dir", aux, "--out", tmp_path / "out", "--no-progress")
    assert rc == 2 and "Traceback" not in err and "No space left on device" in err
    assert err.strip().splitlines()[-1].startswith("error: ") and "batch_summary" in err


# ---- batch -------------------------------------------------------------------------------------
def test_batch_failure_line_names_the_file_once(cli, aux, tmp_path):
    bad = aux / "images" / "moth.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    rc, out, err = cli("batch", "--samples", "moth", "--aux-dir", aux, "--out", tmp_path / "out", "--no-progress")
    assert rc == 1
    line = next(ln for ln in out.splitlines() if "failed:" in ln)
    assert line.count(str(bad)) == 1, line
    failures = (tmp_path / "out" / "batch_failures.txt").read_text()
    assert failures.count(str(bad)) == 1, failures


def test_batch_init_masks_follow_exif_rotation(cli, aux, tmp_path):
    """An image stored 480x360 with EXIF orientation 6 is shown (and sculpted) as 360x480: a mask of
    that size is accepted, as `sculpt --init-mask` accepts it."""
    src = Image.open(aux / "images" / "demo.png").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6
    (aux / "images" / "demo.png").unlink()
    src.save(aux / "images" / "demo.jpg", exif=exif.tobytes(), quality=95)
    shutil.rmtree(aux / "box_out" / "demo")  # the ROI comes from the imported mask
    (aux / "gt" / "demo.png").unlink()  # the GT is stored unrotated
    masks = tmp_path / "masks"
    masks.mkdir()
    m = np.zeros((480, 360), np.uint8)
    m[150:330, 90:270] = 255
    Image.fromarray(m).save(masks / "demo.png")
    rc, out, err = cli("batch", "--samples", "demo", "--aux-dir", aux, "--out", tmp_path / "out", "--no-progress",
                       "--init-masks", masks)
    assert rc == 0, out + err
    final = np.asarray(Image.open(tmp_path / "out" / "demo" / "final_mask.png"))
    assert final.shape == (480, 360)
    rc2, _, err2 = cli("sculpt", "--name", "demo", "--aux-dir", aux, "--out", tmp_path / "out2", "--init-mask", masks / "demo.png")
    assert rc2 == 0, err2
