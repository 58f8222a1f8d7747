"""Images a lesson shows: checked by their content, never by their name. Pure."""
from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
# The largest request an image form reads at all (the file beyond MAX_BYTES is not read): a
# phone's photo of 5 to 10 MB is answered on the form, with what was typed kept, not with a
# bare "too large" page. Larger files are spooled to disk while the form is parsed.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"),
           "WEBP": ("image/webp", "webp")}
# Every browser that shows an image decodes all its pixels: a 7000x7000 PNG of 6 KB is 196 MB
# in each. 16 megapixels is more than a lesson's figure or a phone's photo needs.
MAX_PIXELS = 16_000_000
MAX_SIDE = 4000  # the side of a square image at the pixel limit, as the messages say
# Pillow warns past this many pixels and refuses past twice as many: refuse at once.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)


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
        raise ImageRefused(f"The file is larger than {megabytes(MAX_BYTES)}; images may be at "
                           f"most {megabytes(MAX_BYTES)}: make it smaller and upload it again.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if width * height <= MAX_PIXELS:  # read no further into one that is too large
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageRefused(_TOO_LARGE.format(
            size=f"more than {MAX_PIXELS / 1e6:.0f} megapixels")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused("That file is not a PNG, JPEG or WebP image.") from None
    if width * height > MAX_PIXELS:
        raise ImageRefused(_TOO_LARGE.format(
            size=f"{width}×{height} pixels ({width * height / 1e6:.1f} megapixels)"))
    if kind not in FORMATS:
        raise ImageRefused(f"{kind} images are not accepted: use PNG, JPEG or WebP.")
    return FORMATS[kind]


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def limits_text() -> str:
    """The limits as the upload forms state them."""
    return (f"PNG, JPEG or WebP, at most {megabytes(MAX_BYTES)} and "
            f"{MAX_PIXELS / 1e6:.0f} megapixels ({MAX_SIDE}×{MAX_SIDE} pixels, say)")


_TOO_LARGE = ("The image is {size}; images may be at most "
              f"{MAX_PIXELS / 1e6:.0f} megapixels ({MAX_SIDE}×{MAX_SIDE} pixels, say): make "
              "it smaller and upload it again.")


def reencoded(data: bytes, kind: str) -> bytes:
    """The image decoded and encoded again, as it shows (turned as its camera said): what
    else the file carried (camera make, GPS position, comments, anything hidden after the
    image) stays behind. Only its colour profile is kept, so its colours stay true."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        profile = opened.info.get("icc_profile")
    # Pillow writes only what it is given (EXIF, text chunks) besides what the pixels need
    # (a palette's transparency).
    options = {"icc_profile": profile} if profile else {}
    if kind in ("JPEG", "WEBP"):
        options.update(quality=90)
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def check_image(filename: str, data: bytes) -> CheckedImage:
    """An image uploaded in the browser, encoded again without its metadata, and named after
    its file and its new content."""
    content_type, extension = image_type(data)
    kind = next(kind for kind, (_, ext) in FORMATS.items() if ext == extension)
    try:
        data = reencoded(data, kind)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
        raise ImageRefused("That file is not a PNG, JPEG or WebP image.") from None
    if len(data) > MAX_BYTES:
        raise ImageRefused(f"Images may be at most {megabytes(MAX_BYTES)} (this one is larger "
                           "once its pixels are stored plainly): make it smaller.")
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
