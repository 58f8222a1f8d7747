"""Changes to courses and learners' progress: read marks, finishing a course, and loading
validated content files into the database. Each public function is one transaction;
completions are announced after it commits."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..content import CourseSource, LessonSource, QuizSource
from ..database import db, transaction
from ..events import Completion, announce_completion
from ..quizzes.models import Choice, Question, Quiz, QuizVersion
from ..runtime import Runtime
from . import completion, queries
from .models import Course, CourseImage, Lesson, LessonProgress


class ContentConflict(Exception):
    """Importing would overwrite edits made in the browser."""


def mark_lesson_read(runtime: Runtime, learner: User, lesson: Lesson,
                     course: Course) -> list[object]:
    """Record that the learner read the lesson (once). If that completed the course, its
    subscribers hear of it; what they returned (the certificate) comes back."""
    done = _mark_read(runtime, learner, lesson, course)
    return announce_completion(runtime, done) if done is not None else []


@transaction
def _mark_read(runtime: Runtime, learner: User, lesson: Lesson,
               course: Course) -> Completion | None:
    if queries.is_read(learner.id, lesson.id):
        return None
    now = runtime.clock()
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id, read_at=now))
    db.session.flush()
    rows = queries.lesson_rows([course.id], learner.id)[course.id]
    if any(row.id == lesson.id and row.quiz_id is not None for row in rows):
        return None  # a lesson with a quiz is complete when its quiz is passed, not read
    progress = queries.progress_of(rows, course, learner)
    return completion.completion_of(learner, course, now) if progress.complete else None


def finish_course(runtime: Runtime, learner: User, course: Course) -> list[object]:
    """Announce a course the learner has completed again, for a subscriber that missed it
    (the process stopped between the last attempt and the certificate, say). Subscribers
    keep one record per learner and course, so this is safe to repeat; it writes nothing
    itself, and nothing at all for a course that is not complete."""
    done = completion.completed(learner, [course], runtime.clock())
    return announce_completion(runtime, done[0]) if done else []


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
    for field in ("title", "summary", "ce_hours", "course_type", "status", "approval_number",
                  "requires_licence", "description_markdown", "description_html",
                  "content_hash", "word_count"):
        setattr(course, field, getattr(source, field))
    course.questions_shown = source.question_count
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
        lesson.archived_at = None
        db.session.flush()
        report.quiz_versions += _import_quiz(lesson, lesson_source.quiz, now)
    for lesson in existing.values():
        if lesson.archived_at is None:
            lesson.archived_at = now
            report.lessons_archived += 1
    return report


def _lesson_changed(lesson: Lesson, source: LessonSource) -> bool:
    return (lesson.archived_at is not None or lesson.position != source.position
            or lesson.title != source.title or lesson.minutes != source.minutes
            or lesson.objectives != list(source.objectives)
            or lesson.body_markdown != source.body_markdown)


def _import_quiz(lesson: Lesson, source: QuizSource | None, now) -> int:
    """Archive, revive or version the lesson's quiz; return how many versions were created."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.lesson_id == lesson.id))
    if source is None:
        if quiz is not None and quiz.archived_at is None:
            quiz.archived_at = now
        return 0
    if quiz is None:
        quiz = Quiz(lesson_id=lesson.id)
        db.session.add(quiz)
        db.session.flush()
    quiz.archived_at = None
    latest = db.session.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id)
                               .order_by(QuizVersion.number.desc()).limit(1))
    if latest is not None and latest.content_hash == source.content_hash:
        return 0
    version = QuizVersion(quiz_id=quiz.id, number=(latest.number + 1) if latest else 1,
                          content_hash=source.content_hash, pass_mark=source.pass_mark,
                          max_attempts=source.max_attempts, draw=source.draw,
                          review_after_fail=source.review_after_fail,
                          source=source.canonical(), created_at=now)
    db.session.add(version)
    db.session.flush()
    for position, question in enumerate(source.questions, start=1):
        row = Question(quiz_version_id=version.id, key=question.key, position=position,
                       type=question.type, objective=question.objective,
                       prompt_html=question.prompt_html,
                       explanation_html=question.explanation_html)
        db.session.add(row)
        db.session.flush()
        db.session.add_all(
            Choice(question_id=row.id, key=choice.key, position=index,
                   text_html=choice.text_html, correct=choice.correct,
                   feedback_html=choice.feedback_html)
            for index, choice in enumerate(question.choices, start=1))
    return 1
