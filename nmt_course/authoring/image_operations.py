"""A course's image library: upload with its description (alt text), replace, delete. Each
public function is one transaction; the image is checked (content.images) before it opens."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..content.images import CheckedImage
from ..database import db, transaction
from ..learning.models import Course, CourseImage
from ..runtime import Runtime
from ..text import one_line
from .draft_operations import AuthoringError, apply_edit, locked_draft
from .drafts import Draft


def _image(course: Course, image_id: int) -> CourseImage:
    image = db.session.get(CourseImage, image_id)
    if image is None or image.course_id != course.id:
        raise LookupError(image_id)  # the page answers 404: not this course's image
    return image


def _store(runtime: Runtime, actor: User, course: Course, image: CheckedImage,
           alt: str) -> CourseImage:
    """The course's image of that content, stored now if it was not (an image is kept once,
    by its name, which carries its hash)."""
    alt = one_line(alt)[:200]
    existing = db.session.scalar(select(CourseImage).where(
        CourseImage.course_id == course.id, CourseImage.name == image.name))
    if existing is not None:
        existing.alt = alt or existing.alt
        return existing
    row = CourseImage(course_id=course.id, name=image.name, alt=alt,
                      content_type=image.content_type, size=len(image.data), data=image.data,
                      uploaded_by_id=actor.id, uploaded_at=runtime.clock())
    db.session.add(row)
    db.session.flush()
    audit.record("course.image_added", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", name=image.name, size=len(image.data))
    return row


@transaction
def add_image(runtime: Runtime, actor: User, course: Course, image: CheckedImage,
              alt: str) -> CourseImage:
    """Keep a checked image for the course's lessons, with what it shows (the same image
    uploaded twice is kept once, with the newer description)."""
    return _store(runtime, actor, course, image, alt)


def uses_of(course: Course, name: str, draft_files: Mapping[str, str] | None) -> list[str]:
    """Where the image is shown, in the author's terms: "the lesson “Neck Basics”
    (published and in the draft)". `draft_files` is None when the course has no draft."""
    places: dict[str, list[str]] = {}
    for state, files in (("published", course.source_files or {}),
                         ("in the draft", draft_files or {})):
        draft = Draft(course.slug, files)
        for path, text in sorted(files.items()):
            if name not in text:
                continue
            part, lesson = draft.part_of(path)
            title = lesson
            if lesson is not None:
                entry = next((e for e in draft.lessons() if e.slug == lesson), None)
                title = draft.lesson_title(entry) if entry else lesson
            where = {"lesson": f"the lesson “{title}”", "quiz": f"the quiz of “{title}”"}.get(
                part, "the course description")
            places.setdefault(where, []).append(state)
    return [f"{where} ({' and '.join(dict.fromkeys(states))})"
            for where, states in places.items()]


def _draft_files(course: Course) -> dict[str, str] | None:
    row = locked_draft(course.id)
    return dict(row.files) if row is not None else None


@transaction
def delete_image(runtime: Runtime, actor: User, course: Course, image_id: int) -> str:
    """Delete an image nothing shows any more; refused, naming where, while a published
    lesson or the draft uses it. (An old revision that showed it is flagged by the check
    if it is restored.)"""
    image = _image(course, image_id)
    uses = uses_of(course, image.name, _draft_files(course))
    if uses:
        raise AuthoringError(f"“{image.alt or image.name}” cannot be deleted: it is shown "
                             f"in {', '.join(uses)}. Take it out of there first (a published "
                             "lesson keeps it until the draft without it is published).")
    db.session.delete(image)
    audit.record("course.image_deleted", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", name=image.name)
    return image.alt or image.name


@transaction
def replace_image(runtime: Runtime, actor: User, course: Course, image_id: int,
                  new: CheckedImage, alt: str) -> CourseImage:
    """Keep `new` under its own hashed name (so no browser shows a cached old picture) and
    point every place in the draft that showed the old image at it, as one revision. The
    old image is deleted once nothing shows it (the published course may, until the draft
    is published)."""
    old = _image(course, image_id)
    if new.name == old.name:
        raise AuthoringError("That is the same picture as the one it would replace.",
                             "image")
    replacement = _store(runtime, actor, course, new, alt or old.alt)

    def change(draft: Draft) -> None:
        for path, text in list(draft.files.items()):
            if old.name in text:
                draft.files[path] = text.replace(old.name, replacement.name)
    apply_edit(runtime, actor, course, change,
               summary=f"Replaced the image {old.name} by {replacement.name}")
    audit.record("course.image_replaced", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", old=old.name, new=replacement.name)
    if not uses_of(course, old.name, _draft_files(course)):
        db.session.delete(old)
    return replacement
