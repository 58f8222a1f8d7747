"""Checking an uploaded image by its content, never by its name. Pure."""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"),
           "WEBP": ("image/webp", "webp")}
# Pillow refuses images past this many pixels (a "decompression bomb" in a small file).
Image.MAX_IMAGE_PIXELS = 40_000_000


class ImageRefused(ValueError):
    """Why an upload is not an image a lesson may show."""


@dataclass(frozen=True)
class CheckedImage:
    name: str  # a safe file name carrying a hash of the content, e.g. trigger-point.3f9a2c1b7d.png
    content_type: str
    data: bytes


def check_image(filename: str, data: bytes) -> CheckedImage:
    if not data:
        raise ImageRefused("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageRefused("Images may be at most 2 MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ImageRefused("That file is not a PNG, JPEG or WebP image.") from None
    if kind not in FORMATS:
        raise ImageRefused(f"{kind} images are not accepted: use PNG, JPEG or WebP.")
    content_type, extension = FORMATS[kind]
    stem = re.sub(r"[^a-z0-9]+", "-", filename.rsplit(".", 1)[0].lower()).strip("-")[:60]
    digest = hashlib.sha256(data).hexdigest()[:10]
    return CheckedImage(f"{stem or 'image'}.{digest}.{extension}", content_type, data)
