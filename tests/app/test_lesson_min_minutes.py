"""A lesson's min_minutes set in the lesson editor: checked, kept in the lesson's front
matter, published to the lesson, and kept by export (issue 16); and an approved course that
claims more hours than the estimate cannot be published from the browser."""
from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from nmt_course.extensions import db
from nmt_course.learning.models import Lesson
from tests.app.authoring_helpers import LESSON, author, post, publish_draft, write_course

EDIT = "/author/courses/neck-care/lessons/neck-basics/edit"


def test_min_minutes_in_the_editor_reaches_the_lesson_and_the_export(app):
    teacher = author(app)
    write_course(teacher)
    for bad, message in (("0", "Use 1 to 240 minutes, or leave it empty."),
                         ("241", "Use 1 to 240 minutes, or leave it empty."),
                         ("ten", "Not a valid integer value.")):
        refused = post(teacher, EDIT, {**LESSON, "min_minutes": bad})
        assert refused.status_code == 422 and message in refused.text, bad
    assert post(teacher, EDIT, {**LESSON, "min_minutes": "12"}).status_code == 302
    assert 'value="12"' in teacher.get(EDIT).text
    assert publish_draft(teacher, "/author/courses/neck-care/publish",
                         {"confirm_warnings": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Lesson.min_minutes)) == 12
    files = zipfile.ZipFile(io.BytesIO(teacher.get("/author/courses/neck-care/export.zip").data))
    lesson = next(name for name in files.namelist() if name.endswith("neck-basics.md"))
    assert "min_minutes: 12" in files.read(lesson).decode()
    # Emptied, it is gone from the file.
    assert post(teacher, EDIT, {**LESSON, "min_minutes": ""}).status_code == 302
    files = zipfile.ZipFile(io.BytesIO(teacher.get(
        "/author/courses/neck-care/export.zip?draft=1").data))
    assert "min_minutes" not in files.read(lesson).decode()


def test_an_approved_course_above_its_estimate_cannot_be_published(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    settings = {"title": "Neck Care", "summary": "The neck.", "ce_hours": "0.5",
                "course_type": "Home Study", "approval_number": "NB-77", "description": ""}
    assert post(teacher, "/author/courses/neck-care/settings", settings).status_code == 302
    page = teacher.get("/author/courses/neck-care").text
    assert "a course with an approval number cannot be published while it does" in page
    refused = publish_draft(teacher, "/author/courses/neck-care/publish",
                            {"confirm_warnings": "y"})
    assert refused.status_code == 409 and "The draft has errors" in refused.text
    # Without the approval number it is a warning the author may confirm.
    settings["approval_number"] = ""
    post(teacher, "/author/courses/neck-care/settings", settings)
    assert "ce_hours 0.5 is more than" in teacher.get("/author/courses/neck-care").text
    assert publish_draft(teacher, "/author/courses/neck-care/publish",
                         {"confirm_warnings": "y"}).status_code == 302
