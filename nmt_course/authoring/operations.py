"""Changes authors make: a course's draft, its publication, images and maintainers. Each
public function is one transaction, except publish, which checks the draft first."""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import undefer

from .. import audit
from ..accounts.models import User
from ..accounts.queries import user_by_typed_email
from ..content import CourseSource, CourseStatus, Problem, check_files
from ..content.gift import GiftRefused, GiftResult, merge_gift, read_gift, same_prompt
from ..database import db, transaction
from ..formatting import count_of
from ..learning.models import Course, CourseImage
from ..learning.operations import ImportReport, apply_course_source
from ..learning.queries import course_by_slug
from ..runtime import Runtime
from ..text import address_of, one_line
from .draft_operations import (AuthoringError, locked_draft, edit_draft, initial_files,
                               record_revision)
from . import copies
from .drafts import SLUG, Draft, DraftError
from .models import CourseDraft, CourseMaintainer, DraftRevision, RevisionKind
from .queries import image_names, latest_revision


class PublishRefused(AuthoringError):
    """The draft has errors, or warnings the author has not confirmed."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


def _new_course(runtime: Runtime, actor: User, slug: str, title: str, **fields) -> Course:
    """A course row owned by `actor`, invisible to learners until its first publication."""
    slug = address_of(slug or title)
    if not SLUG.match(slug):
        raise AuthoringError("Write the address with letters or digits, such as "
                             "neck-and-shoulder-nmt.")
    if course_by_slug(slug) is not None:
        raise AuthoringError(f"A course already uses the address “{slug}”.")
    course = Course(slug=slug, title=one_line(title), status=CourseStatus.DRAFT,
                    owner_id=actor.id, created_at=runtime.clock(), source_files={}, **fields)
    db.session.add(course)
    db.session.flush()
    return course


def _start_draft(runtime: Runtime, actor: User, course: Course, files: dict[str, str],
                 summary: str) -> None:
    now = runtime.clock()
    db.session.add(CourseDraft(course_id=course.id, files=files, updated_by_id=actor.id,
                               updated_at=now))
    record_revision(course, actor, RevisionKind.CREATED, summary, files, now)


@transaction
def create_course(runtime: Runtime, actor: User, *, slug: str, title: str, summary: str,
                  ce_hours: Decimal, course_type: str) -> Course:
    """A new course owned by `actor`; its address is made from `slug` as typed ("Scalene
    Release": scalene-release), or from the title when none was typed."""
    course = _new_course(runtime, actor, slug, title, summary=one_line(summary),
                         ce_hours=ce_hours, course_type=course_type)
    _start_draft(runtime, actor, course, initial_files(course), "Created the course")
    audit.record("course.created", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", slug=course.slug)
    return course


@transaction
def duplicate_course(runtime: Runtime, actor: User, original: Course, *, slug: str,
                     title: str) -> Course:
    """A new course owned by `actor`, whose draft is a copy of `original`'s draft (its
    published files when it has none) with the images they show; learners' records, the
    maintainers and the approval number stay with the original."""
    row = db.session.get(CourseDraft, original.id)
    files = dict(row.files) if row is not None else initial_files(original)
    course = _new_course(runtime, actor, slug, title, summary=original.summary,
                         ce_hours=original.ce_hours, course_type=original.course_type,
                         requires_licence=original.requires_licence)
    files = copies.course_copy(files, original.slug, course.slug, course.title)
    shown = [image for image in db.session.scalars(select(CourseImage).where(
        CourseImage.course_id == original.id).options(undefer(CourseImage.data)))
        if any(image.name in text for text in files.values())]
    db.session.add_all(CourseImage(
        course_id=course.id, name=image.name, alt=image.alt, content_type=image.content_type,
        size=image.size, data=image.data, uploaded_by_id=actor.id,
        uploaded_at=runtime.clock()) for image in shown)
    _start_draft(runtime, actor, course, files,
                 f"Duplicated from {original.slug} at its revision "
                 f"{latest_revision(original.id)}")
    audit.record("course.duplicated", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", slug=course.slug, original=original.id)
    return course


MAX_GIFT_BYTES = 1024 * 1024


def import_gift(runtime: Runtime, actor: User | None, course: Course, lesson_slug: str,
                data: bytes) -> GiftResult:
    """Add the questions of a Moodle GIFT file to a lesson's quiz in the draft. The file is
    read as UTF-8 text only, and parsed before the write transaction opens (reading is the
    slow part; merging into the quiz is linear); what cannot be imported is listed, never
    dropped silently."""
    if len(data) > MAX_GIFT_BYTES:
        raise AuthoringError("GIFT files may be at most 1 MB.")
    if b"\x00" in data:
        raise AuthoringError("This is not a text file: a GIFT question bank is plain text, "
                             "as Moodle exports it (.txt or .gift).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AuthoringError("The file is not UTF-8 text: save it as UTF-8 and try again.") \
            from None
    try:
        parsed = read_gift(text)
    except GiftRefused as refused:
        raise AuthoringError(str(refused)) from None
    if not parsed.questions and not parsed.skipped:
        raise AuthoringError("The file holds no questions: is it a GIFT file?")

    def change(draft: Draft) -> GiftResult:
        draft.lesson(lesson_slug)  # a DraftError if there is no such lesson
        quiz = draft.quiz_or_new(lesson_slug)
        items = list(quiz.get("questions") or [])
        result = merge_gift(parsed, {str(item.get("id")) for item in items},
                            {same_prompt(str(item.get("prompt", ""))): str(item.get("id"))
                             for item in items})
        quiz["questions"] = items + result.questions
        if quiz["questions"]:
            draft.write_quiz(lesson_slug, quiz)
        return result

    return edit_draft(runtime, actor, course, change,
                      summary=f"Imported {count_of(len(parsed.questions), 'GIFT question')} into "
                              f"{lesson_slug}")


@transaction
def delete_unpublished_course(runtime: Runtime, actor: User, course: Course) -> None:
    """Delete a course nobody has ever been able to take (it was never published)."""
    if course.source_files or course.is_published:
        raise AuthoringError("Only a course that was never published can be deleted.")
    course = db.session.get(Course, course.id)
    # Its revisions are kept, detached from the course (they hold its address).
    db.session.execute(update(DraftRevision).where(DraftRevision.course_id == course.id)
                       .values(course_id=None))
    for model in (CourseDraft, CourseMaintainer, CourseImage):
        for row in db.session.scalars(select(model).where(model.course_id == course.id)):
            db.session.delete(row)
    db.session.flush()
    db.session.delete(course)
    audit.record("course.deleted", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", slug=course.slug)


def check_draft(course: Course,
                files: Mapping[str, str]) -> tuple[list[Problem], CourseSource | None]:
    """Every problem of the draft's files, as `content check` reports them (images uploaded
    to the course count as its images), and the parsed course (None when it has errors that
    stop parsing). Kept by the files' hash, so each page view does not check again."""
    result = check_files(files, image_names(course.id))
    parsed = next((c for c in result.courses if c.slug == course.slug), None)
    return list(result.problems), parsed


def publish(runtime: Runtime, actor: User, course: Course, *, reviewed: int,
            warnings_confirmed: bool) -> ImportReport:
    """Publish the whole draft at once, as the author reviewed it (revision `reviewed`).
    Errors block it; quality warnings need the author's confirmation. Quizzes that changed
    get new versions; learners' records stay."""
    row = db.session.get(CourseDraft, course.id)
    if row is None:
        raise AuthoringError("There is no draft to publish: edit the course first.")
    if reviewed != latest_revision(course.id):
        raise AuthoringError("The draft changed since you reviewed it: review the changes "
                             "again before publishing.")
    problems, source = check_draft(course, _as_published(course.slug, row.files))
    errors = [p for p in problems if p.severity.value == "error"]
    if errors or source is None:
        raise PublishRefused("The draft has errors; fix them before publishing.", errors)
    warnings = [p for p in problems if p.severity.value == "warning"]
    if warnings and not warnings_confirmed:
        raise PublishRefused("The draft has warnings: confirm that you publish it anyway.",
                             warnings)
    return _publish(runtime, actor, course.id, source, reviewed)


def _as_published(slug: str, files: Mapping[str, str]) -> dict[str, str]:
    """The draft's files saying `status: published`: publishing in the browser publishes,
    whatever status the files were imported with (a course imported as a draft kept its
    `status: draft`, and answered 404 after "Learners see it now")."""
    draft = Draft(slug, files)
    try:
        meta, description = draft.course_settings()
    except DraftError:
        return draft.files  # the check reports the broken course file
    draft.set_course_settings({**meta, "status": CourseStatus.PUBLISHED.value}, description)
    return draft.files


@transaction
def _publish(runtime: Runtime, actor: User, course_id: int, source: CourseSource,
             reviewed: int) -> ImportReport:
    course = db.session.get(Course, course_id)
    row = locked_draft(course_id)
    if row is None or latest_revision(course_id) != reviewed:
        raise AuthoringError("The draft changed while it was being checked; publish again.")
    now = runtime.clock()
    report = apply_course_source(course, source, now, ImportReport(course.slug, "published"))
    course.edited_in_browser_at = now  # `content import` will not overwrite it unasked
    kept = record_revision(course, actor, RevisionKind.PUBLISHED, "Published the draft",
                           row.files, now)
    db.session.delete(row)
    audit.record("content.published", at=now, actor_id=actor.id, subject=f"course:{course_id}",
                 report=str(report), revision=kept.number)
    return report


@transaction
def discard_draft(runtime: Runtime, actor: User, course: Course) -> None:
    """Set the whole draft back to the published course; the discarded edits stay in the
    history (a revision holds them), so the discard itself can be undone by a restore."""
    row = locked_draft(course.id)
    if row is not None:
        now = runtime.clock()
        kept = record_revision(course, actor, RevisionKind.DISCARDED, "Discarded the draft",
                               initial_files(course), now)
        db.session.delete(row)
        audit.record("draft.discarded", at=now, actor_id=actor.id,
                     subject=f"course:{course.id}", revision=kept.number)


@transaction
def add_maintainer(runtime: Runtime, actor: User, course: Course, email: str) -> User:
    user = user_by_typed_email(email)
    if user is None or not user.active:
        raise AuthoringError("No active account uses that e-mail address.")
    if not (user.is_instructor or user.is_admin):
        raise AuthoringError(f"{user.legal_name} is not an instructor; an admin can make "
                             "them one first.")
    if user.id == course.owner_id:
        raise AuthoringError(f"{user.legal_name} owns this course already.")
    if db.session.scalar(select(CourseMaintainer).where(
            CourseMaintainer.course_id == course.id, CourseMaintainer.user_id == user.id)):
        raise AuthoringError(f"{user.legal_name} maintains this course already.")
    now = runtime.clock()
    db.session.add(CourseMaintainer(course_id=course.id, user_id=user.id,
                                    added_by_id=actor.id, added_at=now))
    audit.record("course.maintainer_added", at=now, actor_id=actor.id,
                 subject=f"course:{course.id}", user=user.id)
    return user


@transaction
def remove_maintainer(runtime: Runtime, actor: User, course: Course, user_id: int) -> None:
    row = db.session.scalar(select(CourseMaintainer).where(
        CourseMaintainer.course_id == course.id, CourseMaintainer.user_id == user_id))
    if row is None:
        raise AuthoringError("That person does not maintain this course.")
    db.session.delete(row)
    audit.record("course.maintainer_removed", at=runtime.clock(), actor_id=actor.id,
                 subject=f"course:{course.id}", user=user_id)


def image_markdown(course: Course, name: str, alt: str | None = None) -> str:
    """What an author pastes into a lesson to show the image, with its description."""
    alt = one_line((alt or re.sub(r"\.[0-9a-f]{10}\.\w+$", "", name).replace("-", " "))
                   .replace("[", "(").replace("]", ")"))
    return f"![{alt}](/courses/{course.slug}/images/{name})"
