"""Changes to courses and learners' progress: read marks, quiz submissions, finishing a
course, and loading validated content files into the database. Each public function is one
transaction; a course it completes is concluded (certificate, subscribers) after the commit,
and comes back to the page as a CourseCompleted."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select

from .. import audit, cycles
from ..accounts.models import User
from ..content import CourseSource, CourseStatus, LessonSource
from ..database import db, transaction
from ..events import Completion
from ..quizzes import operations as quizzes
from ..quizzes.models import Question, QuizVersion
from ..quizzes.presentation import Presentation
from ..evaluation import MAX_COMMENT, QUESTIONS, RATINGS
from ..formatting import count_of
from ..progress import course_progress
from ..runtime import Runtime
from ..time_on_task import task_seconds
from ..certificates.provider import Provider
from . import completion, evaluation_queries, queries, summary_operations as summary
from .completion import CourseCompleted
from .models import Course, CourseEvaluation, CourseImage, Lesson, LessonProgress


class ContentConflict(Exception):
    """Importing would overwrite edits made in the browser."""


class CourseNotPublished(Exception):
    """Nothing (read mark, attempt, completion) is recorded for an unpublished course."""

    def __init__(self):
        super().__init__("This course is not published, so nothing is recorded in it: "
                         "try its lessons and quizzes in the Author area's preview.")


def _require_published(course: Course) -> None:
    """Checked inside the write transaction, on the course as stored now."""
    if course.id not in queries.published_ids([course.id]):
        raise CourseNotPublished()


class ReadRefused(Exception):
    """Marking a lesson read before its min_minutes have passed; the message says how long
    is left."""


class EvaluationRefused(Exception):
    """A course evaluation that cannot be taken: the message says why."""


def _concluded(runtime: Runtime, done: Completion | None) -> CourseCompleted | None:
    return completion.conclude(runtime, done) if done is not None else None


def mark_lesson_read(runtime: Runtime, learner: User, lesson: Lesson, course: Course, *,
                     opened_at: dt.datetime | None = None) -> CourseCompleted | None:
    """Record that the learner read the lesson (once), with the time from `opened_at` (the
    signed open time of the form, None when unknown); the course, if that completed it.
    ReadRefused before the lesson's min_minutes have passed since it was opened;
    CourseNotPublished for a course that is not published."""
    return _concluded(runtime, _mark_read(runtime, learner, lesson, course, opened_at))


def _too_soon(lesson: Lesson, opened_at: dt.datetime | None, now: dt.datetime) -> str | None:
    if not lesson.min_minutes:
        return None
    needed = dt.timedelta(minutes=lesson.min_minutes)
    if opened_at is None or opened_at > now:
        return (f"This lesson asks for at least {count_of(lesson.min_minutes, 'minute')} of "
                "reading from when you open it. Read it, then mark it read.")
    left = needed - (now - opened_at)
    if left <= dt.timedelta(0):
        return None
    return (f"This lesson asks for at least {count_of(lesson.min_minutes, 'minute')} of "
            f"reading: {count_of(math.ceil(left.total_seconds() / 60), 'minute')} left.")


@transaction
def _mark_read(runtime: Runtime, learner: User, lesson: Lesson, course: Course,
               opened_at: dt.datetime | None) -> Completion | None:
    _require_published(course)
    if queries.is_read(learner.id, lesson.id, course.id):
        return None
    now = runtime.clock()
    refusal = _too_soon(lesson, opened_at, now)
    if refusal:
        raise ReadRefused(refusal)
    # Stamped with the learner's current cycle by the INSERT itself (nmt_course/cycles.py).
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id, read_at=now,
                                  cycle=cycles.current(learner.id, course.id),
                                  seconds=task_seconds(opened_at, now)))
    db.session.flush()
    summary.refresh(course.id, learner.id)
    return _completion(learner, course, now)


def _completion(learner: User, course: Course, now: dt.datetime) -> Completion | None:
    """Inside a transaction that has checked the course is published (_require_published)."""
    done = completion.completed(learner, [course], now, published={course.id})
    return done[0] if done else None


@dataclass(frozen=True)
class QuizSubmitted:
    attempt: quizzes.AttemptOutcome
    completed: CourseCompleted | None = None  # the course, if this pass completed it


def submit_quiz(runtime: Runtime, learner: User, *, course: Course, version: QuizVersion,
                questions: Sequence[Question], shown: Presentation, number: int,
                answers: Mapping[str, Sequence[str]],
                opened_at: dt.datetime | None = None,
                seen: quizzes.Seen | None = None) -> QuizSubmitted:
    """Grade and store attempt `number` (quizzes.operations.record_attempt: the quiz rules,
    QuizRefused) with the time from `opened_at` (the signed open time of the form) and, in
    the same transaction, see whether its pass completed the course.
    CourseNotPublished for a course that is not published. `seen`: the standing the page
    read (record_attempt trusts it while the stored one is unchanged)."""
    attempt, done = _submit_quiz(runtime, learner, course, version, questions, shown, number,
                                 answers, opened_at, seen)
    return QuizSubmitted(attempt, _concluded(runtime, done))


@transaction
def _submit_quiz(runtime: Runtime, learner: User, course: Course, version: QuizVersion,
                 questions: Sequence[Question], shown: Presentation, number: int,
                 answers: Mapping[str, Sequence[str]], opened_at: dt.datetime | None,
                 seen: quizzes.Seen | None):
    now = runtime.clock()
    attempt = quizzes.record_attempt(learner, version=version, questions=questions,
                                     shown=shown, number=number, answers=answers, at=now,
                                     seconds=task_seconds(opened_at, now), seen=seen)
    if not attempt.created:  # a replay: nothing written, nothing to check
        return attempt, None
    # The course must be published as stored now: the recount checks it in its statement,
    # and an unpublished course undoes the attempt (the transaction rolls back).
    evaluated = summary.refresh_if_published(course.id, learner.id)
    if evaluated is None:
        raise CourseNotPublished()
    if not (attempt.passed and evaluated):  # no pass completes a course not yet evaluated
        return attempt, None
    return attempt, _completion(learner, course, now)


def send_evaluation(runtime: Runtime, learner: User, course: Course, *,
                    objectives_met: Mapping[int, int], ratings: Mapping[str, int],
                    comment: str) -> CourseCompleted | None:
    """Keep the learner's evaluation of the course (once, after every lesson is complete);
    the course, if that completed it. EvaluationRefused says why not."""
    low, high = RATINGS
    values = [*objectives_met.values(), *(ratings.get(key) for key in QUESTIONS)]
    if not all(isinstance(v, int) and low <= v <= high for v in values):
        raise EvaluationRefused(f"Rate each question from {low} to {high}.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise EvaluationRefused(f"The comment is {len(comment):,} characters long; keep it "
                                f"to {MAX_COMMENT:,}.")
    done = _send_evaluation(runtime, learner, course, dict(objectives_met), dict(ratings),
                            comment)
    if done is None:
        return None
    completed, provider = done
    return completion.conclude(runtime, completed, provider=provider)


@transaction
def _send_evaluation(runtime: Runtime, learner: User, course: Course,
                     objectives_met: dict[int, int], ratings: dict[str, int],
                     comment: str) -> tuple[Completion, Provider] | None:
    # One statement: published, progress, an evaluation sent before and the pass marks.
    facts = evaluation_queries.evaluation_facts(runtime.settings, course.id, learner.id)
    if facts is None:  # no active lesson: whether published or not, nothing to evaluate
        _require_published(course)
        raise EvaluationRefused("The evaluation opens once every lesson is complete.")
    if not facts.published:
        raise CourseNotPublished()
    rows = facts.rows
    progress = queries.progress_of(rows, course, learner)
    if facts.sent:
        raise EvaluationRefused("You have already sent your evaluation of this course.")
    if not progress.lessons_complete:
        raise EvaluationRefused("The evaluation opens once every lesson is complete.")
    if set(objectives_met) != {row.id for row in rows}:
        raise EvaluationRefused("Rate how well each lesson's objectives were met.")
    now = runtime.clock()
    db.session.add(CourseEvaluation(
        course_id=course.id, user_id=learner.id, submitted_at=now, comment=comment,
        objectives_met={str(key): value for key, value in objectives_met.items()},
        **{key: ratings[key] for key in QUESTIONS}))
    db.session.flush()
    audit.record("course.evaluated", at=now, actor_id=learner.id, subject=f"course:{course.id}")
    # Every lesson was complete in the rows read above, in this transaction: the course is
    # complete now unless something besides the evaluation is unmet (a licence number), so
    # its progress is not read again.
    after = course_progress([row.facts for row in rows], requires_licence=course.requires_licence,
                            has_licence=learner.has_licence, evaluated=True)
    if not after.complete:
        return None
    # What the certificate prints besides (the provider settings, the grading scale from the
    # pass marks) came with the facts above, rather than read after the commit.
    return (replace(completion.completion_of(learner, course, now),
                    pass_marks=facts.pass_marks), facts.provider)


def finish_course(runtime: Runtime, learner: User, course: Course) -> CourseCompleted | None:
    """Conclude a course the learner has completed again, for a certificate or subscriber
    that missed it (the process stopped between the last attempt and the certificate, say).
    Certificates are one per learner and course, so this is safe to repeat; it writes
    nothing itself, and nothing at all for a course that is not complete."""
    done = completion.completed(learner, [course], runtime.clock())
    return _concluded(runtime, done[0] if done else None)


def complete_waiting_courses(runtime: Runtime, learner: User) -> list[CourseCompleted]:
    """After a licence number was added to the account (accounts.operations.update_account):
    conclude the started courses that waited only for it."""
    waiting = [course for course in queries.started_courses(learner.id)
               if course.requires_licence]
    return [completion.conclude(runtime, done)
            for done in completion.completed(learner, waiting, runtime.clock())]


@dataclass
class ImportReport:
    course: str
    status: str  # created | updated | unchanged
    lessons_added: int = 0
    lessons_updated: int = 0
    lessons_archived: int = 0
    quiz_versions: int = 0

    def __str__(self) -> str:
        if self.status == "unchanged":
            return f"{self.course}: unchanged"
        return (f"{self.course}: {self.status}; lessons {self.lessons_added} added, "
                f"{self.lessons_updated} updated, {self.lessons_archived} archived; "
                f"{self.quiz_versions} new quiz versions")


@transaction
def import_content(runtime: Runtime, courses: Sequence[CourseSource], *, force: bool = False,
                   actor_id: int | None = None) -> list[ImportReport]:
    """Load validated courses in one transaction: all of them, or on any error none."""
    now = runtime.clock()
    reports = [_import_course(source, force, now) for source in courses]
    if any(report.status != "unchanged" for report in reports):
        audit.record("content.imported", at=now, actor_id=actor_id,
                     subject=",".join(c.slug for c in courses),
                     reports=[str(r) for r in reports], force=force)
    return reports


def _import_course(source: CourseSource, force: bool, now) -> ImportReport:
    course = queries.course_by_slug(source.slug)
    if course is None:
        course = Course(slug=source.slug, created_at=now)
        db.session.add(course)
        report = ImportReport(source.slug, "created")
    else:
        report = ImportReport(source.slug, "updated")
        edited = course.edited_in_browser_at
        if edited and (course.imported_at is None or edited > course.imported_at) and not force:
            raise ContentConflict(
                f"{source.slug}: the course was edited in the browser since its last import; "
                "export it first, or import with --force to overwrite those edits")
        if course.content_hash == source.content_hash and not edited:
            if not course.source_files:  # imported before the files were kept
                course.source_files = dict(source.files)
            report.status = "unchanged"
            return report
    apply_course_source(course, source, now, report)
    course.imported_at = now
    course.edited_in_browser_at = None
    return report


def apply_course_source(course: Course, source: CourseSource, now,
                        report: ImportReport) -> ImportReport:
    """Make the course, its lessons and quizzes what `source` says; call it inside a write
    transaction. Lessons are matched by slug; a lesson or quiz no longer there is archived;
    a quiz whose content changed gets a new version."""
    for field in ("title", "summary", "ce_hours", "course_type", "approval_number",
                  "requires_licence", "description_markdown", "description_html",
                  "content_hash", "word_count"):
        setattr(course, field, getattr(source, field))
    course.status = CourseStatus(source.status)
    course.questions_shown = source.question_count
    course.quiz_words = source.quiz_words
    course.source_files = dict(source.files)
    db.session.flush()
    kept = set(db.session.scalars(select(CourseImage.name).where(
        CourseImage.course_id == course.id)))
    db.session.add_all(CourseImage(course_id=course.id, name=image.name,
                                   content_type=image.content_type, size=len(image.data),
                                   data=image.data, uploaded_at=now)
                       for image in source.images if image.name not in kept)

    existing = {lesson.slug: lesson for lesson in db.session.scalars(
        select(Lesson).where(Lesson.course_id == course.id))}
    had_lessons = bool(existing)
    for lesson_source in source.lessons:
        lesson = existing.pop(lesson_source.slug, None)
        if lesson is None:
            # Learners who started the course before are told the lesson is new.
            lesson = Lesson(course_id=course.id, slug=lesson_source.slug,
                            added_at=now if had_lessons else None)
            db.session.add(lesson)
            report.lessons_added += 1
        elif _lesson_changed(lesson, lesson_source):
            report.lessons_updated += 1
        lesson.position = lesson_source.position
        lesson.title = lesson_source.title
        lesson.minutes = lesson_source.minutes
        lesson.objectives = list(lesson_source.objectives)
        lesson.body_markdown = lesson_source.body_markdown
        lesson.body_html = lesson_source.body_html
        lesson.word_count = lesson_source.word_count
        lesson.min_minutes = lesson_source.min_minutes
        lesson.archived_at = None
        db.session.flush()
        report.quiz_versions += quizzes.import_quiz(lesson.id, lesson_source.quiz, now)
    for lesson in existing.values():
        if lesson.archived_at is None:
            lesson.archived_at = now
            report.lessons_archived += 1
    db.session.flush()
    summary.refresh(course.id)  # lessons and quizzes added or archived count differently
    return report


def _lesson_changed(lesson: Lesson, source: LessonSource) -> bool:
    return (lesson.archived_at is not None or lesson.position != source.position
            or lesson.title != source.title or lesson.minutes != source.minutes
            or lesson.min_minutes != source.min_minutes
            or lesson.objectives != list(source.objectives)
            or lesson.body_markdown != source.body_markdown)
