"""Images uploaded in the browser are encoded again before they are named, so what the file
carried besides its pixels stays behind, and an image past 16 megapixels is refused (issue
15, finding 8: camera make and GPS were kept, and a 7000x7000 PNG of 6 KB, 196 MB decoded in
each browser, was accepted). Files imported from a folder stay byte for byte."""
from __future__ import annotations

import io
import subprocess
import sys
import time
import warnings

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from nmt_course.config import PROJECT_ROOT
from nmt_course.content.images import check_kept_image, digest_of, image_type
from nmt_course.extensions import db
from nmt_course.learning.models import CourseImage
from tests.app.authoring_helpers import author, upload_file, write_course

BASE = "/author/courses/neck-care"
GPS_IFD, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112


def _photo(kind: str = "JPEG", size=(64, 48), orientation: int = 1) -> bytes:
    """A camera's photo: make, model and GPS position in its EXIF, a comment after it."""
    image = Image.new("RGB", size, (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "SecretCam", "Model X", orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 5.0)})
    buffer = io.BytesIO()
    if kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "home address: 1 Private Lane")
        image.save(buffer, format=kind, exif=exif, pnginfo=text)
    else:
        image.save(buffer, format=kind, exif=exif)
    return buffer.getvalue()


def _upload(app, name: str, data: bytes):
    teacher = author(app)
    write_course(teacher, publish=False)
    response = upload_file(teacher, f"{BASE}/images", "image", name, data, alt="A figure")
    with app.app_context():
        stored = db.session.scalar(select(CourseImage).where(CourseImage.course_id.is_not(None)))
        if stored is not None:
            stored = (stored.name, bytes(stored.data))
    return response, stored


@pytest.mark.parametrize("kind, name", [("JPEG", "holiday.jpg"), ("PNG", "figure.png"),
                                        ("WEBP", "figure.webp")])
def test_what_a_file_carried_besides_its_pixels_is_not_kept(app, kind, name):
    original = _photo(kind)
    assert b"SecretCam" in original
    response, (stored_name, data) = _upload(app, name, original)
    assert response.status_code == 302
    assert b"SecretCam" not in data and b"Private Lane" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == kind and image.size == (64, 48)
        assert dict(image.getexif()) == {} and "Comment" not in image.info
        assert image.convert("RGB").getpixel((5, 5))[0] > 200  # still yellow on the left
    assert stored_name == f"{name.split('.')[0]}.{digest_of(data)}.{stored_name[-4:].lstrip('.')}"


def test_a_photo_keeps_the_way_its_camera_held_it(app):
    """Orientation 6 (turned 90°): stored turned, since the tag saying so is gone."""
    response, (_, data) = _upload(app, "portrait.jpg", _photo(orientation=6))
    assert response.status_code == 302
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (48, 64)


def test_an_image_past_16_megapixels_is_refused_naming_the_limit(app):
    bomb = io.BytesIO()
    Image.new("1", (7000, 7000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 10_000  # 6 KB that a browser decodes into 196 MB
    started = time.perf_counter()
    response, stored = _upload(app, "bomb.png", bomb.getvalue())
    assert time.perf_counter() - started < 10
    assert response.status_code == 422 and stored is None
    assert "images may be at most 16 megapixels (4000×4000 pixels, say)" in response.text


def _blank_png(size) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_limit_is_16_megapixels_and_the_bomb_warning_is_an_error():
    """In a process with Python's own warning filters (pytest turns every warning into an
    error), Pillow's decompression-bomb warning refuses the image before it is read."""
    assert image_type(_blank_png((4000, 4000))) == ("image/png", "png")
    script = ("import io, sys; from PIL import Image\n"
              "from nmt_course.content.images import image_type\n"
              "for size in ((4001, 4000), (5000, 5000)):\n"
              "    buffer = io.BytesIO(); Image.new('1', size).save(buffer, format='PNG')\n"
              "    try: image_type(buffer.getvalue())\n"
              "    except ValueError as refused: print(refused)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, check=True)
    assert run.stdout.splitlines() == [
        "The image is more than 16 megapixels; images may be at most 16 megapixels "
        "(4000×4000 pixels, say): make it smaller and upload it again."] * 2
    assert "DecompressionBombWarning" not in run.stderr


def test_the_limit_holds_even_where_warnings_are_ignored():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(ValueError, match=r"The image is 4001×4000 pixels \(16.0 megapixels"
                                             r"\); images may be at most 16 megapixels"):
            image_type(_blank_png((4001, 4000)))


def test_an_image_imported_from_files_stays_byte_for_byte():
    photo = _photo()
    name = f"holiday.{digest_of(photo)}.jpg"
    assert check_kept_image(name, photo).data == photo
