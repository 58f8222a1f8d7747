"""Images a lesson shows: checked by their content, never by their name. Pure."""
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


# A kept image's name: words, the first 10 hex digits of its SHA-256, its type's extension.
KEPT_NAME = re.compile(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(?P<digest>[0-9a-f]{10})\.(?P<ext>png|jpg|webp)$")


def image_type(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a PNG, JPEG or WebP image, or ImageRefused."""
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
    return FORMATS[kind]


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def check_image(filename: str, data: bytes) -> CheckedImage:
    """An uploaded image, named after its file and its content."""
    content_type, extension = image_type(data)
    stem = re.sub(r"[^a-z0-9]+", "-", filename.rsplit(".", 1)[0].lower()).strip("-")[:60]
    return CheckedImage(f"{stem or 'image'}.{digest_of(data)}.{extension}", content_type, data)


def check_kept_image(name: str, data: bytes) -> CheckedImage:
    """An image file of an exported course: its name must be the one the site gave it."""
    match = KEPT_NAME.match(name)
    if not match:
        raise ImageRefused("image files are named like trigger-point.3f9a2c1b7d.png (words, "
                           "the start of the image's SHA-256, its type)")
    content_type, extension = image_type(data)
    if extension != match["ext"] or digest_of(data) != match["digest"]:
        raise ImageRefused(f"the name does not match the image: it is a {extension} whose "
                           f"hash starts {digest_of(data)}")
    return CheckedImage(name, content_type, data)
