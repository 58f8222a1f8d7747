"""A course as files again: its lessons, quizzes and images, in the format `content import`
reads. The published state by default; an author's draft when asked."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..content import is_file_key
from ..database import db
from .models import Course, CourseImage


def course_files(course: Course, texts: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """{relative path: bytes} of the course: `texts` (a draft's files) or the published
    ones, and under lessons/<course>/images/ each image kept for it that they show (an
    upload no lesson uses stays behind)."""
    texts = course.source_files if texts is None else texts
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    names = set(db.session.scalars(select(CourseImage.name).where(
        CourseImage.course_id == course.id)))
    shown = {name for name in names if any(name in text for text in texts.values())}
    if shown:
        for image in db.session.scalars(select(CourseImage).where(
                CourseImage.course_id == course.id, CourseImage.name.in_(shown))
                .options(undefer(CourseImage.data))):
            files[f"lessons/{course.slug}/images/{image.name}"] = image.data
    return files


def _checked(names) -> None:
    """ValueError for a name that is no course file's path (absolute, with "..", anywhere
    else): nothing of a course is ever written outside the folder or zip it goes to."""
    for name in names:
        if not is_file_key(name):
            raise ValueError(f"not a course file's path: {name[:200]!r}")


def write_files(root: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write the files under `root` (ValueError, before writing any, if a name or a link
    inside `root` would take one elsewhere)."""
    _checked(files)
    inside = root.resolve()
    for name in files:
        if not (root / name).resolve().is_relative_to(inside):
            raise ValueError(f"{root / name} leads outside {root} (a symbolic link?)")
    written = []
    for name, data in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def zip_of(files: Mapping[str, bytes]) -> bytes:
    _checked(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()
