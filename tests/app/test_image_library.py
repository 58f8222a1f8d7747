"""A course's image library (issue 21): the description kept and shown, replace under a new
name with the draft following, delete refused while something shows the image, unused
images left out of the export, the limits stated from the code, a huge picture told as
too large."""
from __future__ import annotations

import io
import zipfile

from PIL import Image
from sqlalchemy import select

from nmt_course.content import images as image_rules
from nmt_course.extensions import db
from nmt_course.learning.models import CourseImage
from tests.app.authoring_helpers import (LESSON, author, post, publish, token, upload_file,
                                         write_course)

BASE = "/author/courses/neck-care"


def png(colour=(200, 50, 50), size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, name="Neck.png", data=None, alt="The neck from the side"):
    return upload_file(client, f"{BASE}/images", "image", name, data or png(), alt=alt)


def images(app) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [(i.id, i.name, i.alt) for i in db.session.scalars(
            select(CourseImage).order_by(CourseImage.id))]


def show_in_lesson(client, name: str, slug="neck-basics") -> None:
    body = LESSON["body"] + f"\n\n![The neck from the side](/courses/neck-care/images/{name})"
    assert post(client, f"{BASE}/lessons/{slug}/edit", {**LESSON, "body": body}
                ).status_code == 302


def test_the_description_is_kept_and_shown_as_the_images_alt_text(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    assert upload(teacher).status_code == 302
    [(_, name, alt)] = images(app)
    assert alt == "The neck from the side"
    page = teacher.get(BASE).text
    assert f'alt="The neck from the side"' in page
    assert f"![The neck from the side](/courses/neck-care/images/{name})" in page


def test_the_limits_on_the_form_are_the_codes(app, monkeypatch):
    teacher = author(app)
    write_course(teacher, publish=False)
    page = teacher.get(BASE).text
    assert "at most 2 MB and 16 megapixels (4000×4000 pixels, say)" in page
    assert f'data-max-bytes="{image_rules.MAX_BYTES}"' in page


def test_a_huge_picture_is_told_as_too_large_not_as_the_wrong_type(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, format="PNG")
    response = upload(teacher, "huge.png", buffer.getvalue())
    assert response.status_code == 422
    assert "images may be at most 16 megapixels" in response.text
    assert "not a PNG" not in response.text
    assert 'value="The neck from the side"' in response.text
    assert images(app) == []


def test_replacing_keeps_the_new_picture_under_a_new_name_and_the_draft_follows(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    upload(teacher)
    [(image_id, old_name, _)] = images(app)
    show_in_lesson(teacher, old_name)
    response = upload_file(teacher, f"{BASE}/images/{image_id}/replace",
                           f"replace-{image_id}-image", "other.png", png((0, 90, 200)))
    assert response.status_code == 302
    [(_, new_name, alt)] = images(app)  # the old one showed nowhere else: gone
    assert new_name != old_name and new_name.startswith("other.")
    assert alt == "The neck from the side"  # kept when no new description is typed
    lesson = teacher.get(f"{BASE}/lessons/neck-basics/edit").text
    assert new_name in lesson and old_name not in lesson
    history = teacher.get(f"{BASE}/history/").text
    assert "Replaced the image" in history


def test_a_published_lesson_keeps_the_old_picture_until_the_draft_is_published(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    upload(teacher)
    [(image_id, old_name, _)] = images(app)
    show_in_lesson(teacher, old_name)
    assert publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"}).status_code == 302
    upload_file(teacher, f"{BASE}/images/{image_id}/replace", f"replace-{image_id}-image",
                "other.png", png((0, 90, 200)), **{f"replace-{image_id}-alt": "Side view"})
    assert [name for _, name, _ in images(app)][0] == old_name
    assert len(images(app)) == 2
    assert images(app)[1][2] == "Side view"
    refused = teacher.post(f"{BASE}/images/{image_id}/delete", data={"csrf_token": token(teacher)})
    assert refused.status_code == 409
    assert "the lesson “Neck Basics” (published)" in refused.text


def test_replacing_with_a_bad_file_says_why_on_the_form(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    upload(teacher)
    [(image_id, name, _)] = images(app)
    response = upload_file(teacher, f"{BASE}/images/{image_id}/replace",
                           f"replace-{image_id}-image", "fake.png", b"GIF89a not really")
    assert response.status_code == 422 and "not a PNG, JPEG or WebP" in response.text
    same = upload_file(teacher, f"{BASE}/images/{image_id}/replace",
                       f"replace-{image_id}-image", "Neck.png", png())
    assert same.status_code == 422 and "the same picture" in same.text
    assert [n for _, n, _ in images(app)] == [name]


def test_deleting_is_refused_while_the_draft_shows_the_image_saying_where(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    upload(teacher)
    [(image_id, name, _)] = images(app)
    show_in_lesson(teacher, name)
    refused = teacher.post(f"{BASE}/images/{image_id}/delete",
                           data={"csrf_token": token(teacher)})
    assert refused.status_code == 409
    assert "cannot be deleted: it is shown in the lesson “Neck Basics” (in the draft)" \
        in refused.text
    assert len(images(app)) == 1
    assert post(teacher, f"{BASE}/lessons/neck-basics/edit", LESSON).status_code == 302
    deleted = teacher.post(f"{BASE}/images/{image_id}/delete",
                           data={"csrf_token": token(teacher)})
    assert deleted.status_code == 302 and images(app) == []


def test_another_courses_image_is_not_found(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    upload(teacher)
    [(image_id, _, _)] = images(app)
    other = author(app, "other@example.com")
    write_course(other, "back-care", publish=False)
    response = other.post(f"/author/courses/back-care/images/{image_id}/delete",
                          data={"csrf_token": token(other)})
    assert response.status_code == 404 and len(images(app)) == 1


def test_an_image_no_lesson_shows_is_not_exported(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    upload(teacher)
    upload(teacher, "Unused.png", png((10, 10, 10)), alt="Never shown")
    (_, used, _), (_, unused, _) = images(app)
    show_in_lesson(teacher, used)
    archive = teacher.get(f"{BASE}/export.zip?draft=1")
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert f"lessons/neck-care/images/{used}" in names
    assert f"lessons/neck-care/images/{unused}" not in names
