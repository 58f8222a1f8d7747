"""`content import FOLDER` follows no link out of the folder, and nothing of a course is
written outside the folder or zip it goes to (issue 15, finding 6: a symlinked lesson was
read from anywhere, stored under its absolute path, gave the author page a 500 and was
written back outside the export folder)."""
from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from sqlalchemy import func, select, update

from nmt_course.extensions import db
from nmt_course.learning.export import write_files, zip_of
from nmt_course.learning.models import Course
from tests.app.authoring_helpers import author
from tests.helpers import FIXTURE_CONTENT, import_content

SECRET_LESSON = """---
title: Read From Outside
---
The importing account's private notes, which must never become a lesson.
"""


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "export"
    shutil.copytree(FIXTURE_CONTENT, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.md").write_text(SECRET_LESSON)
    return root, outside


def _courses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Course.id)))


@pytest.mark.parametrize("link", ["lessons/demo/03-notes.md", "quizzes/demo/notes.yaml",
                                  "lessons/demo/images", "lessons/other"])
def test_a_symbolic_link_in_the_folder_is_refused_and_nothing_imported(app, runner, folder,
                                                                        link):
    root, outside = folder
    target = outside / "notes.md" if link.endswith((".md", ".yaml")) else outside
    (root / link).symlink_to(target)
    result = runner.invoke(args=["content", "import", str(root)])
    assert result.exit_code == 1
    assert f"{link}:1: a symbolic link: content is read only from files inside" in (
        result.output)
    assert "Nothing was imported" in result.output and str(outside) not in result.output
    assert _courses(app) == 0


def test_the_files_kept_are_named_inside_their_folders(app):
    import_content(app)
    with app.app_context():
        keys = sorted(db.session.scalar(select(Course.source_files)))
    assert keys == ["lessons/demo/01-first-lesson.md", "lessons/demo/02-second-lesson.md",
                    "lessons/demo/course.md", "quizzes/demo/first-lesson.yaml",
                    "quizzes/demo/second-lesson.yaml"]


@pytest.mark.parametrize("name", ["/tmp/evil.md", "lessons/demo/../../../evil.md",
                                  "lessons/demo/images/..", "elsewhere/demo/x.md",
                                  "lessons/demo/sub/x.md", "quizzes/demo/x.sh"])
def test_writing_files_and_zips_checks_every_name_first(tmp_path, name):
    files = {"lessons/demo/course.md": b"---\n---\n", name: b"planted"}
    with pytest.raises(ValueError, match="not a course file's path"):
        write_files(tmp_path / "out", files)
    with pytest.raises(ValueError, match="not a course file's path"):
        zip_of(files)
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.md").exists()


def test_a_link_inside_the_export_folder_is_not_written_through(tmp_path):
    root, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (root / "lessons").mkdir(parents=True)
    (root / "lessons" / "demo").symlink_to(outside)
    with pytest.raises(ValueError, match="leads outside"):
        write_files(root, {"lessons/demo/course.md": b"x"})
    assert list(outside.iterdir()) == []


def test_a_bad_path_stored_before_is_reported_not_a_500(app, runner, tmp_path):
    """A course imported before the check may hold an absolute path: its pages say so."""
    import_content(app)
    planted = str(tmp_path / "planted.md")
    with app.app_context():
        files = dict(db.session.scalar(select(Course.source_files)))
        db.session.execute(update(Course).values(source_files={**files, planted: "x"}))
        db.session.commit()
    admin = author(app, "boss@example.com", is_admin=True)
    page = admin.get("/author/courses/demo")
    assert page.status_code == 200 and "not a path a course&#39;s file can have" in page.text
    exported = admin.get("/author/courses/demo/export.zip", follow_redirects=True)
    assert "The course could not be exported: not a course file" in exported.text
    result = runner.invoke(args=["content", "export", str(tmp_path / "out")])
    assert result.exit_code == 1 and "demo: nothing written: not a course file" in result.output
    assert not (tmp_path / "planted.md").exists()
    assert zipfile.is_zipfile(io.BytesIO(zip_of({"lessons/demo/course.md": b"x"})))
