"""Load any image a user has into RGB uint8, or fail with one line naming the file."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import InputError

DEFAULT_MAX_PIXELS = 100_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
_limit = DEFAULT_MAX_PIXELS


def pixel_limit() -> int:
    """The largest width x height read when a caller gives no limit (settings io.max_pixels)."""
    return _limit


def set_pixel_limit(max_pixels: int | None) -> None:
    global _limit
    _limit = int(max_pixels) if max_pixels else DEFAULT_MAX_PIXELS


@contextlib.contextmanager
def open_checked(path: str | Path, max_pixels: int | None = None, what: str = "image") -> Iterator[Image.Image]:
    """The PIL image of `path`, opened (header only) and refused with one line when it is missing,
    a folder, not an image, or above max_pixels (default: pixel_limit()) BEFORE anything is decoded.
    PIL's process-wide MAX_IMAGE_PIXELS stays a finite limit (raised only up to a larger max_pixels)."""
    path = Path(path)
    limit = int(max_pixels) if max_pixels else pixel_limit()
    if not path.exists():
        raise InputError(f"{path}: file not found" if what == "image" else f"{path}: {what} file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an {what} file" if what[0] in "aeiou" else f"{path}: is a folder, not a {what} file")
    if Image.MAX_IMAGE_PIXELS is not None and limit > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = limit  # PIL's own bomb check (errors at 2x) must not undercut a larger limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our limit below, clearer message
            img = Image.open(path)
    except Image.DecompressionBombError:
        raise InputError(f"{path}: {what} dimensions far above the limit of {limit / 1e6:.0f} MP "
                         "(a decompression bomb?); not decoded") from None
    except UnidentifiedImageError:
        raise InputError(f"{path}: not an image or an unsupported format") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: corrupt or unreadable {what} ({exc})") from None
    with img:
        w, h = img.size
        if w * h > limit:
            raise InputError(f"{path}: {what} is {w}x{h} = {w * h / 1e6:.0f} MP, above the limit of {limit / 1e6:.0f} MP "
                             "(raise io.max_pixels in the settings to allow it)")
        yield img


def check_image_file(path: str | Path, max_pixels: int | None = None, what: str = "image") -> tuple[int, int]:
    """(width, height) from the header, after the checks of open_checked (nothing decoded)."""
    with open_checked(path, max_pixels, what) as img:
        return img.size


def load_image(path: str | Path, max_pixels: int | None = None) -> np.ndarray:
    """RGB uint8 (H, W, 3). EXIF orientation applied; grey, palette, RGBA (composited on white),
    CMYK and 16-bit/float images converted; images above max_pixels refused before decoding."""
    path = Path(path)
    with open_checked(path, max_pixels) as img:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img.load()
                img = ImageOps.exif_transpose(img) or img
                return _to_rgb8(img)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise InputError(f"{path}: corrupt or truncated image ({exc})") from None


def _to_rgb8(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img).astype(np.float64)
        hi = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        if mode == "F":
            hi = max(float(arr.max()), 1e-9) if arr.max() > 1.0 else 1.0
        grey = np.clip(arr / hi * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"), dtype=np.uint8).copy()
    if mode != "RGB":
        img = img.convert("RGB")
    arr = np.asarray(img)
    if arr.dtype != np.uint8:  # e.g. 48-bit RGB TIFF
        arr = (arr.astype(np.float64) / 257.0).round().astype(np.uint8)
    return np.ascontiguousarray(arr)


def load_mask(path: str | Path, shape: tuple[int, int] | None = None, max_pixels: int | None = None) -> np.ndarray:
    """A mask file as bool (H, W): any non-zero pixel (of the first channel) is object. The pixel limit
    applies as for images (checked on the header, before decoding)."""
    path = Path(path)
    with open_checked(path, max_pixels, "mask") as img:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img = ImageOps.exif_transpose(img) or img
                arr = np.asarray(img.convert("L") if img.mode not in ("L", "1", "I;16", "I") else img)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise InputError(f"{path}: not a readable mask image ({exc})") from None
    if arr.ndim != 2 or arr.size == 0:
        raise InputError(f"{path}: not a single-channel mask image")
    mask = arr > (127 if arr.dtype == np.uint8 and arr.max() > 1 else 0)
    if shape is not None and mask.shape != tuple(shape):
        raise InputError(f"{path}: mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}")
    return mask


def image_size(path: str | Path, max_pixels: int | None = None) -> tuple[int, int]:
    """(width, height) after EXIF orientation, read from the header only."""
    with open_checked(path, max_pixels) as img:
        w, h = img.size
        try:
            orientation = img.getexif().get(0x0112, 1)
        except (OSError, SyntaxError, ValueError):
            orientation = 1
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
