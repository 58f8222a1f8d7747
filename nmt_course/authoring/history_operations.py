"""Bringing a part of a course's draft back: as an earlier revision had it (restore), or as
it is published (discard). Each is one transaction and itself a new revision, so nothing
is lost either way."""
from __future__ import annotations

from collections.abc import Mapping

from ..accounts.models import User
from ..learning.models import Course
from ..runtime import Runtime
from .draft_operations import AuthoringError, edit_draft, files_at, initial_files
from .drafts import LESSON_FILE, Draft, DraftError
from .models import RevisionKind
from .queries import revision
from .revisions import label, parts, titles


def restore(runtime: Runtime, actor: User, course: Course, number: int, part: str) -> None:
    """Put `part` ("course", "order", "lesson:<slug>" or "quiz:<slug>") back into the draft
    as revision `number` left it."""
    if revision(course.id, number) is None:
        raise AuthoringError("There is no such revision.")
    source = files_at(course, number)
    _check_part(course.slug, part, source)
    names = titles(course.slug, source)
    edit_draft(runtime, actor, course, lambda draft: put_part(draft, source, part),
               summary=f"Restored {label(part, names)} as revision {number} had it",
               kind=RevisionKind.RESTORED)


def discard_part(runtime: Runtime, actor: User, course: Course, part: str) -> None:
    """Set `part` back to the published course (a lesson or quiz that was never published
    leaves the draft)."""
    source = initial_files(course)
    _check_part(course.slug, part, source, may_be_absent=True)
    names = titles(course.slug, source)
    edit_draft(runtime, actor, course, lambda draft: put_part(draft, source, part),
               summary=f"Discarded the draft's changes to {label(part, names)}",
               kind=RevisionKind.DISCARDED)


def _check_part(course_slug: str, part: str, source: Mapping[str, str], *,
                may_be_absent: bool = False) -> None:
    kind, _, slug = part.partition(":")
    if kind not in ("course", "order", "lesson", "quiz") or (kind in ("lesson", "quiz")) != bool(
            slug):
        raise AuthoringError("There is no such part of the course.")
    if not may_be_absent and part not in parts(course_slug, source):
        raise AuthoringError("That revision has no such part.")


def put_part(draft: Draft, source: Mapping[str, str], part: str) -> None:
    """Make `part` of the draft what it is in `source` (removing it where `source` has
    none)."""
    kind, _, slug = part.partition(":")
    then = Draft(draft.course, source)
    if kind == "course":
        draft.files[draft.course_path] = source[draft.course_path]
    elif kind == "order":
        order = [entry.slug for entry in then.lessons()]
        current = [entry.slug for entry in draft.lessons()]
        draft.reorder([s for s in order if s in current] +
                      [s for s in current if s not in order])
    elif kind == "quiz":
        draft.lesson(slug)  # a DraftError when the lesson is not in the draft
        if then.quiz_path(slug) in source:
            draft.files[draft.quiz_path(slug)] = source[then.quiz_path(slug)]
        else:
            draft.files.pop(draft.quiz_path(slug), None)
    else:
        _put_lesson(draft, then, slug)


def _put_lesson(draft: Draft, then: Draft, slug: str) -> None:
    try:
        old = then.lesson(slug)
    except DraftError:
        draft.remove_lesson(slug)  # not in `source`: it leaves the draft with its quiz
        return
    try:
        path = draft.lesson(slug).path
    except DraftError:  # removed since: it comes back as the last lesson
        number = max((entry.number for entry in draft.lessons()), default=0) + 1
        file_slug = LESSON_FILE.match(old.path.rsplit("/", 1)[1])[2]
        path = f"lessons/{draft.course}/{number:02d}-{file_slug}.md"
        if then.quiz_path(slug) in then.files:
            draft.files[draft.quiz_path(slug)] = then.files[then.quiz_path(slug)]
    draft.files[path] = then.files[old.path]
