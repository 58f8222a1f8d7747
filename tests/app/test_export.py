"""Courses travel as files: export writes them back, import of the export reproduces them,
and export(import(export(x))) is export(x), file for file."""
from __future__ import annotations

import pytest
import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from nmt_course.config import PROJECT_ROOT
from nmt_course.extensions import db
from nmt_course.learning.models import Course, CourseImage, Lesson
from nmt_course.quizzes.models import QuizVersion
from tests.app.authoring_helpers import LESSON, author, post, publish, write_course
from tests.app.test_authoring import png, upload
from tests.helpers import built_once


def tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def export(runner, folder: Path, *args: str) -> dict[str, bytes]:
    result = runner.invoke(args=["content", "export", str(folder), *args])
    assert result.exit_code == 0, result.output
    return tree(folder)


def import_from(app, runner, folder: Path) -> None:
    result = runner.invoke(args=["content", "import", str(folder), "--force"])
    assert result.exit_code == 0, result.output


def shipped_course_imported(app, runner) -> None:
    """The shipped course as `content import` leaves it: imported through the command once
    per test process and database, then put back from its rows."""
    built_once(app, "shipped course", lambda: import_from(app, runner, PROJECT_ROOT))


def empty_database(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def snapshot(app) -> dict:
    """What learners are shown of every course."""
    with app.app_context():
        return {
            "courses": [(c.slug, c.title, str(c.ce_hours), c.description_html, c.status)
                        for c in db.session.scalars(select(Course).order_by(Course.slug))],
            "lessons": [(lesson.slug, lesson.position, lesson.title, lesson.body_html)
                        for lesson in db.session.scalars(select(Lesson).order_by(Lesson.slug))],
            "quizzes": sorted(str(v.source) for v in db.session.scalars(select(QuizVersion))),
            "images": sorted((i.name, i.size) for i in db.session.scalars(select(CourseImage))),
        }


def test_the_shipped_course_survives_a_round_trip_file_for_file(app, runner, tmp_path):
    import_from(app, runner, PROJECT_ROOT)
    first = export(runner, tmp_path / "first")
    shipped = {name: path.read_bytes() for name, path in (
        (str(p.relative_to(PROJECT_ROOT)), p) for p in sorted(
            (PROJECT_ROOT / "lessons").rglob("*.md")) + sorted(
            (PROJECT_ROOT / "lessons").rglob("images/*.png")) + sorted(
            (PROJECT_ROOT / "quizzes").rglob("*.yaml")))}
    assert any("/images/" in name for name in shipped)  # the figures travel too
    assert first == shipped  # what was imported is what comes out
    before = snapshot(app)
    empty_database(app)
    import_from(app, runner, tmp_path / "first")
    assert snapshot(app) == before
    assert export(runner, tmp_path / "second") == first


@pytest.mark.dialect("binary columns")
def test_a_course_written_in_the_browser_survives_a_round_trip_with_its_images(
        app, runner, tmp_path):
    teacher = author(app)
    write_course(teacher, publish=False)
    assert upload(teacher, "Neck Diagram.png", png()).status_code == 302
    with app.app_context():
        name = db.session.scalar(select(CourseImage.name))
    post(teacher, "/author/courses/neck-care/lessons/neck-basics/edit", {
        **LESSON, "body": f"## With a picture\n\n![neck](/courses/neck-care/images/{name})"})
    publish(teacher, "/author/courses/neck-care/publish", {"confirm_warnings": "y"})
    post(teacher, "/author/courses/neck-care/lessons/neck-basics/edit", {
        **LESSON, "body": "## Draft only\n\nNot published yet."})

    first = export(runner, tmp_path / "first")
    assert f"lessons/neck-care/images/{name}" in first
    assert b"With a picture" in first["lessons/neck-care/01-neck-basics.md"]
    drafted = export(runner, tmp_path / "draft", "--draft")
    assert b"Draft only" in drafted["lessons/neck-care/01-neck-basics.md"]
    before = snapshot(app)
    empty_database(app)
    import_from(app, runner, tmp_path / "first")
    assert snapshot(app) == before
    assert export(runner, tmp_path / "second") == first


def test_the_author_area_downloads_the_course_or_its_draft_as_a_zip(app, runner, tmp_path):
    teacher = author(app)
    write_course(teacher)
    post(teacher, "/author/courses/neck-care/lessons/neck-basics/edit",
         {**LESSON, "body": "## Draft only\n\nText."})
    published = teacher.get("/author/courses/neck-care/export.zip")
    assert published.headers["Content-Type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(published.data))
    assert files.read("lessons/neck-care/course.md") == export(
        runner, tmp_path / "cli")["lessons/neck-care/course.md"]
    assert b"Draft only" not in files.read("lessons/neck-care/01-neck-basics.md")
    draft = zipfile.ZipFile(io.BytesIO(teacher.get(
        "/author/courses/neck-care/export.zip?draft=1").data))
    assert b"Draft only" in draft.read("lessons/neck-care/01-neck-basics.md")
    assert author(app, "other@example.com").get(
        "/author/courses/neck-care/export.zip").status_code == 404


def test_an_image_file_whose_name_does_not_match_it_is_an_error(app, runner, tmp_path):
    shipped_course_imported(app, runner)
    folder = tmp_path / "export"
    export(runner, folder)
    images = folder / "lessons" / "nmt-foundations" / "images"
    images.mkdir(exist_ok=True)  # the shipped course has images of its own
    (images / "diagram.0000000000.png").write_bytes(png())
    (images / "notes.txt").write_text("not an image")
    result = runner.invoke(args=["content", "check", str(folder)])
    assert result.exit_code == 1
    assert "images/diagram.0000000000.png:1: the name does not match the image" in result.output
    assert "images/notes.txt:1: image files are named like" in result.output


def test_an_export_does_not_mix_with_files_already_in_the_folder(app, runner, tmp_path):
    shipped_course_imported(app, runner)
    folder = tmp_path / "export"
    export(runner, folder)
    stray = folder / "lessons" / "nmt-foundations" / "99-stray.md"
    stray.write_text("---\ntitle: Stray\n---\nLeft over.\n")
    again = runner.invoke(args=["content", "export", str(folder)])
    assert again.exit_code == 1 and "already holds files" in again.output
    assert stray.exists()
    replaced = runner.invoke(args=["content", "export", str(folder), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert not stray.exists()


def test_an_edited_export_is_checked_and_imported_from_its_folder(app, runner, tmp_path):
    shipped_course_imported(app, runner)
    folder = tmp_path / "export"
    export(runner, folder)
    lesson = next((folder / "lessons" / "nmt-foundations").glob("01-*.md"))
    lesson.write_text(lesson.read_text().replace("## ", "## Edited: ", 1))
    assert runner.invoke(args=["content", "check", str(folder)]).exit_code == 0
    result = runner.invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 0 and "nmt-foundations: updated" in result.output, result.output
    with app.app_context():
        first = db.session.scalars(select(Lesson).order_by(Lesson.position)).first()
        assert "Edited: " in first.body_html
    missing = runner.invoke(args=["content", "import", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
