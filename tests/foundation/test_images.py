"""Image loading: every odd image a user has becomes RGB uint8, every bad one a one-line error naming the file."""

import io

import numpy as np
import pytest
from PIL import Image

from engine.errors import InputError
from engine.io.images import load_image, load_mask


def _save(img: Image.Image, path, **kw):
    img.save(path, **kw)
    return path


@pytest.fixture
def rgb():
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".bmp", ".webp"])
def test_formats_load_as_rgb8(tmp_path, rgb, suffix):
    path = _save(Image.fromarray(rgb), tmp_path / f"a{suffix}")
    out = load_image(path)
    assert out.dtype == np.uint8 and out.shape == (30, 40, 3)


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "LA", "CMYK", "I;16", "I", "F", "1"])
def test_modes_convert(tmp_path, rgb, mode):
    base = Image.fromarray(rgb)
    if mode == "I;16":
        img = Image.fromarray(rgb[:, :, 0].astype(np.uint16) * 257)
    elif mode == "I":
        img = Image.fromarray(rgb[:, :, 0].astype(np.int32) * 100)
    elif mode == "F":
        img = Image.fromarray(rgb[:, :, 0].astype(np.float32) / 255.0)
    else:
        img = base.convert(mode)
    suffix = ".jpg" if mode == "CMYK" else ".tif" if mode in ("I", "F") else ".png"
    path = _save(img, tmp_path / f"m{suffix}")
    out = load_image(path)
    assert out.dtype == np.uint8 and out.shape == (30, 40, 3)


def test_16bit_keeps_the_full_range(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (8, 1))
    path = _save(Image.fromarray(ramp), tmp_path / "deep.png")
    out = load_image(path)
    assert out[0, 0, 0] == 0 and out[0, -1, 0] == 255  # scaled, not clipped to 255/65535


def test_rgba_is_composited_on_white(tmp_path):
    arr = np.zeros((4, 4, 4), np.uint8)  # fully transparent black
    out = load_image(_save(Image.fromarray(arr), tmp_path / "t.png"))
    assert (out == 255).all()


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif.tobytes())
    assert load_image(path).shape == (40, 20, 3)


def test_huge_image_refused_before_decoding(tmp_path):
    path = _save(Image.new("RGB", (200, 100)), tmp_path / "big.png")
    with pytest.raises(InputError, match=r"big\.png: image is 200x100.*above the limit"):
        load_image(path, max_pixels=10_000)


@pytest.mark.parametrize(
    "content, pattern",
    [
        (b"", "not an image"),
        (b"this is text, not pixels", "not an image"),
        (None, "corrupt or truncated"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, rgb, content, pattern):
    path = tmp_path / "bad.png"
    if content is None:
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, format="PNG")
        content = buf.getvalue()[: len(buf.getvalue()) // 2]
    path.write_bytes(content)
    with pytest.raises(InputError, match=pattern) as err:
        load_image(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(InputError, match="is a folder"):
        load_image(tmp_path)


def test_mask_loading_and_size_check(tmp_path):
    m = np.zeros((10, 12), np.uint8)
    m[2:5, 3:7] = 255
    path = _save(Image.fromarray(m), tmp_path / "m.png")
    assert load_mask(path).sum() == 12
    with pytest.raises(InputError, match="mask is 12x10 but the image is 20x10"):
        load_mask(path, (10, 20))
