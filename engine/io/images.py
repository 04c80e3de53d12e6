"""Load any image a user has into RGB uint8, or fail with one line naming the file."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.errors import InputError

DEFAULT_MAX_PIXELS = 100_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")


def load_image(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """RGB uint8 (H, W, 3). EXIF orientation applied; grey, palette, RGBA (composited on white),
    CMYK and 16-bit/float images converted; images above max_pixels refused before decoding."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = None  # our own limit below applies, with a clearer message
            with Image.open(path) as img:
                w, h = img.size
                if w * h > max_pixels:
                    raise InputError(
                        f"{path}: image is {w}x{h} = {w * h / 1e6:.0f} MP, above the limit of {max_pixels / 1e6:.0f} MP "
                        "(raise max_pixels in the settings to allow it)"
                    )
                img.load()
                img = ImageOps.exif_transpose(img) or img
                return _to_rgb8(img)
    except InputError:
        raise
    except UnidentifiedImageError:
        raise InputError(f"{path}: not an image or an unsupported format") from None
    except (OSError, SyntaxError, ValueError) as exc:
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


def load_mask(path: str | Path, shape: tuple[int, int] | None = None) -> np.ndarray:
    """A mask file as bool (H, W): any non-zero pixel (of the first channel) is object."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: mask file not found")
    try:
        with Image.open(path) as img:
            img = ImageOps.exif_transpose(img) or img
            arr = np.asarray(img.convert("L") if img.mode not in ("L", "1", "I;16", "I") else img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not a readable mask image ({exc})") from None
    mask = arr > (127 if arr.dtype == np.uint8 and arr.max() > 1 else 0)
    if shape is not None and mask.shape != tuple(shape):
        raise InputError(f"{path}: mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}")
    return mask


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) after EXIF orientation, read from the header only."""
    path = Path(path)
    try:
        with Image.open(path) as img:
            w, h = img.size
            orientation = img.getexif().get(0x0112, 1)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"{path}: not a readable image ({exc})") from None
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
