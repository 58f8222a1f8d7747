"""Edits of a course's draft, one transaction each, every one kept as a revision.

An editor's form carries the revision it was loaded at; a save whose part (the lesson, the
quiz's settings, the question, the course settings) changed since then is refused with an
EditConflict holding the newer version, so nobody's edit silently overwrites another's."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..content import CourseStatus
from ..database import db, transaction
from ..learning.models import Course
from ..learning.queries import active_lesson
from ..runtime import Runtime
from ..text import address_of, one_line
from . import copies
from .drafts import Draft, DraftError, front_matter_file
from .models import CourseDraft, DraftRevision, DraftText, RevisionKind
from .queries import latest_revision, revision, revision_files

T = TypeVar("T")


class AuthoringError(Exception):
    """An edit the rules do not allow; the message says why (and `field` names the form
    field it is about, when there is one)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class EditConflict(AuthoringError):
    """The part being saved changed after the author loaded it: nothing is saved."""

    def __init__(self, theirs: Any, revision: int, saved_by: list[str]):
        super().__init__("Someone else saved this after you opened it. Nothing of yours was "
                         "saved yet: compare the two versions, merge them by hand in your "
                         "form and save again.")
        self.theirs, self.revision, self.saved_by = theirs, revision, saved_by


def initial_files(course: Course) -> dict[str, str]:
    """Where a draft starts: the published files, or for a new course its settings alone."""
    if course.source_files:
        return dict(course.source_files)
    meta = {"title": course.title, "summary": course.summary,
            "ce_hours": float(course.ce_hours), "course_type": course.course_type,
            "status": CourseStatus.PUBLISHED.value, "approval_number": course.approval_number,
            "requires_licence": course.requires_licence}
    return {f"lessons/{course.slug}/course.md":
            front_matter_file(meta, course.description_markdown or "")}


def files_at(course: Course, number: int) -> dict[str, str]:
    """The files as revision `number` left them (before the first revision: as the course's
    first revision, or the published files, found them)."""
    found = revision(course.id, max(number, 1))
    return revision_files(found) if found is not None else initial_files(course)


def record_revision(course: Course, actor: User | None, kind: RevisionKind, summary: str,
                    files: Mapping[str, str], now) -> DraftRevision:
    """Keep `files` as the course's next revision, inside the caller's transaction. Each
    text is stored once, by its hash."""
    manifest = {path: hashlib.sha256(text.encode("utf-8")).hexdigest()
                for path, text in files.items()}
    stored = set(db.session.scalars(select(DraftText.sha256).where(
        DraftText.sha256.in_(set(manifest.values()))))) if manifest else set()
    for path, digest in manifest.items():
        if digest not in stored:
            db.session.add(DraftText(sha256=digest, text=files[path]))
            stored.add(digest)
    row = DraftRevision(course_id=course.id, course_slug=course.slug,
                        number=latest_revision(course.id) + 1, kind=kind,
                        summary=one_line(summary)[:300], author_id=actor.id if actor else None,
                        created_at=now, manifest=manifest)
    db.session.add(row)
    db.session.flush()
    return row


def locked_draft(course_id: int) -> CourseDraft | None:
    """The draft as stored now, locked until the transaction ends, so that two authors
    saving different lessons at once both keep their edit."""
    return db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course_id)
                             .with_for_update().execution_options(populate_existing=True))


Guard = Callable[[Draft, Draft], Any]


def apply_edit(runtime: Runtime, actor: User | None, course: Course,
               change: Callable[[Draft], T], *, summary: str, loaded: int | None = None,
               guard: Guard | None = None, kind: RevisionKind = RevisionKind.SAVED) -> T:
    """`edit_draft` inside the caller's transaction (an operation that writes something
    besides the draft, such as a replaced image, in the same transaction)."""
    row = locked_draft(course.id)
    before = dict(row.files) if row else initial_files(course)
    draft = Draft(course.slug, before)
    latest = latest_revision(course.id)
    if guard is not None and loaded is not None and loaded < latest:
        theirs = guard(Draft(course.slug, files_at(course, loaded)), draft)
        if theirs is not None:
            raise EditConflict(theirs, latest, _authors_since(course.id, loaded))
    try:
        result = change(draft)
    except DraftError as error:
        raise AuthoringError(str(error), error.field) from None
    if draft.files == before:
        return result  # nothing changed: no revision
    now = runtime.clock()
    if latest == 0:  # the first edit: keep what it started from
        record_revision(course, actor, RevisionKind.BASELINE, "As published before this "
                        "edit", before, now)
    if row is None:
        row = CourseDraft(course_id=course.id, files={})
        db.session.add(row)
    row.files = draft.files  # a new dict, so the JSON column is written
    row.updated_by_id, row.updated_at = actor.id if actor else None, now
    kept = record_revision(course, actor, kind, summary, draft.files, now)
    changed = sorted(path for path in before.keys() | draft.files.keys()
                     if before.get(path) != draft.files.get(path))
    audit.record(f"draft.{kind.value}", at=now, actor_id=actor.id if actor else None,
                 subject=f"course:{course.id}", revision=kept.number, summary=kept.summary,
                 files=changed)
    return result


@transaction
def edit_draft(runtime: Runtime, actor: User | None, course: Course,
               change: Callable[[Draft], T], *, summary: str, loaded: int | None = None,
               guard: Guard | None = None, kind: RevisionKind = RevisionKind.SAVED) -> T:
    """Apply `change` (an edit of the draft's files, from drafts.py), keep the result and a
    revision of it. With `loaded` (the revision the author's form was loaded at), `guard`
    compares the draft as it was then with the draft now and returns the newer version of
    the part being saved if it changed (then nothing is saved: EditConflict). A DraftError
    from the change leaves the draft as it was."""
    return apply_edit(runtime, actor, course, change, summary=summary, loaded=loaded,
                      guard=guard, kind=kind)


def _authors_since(course_id: int, number: int) -> list[str]:
    names = db.session.scalars(select(User.legal_name).join(
        DraftRevision, DraftRevision.author_id == User.id).where(
        DraftRevision.course_id == course_id, DraftRevision.number > number)
        .order_by(DraftRevision.number))
    return list(dict.fromkeys(names))


# --- the parts an author edits ----------------------------------------------------------------

@dataclass(frozen=True)
class LessonText:
    """A lesson as its editor shows it."""

    title: str
    slug: str
    objectives: str  # one a line, each as "[id] sentence"
    body: str
    min_minutes: int | None = None  # the least reading time, when the lesson sets one


def lesson_text(draft: Draft, slug: str) -> LessonText | None:
    try:
        meta, body = draft.read_lesson(slug)
    except (DraftError, KeyError):
        return None
    return LessonText(str(meta.get("title") or ""), slug, "\n".join(
        f"[{key}] {text}" for key, text in draft.objectives(slug)), body,
        meta.get("min_minutes"))


def save_lesson(runtime: Runtime, actor: User, course: Course, lesson: str | None, *,
                slug: str, title: str, objectives: str, body: str,
                min_minutes: int | None = None, loaded: int | None = None,
                autosaved: bool = False) -> str:
    """Write a lesson into the draft (a new one when `lesson` is None); return its slug.
    Objectives keep their ids, so questions keep theirs. A published lesson keeps its
    address: learners' read marks and attempts follow it, so renaming would start them
    again. An autosave (the editor's, every 30 seconds) is a revision like any save."""
    title = one_line(title)
    slug = address_of(slug or title)
    if lesson is not None and slug != lesson and active_lesson(course.id, lesson):
        raise AuthoringError("This lesson is published, so its address cannot change: "
                             "learners' progress follows it.", "slug")

    def change(draft: Draft) -> str:
        meta = {}
        if lesson is not None:
            draft.stabilise_objectives(lesson)
            meta, _ = draft.read_lesson(lesson)
        meta.update(title=title, objectives=draft.objectives_from_lines(lesson, objectives))
        if not meta["objectives"]:
            meta.pop("objectives")
        meta["min_minutes"] = min_minutes
        if min_minutes is None:
            meta.pop("min_minutes")
        return draft.save_lesson(lesson, slug, meta, body)

    def guard(then: Draft, now: Draft) -> LessonText | None:
        mine, theirs = lesson_text(then, lesson), lesson_text(now, lesson)
        return theirs if mine != theirs else None

    return edit_draft(runtime, actor, course, change,
                      summary=f"{'Autosaved' if autosaved else 'Saved'} the lesson “{title}”",
                      loaded=loaded, guard=guard if lesson else None)


def move_lesson(runtime: Runtime, actor: User, course: Course, lesson: str,
                offset: int) -> None:
    edit_draft(runtime, actor, course, lambda d: d.move_lesson(lesson, offset),
               summary=f"Moved the lesson {lesson} {'up' if offset < 0 else 'down'}")


def remove_lesson(runtime: Runtime, actor: User, course: Course, lesson: str) -> None:
    edit_draft(runtime, actor, course, lambda d: d.remove_lesson(lesson),
               summary=f"Removed the lesson {lesson} and its quiz")


def save_course_settings(runtime: Runtime, actor: User, course: Course, *, title: str,
                         summary: str, ce_hours: Decimal, course_type: str,
                         approval_number: str, requires_licence: bool, description: str,
                         loaded: int | None = None) -> None:
    """Write the course's settings and description into the draft."""
    def change(draft: Draft) -> None:
        meta, _ = draft.course_settings()
        meta.update(title=one_line(title), summary=one_line(summary),
                    ce_hours=float(ce_hours), course_type=course_type,
                    approval_number=one_line(approval_number),
                    requires_licence=requires_licence)
        draft.set_course_settings(meta, description)

    def guard(then: Draft, now: Draft) -> tuple[dict, str] | None:
        theirs = now.course_settings()
        return theirs if then.course_settings() != theirs else None

    edit_draft(runtime, actor, course, change, summary="Saved the course settings",
               loaded=loaded, guard=guard)


def save_quiz_settings(runtime: Runtime, actor: User, course: Course, lesson: str, *,
                       pass_mark: int, max_attempts: int, draw: int | None,
                       review_after_fail: str, loaded: int | None = None) -> None:
    settings = {"pass_mark": pass_mark, "max_attempts": max_attempts, "draw": draw or None,
                "review_after_fail": review_after_fail}

    def guard(then: Draft, now: Draft) -> dict | None:
        theirs = now.quiz_settings(lesson)
        return theirs if then.quiz_settings(lesson) != theirs else None

    edit_draft(runtime, actor, course, lambda d: d.set_quiz_settings(lesson, settings),
               summary=f"Saved the quiz settings of {lesson}", loaded=loaded, guard=guard)


def save_question(runtime: Runtime, actor: User, course: Course, lesson: str,
                  key: str | None, item: dict, *, loaded: int | None = None) -> None:
    """Write a question (a new one when `key` is None) into the lesson's quiz."""
    def change(draft: Draft) -> None:
        draft.lesson(lesson)  # a DraftError if there is no such lesson
        draft.stabilise_objectives(lesson)
        draft.save_question(lesson, key, item)

    def guard(then: Draft, now: Draft) -> dict | None:
        mine, theirs = _question(then, lesson, key), _question(now, lesson, key)
        return (theirs or {}) if mine != theirs else None

    edit_draft(runtime, actor, course, change,
               summary=f"Saved the question {item['id']} of {lesson}", loaded=loaded,
               guard=guard if key else None)


def _question(draft: Draft, lesson: str, key: str) -> dict | None:
    """The question as its editor reads it (its objective by id, however the file names
    it)."""
    found = draft.question(lesson, key)
    if found is None:
        return None
    try:
        return {**found, "objective": draft.objective_of(lesson, found.get("objective"))}
    except (DraftError, KeyError):
        return found


def move_question(runtime: Runtime, actor: User, course: Course, lesson: str, key: str,
                  offset: int) -> None:
    edit_draft(runtime, actor, course, lambda d: d.move_question(lesson, key, offset),
               summary=f"Moved the question {key} of {lesson} {'up' if offset < 0 else 'down'}")


def remove_question(runtime: Runtime, actor: User, course: Course, lesson: str,
                    key: str) -> None:
    edit_draft(runtime, actor, course, lambda d: d.remove_question(lesson, key),
               summary=f"Removed the question {key} of {lesson}")


# --- copies and new orders (copies.py) --------------------------------------------------------

def duplicate_question(runtime: Runtime, actor: User, course: Course, lesson: str,
                       key: str) -> str:
    """Copy a question just after it; return the copy's id."""
    return edit_draft(runtime, actor, course,
                      lambda d: copies.duplicate_question(d, lesson, key),
                      summary=f"Duplicated the question {key} of {lesson}")


def duplicate_lesson(runtime: Runtime, actor: User, course: Course, lesson: str) -> str:
    """Copy a lesson and its quiz just after it; return the copy's address."""
    return edit_draft(runtime, actor, course, lambda d: copies.duplicate_lesson(d, lesson),
                      summary=f"Duplicated the lesson {lesson}")


def reorder_lessons(runtime: Runtime, actor: User, course: Course, order: list[str]) -> None:
    edit_draft(runtime, actor, course, lambda d: copies.reorder_lessons(d, order),
               summary="Reordered the lessons")


def reorder_questions(runtime: Runtime, actor: User, course: Course, lesson: str,
                      order: list[str]) -> None:
    edit_draft(runtime, actor, course, lambda d: copies.reorder_questions(d, lesson, order),
               summary=f"Reordered the questions of {lesson}")
