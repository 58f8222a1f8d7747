"""The only place that writes to the database. Each public function is one transaction."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from . import codes, mail, queries
from .certificates.pdf import CertificateData, render_certificate_pdf
from .content import CourseSource, QuizSource
from .database import write_intent, writing
from .extensions import db
from .grading import grade
from .models import (AuditEvent, Certificate, Choice, Course, Lesson, LessonProgress,
                     PasswordResetToken, Question, Quiz, QuizAttempt, QuizVersion, User, utcnow)

MIN_PASSWORD_LENGTH = 10


class ServiceError(Exception):
    """A request the rules do not allow; its message is shown to the person who made it."""


class EmailTaken(ServiceError):
    pass


class InvalidResetLink(ServiceError):
    pass


class QuizClosed(ServiceError):
    pass


class ContentConflict(ServiceError):
    pass


def audit(action: str, *, actor: User | None = None, subject: str = "", **details) -> None:
    """Record what happened, inside the caller's transaction."""
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, action=action,
                              subject=subject, details=details))


def transaction(func):
    """Run `func` as one write transaction and commit it.

    A unique constraint that fires means a concurrent request changed the same facts first:
    the whole function runs again on the new state (each one reads before it writes), so a
    double-submitted form gets the stored result instead of an error.
    """
    @functools.wraps(func)
    def run(*args, **kwargs):
        if writing():  # the inner rollback would silently discard the outer's work
            raise RuntimeError("a write transaction is already open; services do not nest")
        for attempt in range(1, 4):
            db.session.rollback()  # end the view's read transaction; the write begins afresh
            try:
                with write_intent():
                    result = func(*args, **kwargs)
                    db.session.commit()
                return result
            except IntegrityError:
                db.session.rollback()
                if attempt == 3:
                    raise
            except BaseException:
                db.session.rollback()
                raise
        raise AssertionError("unreachable")
    return run


# --- accounts -----------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return email.strip().lower()


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@transaction
def create_user(*, email: str, password: str, legal_name: str, licence_number: str | None = None,
                licence_state: str | None = None, is_admin: bool = False,
                is_instructor: bool = False) -> User:
    email = normalise_email(email)
    if queries.user_by_email(email) is not None:
        raise EmailTaken("An account with this e-mail address already exists.")
    user = User(email=email, password_hash=_hash_password(password),
                legal_name=legal_name.strip(), licence_number=_clean(licence_number),
                licence_state=_clean(licence_state), is_admin=is_admin,
                is_instructor=is_instructor)
    db.session.add(user)
    db.session.flush()
    audit("user.created", actor=user, subject=email, admin=is_admin, instructor=is_instructor)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = queries.user_by_email(email)
    if user is None or not user.active:
        # Same work as a real check, so response time does not reveal which e-mails exist.
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASHES: dict[str, str] = {}


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = _hash_password(secrets.token_hex(8))
    return _DUMMY_HASHES[method]


@transaction
def update_account(user: User, *, legal_name: str, licence_number: str | None,
                   licence_state: str | None) -> list[Certificate]:
    """Save account details; certificates that waited only for a licence number are issued."""
    user.legal_name = legal_name.strip()
    user.licence_number = _clean(licence_number)
    user.licence_state = _clean(licence_state)
    audit("user.updated", actor=user, subject=user.email)
    return [cert for course in queries.started_courses(user.id)
            if (cert := _issue_if_complete(user, course)) is not None]


@transaction
def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise ServiceError("Your current password is not correct.")
    _set_password(user, new_password)
    audit("user.password_changed", actor=user, subject=user.email)


def _set_password(user: User, password: str) -> None:
    user.password_hash = _hash_password(password)
    user.auth_version += 1  # every other signed-in session ends


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str) -> None:
    """E-mail a single-use link if the account exists; say nothing either way."""
    stored = _store_reset_token(email)
    if stored is not None:
        mail.send_password_reset(*stored)


@transaction
def _store_reset_token(email: str) -> tuple[User, str, int] | None:
    user = queries.user_by_email(email)
    if user is None or not user.active:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_token_hash(token),
                                      created_at=now,
                                      expires_at=now + dt.timedelta(minutes=minutes)))
    audit("user.password_reset_requested", actor=user, subject=user.email)
    return user, token, minutes


@transaction
def reset_password(token: str, new_password: str) -> User:
    reset = valid_reset_token(token)
    if reset is None:
        raise InvalidResetLink("This reset link has expired or was already used. "
                               "Ask for a new one.")
    # Spend the token with a guarded UPDATE, so two concurrent uses cannot both succeed.
    now = utcnow()
    spent = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now))
    if spent.rowcount != 1:
        raise InvalidResetLink("This reset link was already used. Ask for a new one.")
    # Any other link sent to this account stops working too.
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == reset.user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now))
    user = reset.user
    _set_password(user, new_password)
    audit("user.password_reset", actor=user, subject=user.email)
    return user


def valid_reset_token(token: str) -> PasswordResetToken | None:
    reset = db.session.scalar(select(PasswordResetToken).where(
        PasswordResetToken.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


# --- learning -----------------------------------------------------------------------------

@transaction
def mark_lesson_read(user: User, lesson: Lesson) -> Certificate | None:
    """Record that the learner read the lesson (once); issue the certificate if now due."""
    if not queries.is_read(user.id, lesson.id):
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id))
        db.session.flush()
    return _issue_if_complete(user, lesson.course)


@dataclass(frozen=True)
class AttemptOutcome:
    attempt: QuizAttempt
    created: bool  # False: the same form was submitted before; this is that attempt
    certificate: Certificate | None = None


@transaction
def record_attempt(user: User, quiz_id: int, version_id: int, number: int,
                   answers: Mapping[str, Sequence[str]]) -> AttemptOutcome:
    """Grade and store attempt `number`; a repeated submission returns the stored attempt."""
    existing = queries.attempt(user.id, quiz_id, number)
    if existing is not None:
        return AttemptOutcome(existing, created=False)
    # Loaded here, in the write transaction, in a fixed number of statements.
    version = queries.version_with_questions(version_id, quiz_id)
    if version is None:
        raise QuizClosed("This form does not belong to this quiz.")
    count, passed = queries.attempt_count(user.id, quiz_id)
    if passed:
        raise QuizClosed("You have already passed this quiz.")
    limit = queries.current_version(quiz_id).max_attempts
    if limit and count >= limit:
        raise QuizClosed("You have used all the attempts this quiz allows.")
    if number != count + 1:
        raise QuizClosed("This quiz form is out of date; here is the current one.")

    result = grade(queries.gradable(version), answers)
    attempt = QuizAttempt(
        user_id=user.id, quiz_id=quiz_id, quiz_version_id=version.id, number=number,
        answers={key: sorted(values) for key, values in answers.items()},
        correct_count=result.correct_count, question_count=result.question_count,
        score=result.score, passed=result.passed)
    db.session.add(attempt)
    # The same form sent twice at once: the unique (user, quiz, number) index admits one; the
    # other fails here and, run again by @transaction, returns the stored attempt above.
    db.session.flush()
    audit("quiz.attempted", actor=user, subject=f"quiz:{quiz_id}", number=number,
          version=version.number, score=result.score, passed=result.passed)
    certificate = (_issue_if_complete(user, version.quiz.lesson.course) if result.passed
                   else None)
    return AttemptOutcome(attempt, created=True, certificate=certificate)


# --- certificates -------------------------------------------------------------------------

def verification_url(code: str) -> str:
    return f"{current_app.config['SITE_URL']}/verify/{codes.display(code)}"


def _issue_if_complete(user: User, course: Course) -> Certificate | None:
    """Issue the one certificate for this learner and course once nothing is unmet."""
    if queries.certificate_for(user.id, course.id) is not None:
        return None
    if not queries.progress_by_course(user, [course])[course.id].complete:
        return None
    now = utcnow()
    code = codes.new_code()
    certificate = Certificate(
        code=code, user_id=user.id, course_id=course.id, status="valid",
        legal_name=user.legal_name, licence_number=user.licence_number,
        licence_state=user.licence_state, course_title=course.title, ce_hours=course.ce_hours,
        course_type=course.course_type, approval_number=course.approval_number,
        provider_name=current_app.config["PROVIDER_NAME"],
        completed_on=now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date(),
        issued_at=now)
    certificate.pdf = render_certificate_pdf(CertificateData.from_certificate(
        certificate, verification_url(code)))
    db.session.add(certificate)
    db.session.flush()  # unique (user, course): a concurrent issue fails here and runs again
    audit("certificate.issued", actor=user, subject=code, course=course.slug)
    return certificate


# --- content ------------------------------------------------------------------------------

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
def import_content(courses: Sequence[CourseSource], *, force: bool = False,
                   actor: User | None = None) -> list[ImportReport]:
    """Load validated courses in one transaction: all of them, or on any error none."""
    reports = [_import_course(source, force) for source in courses]
    if any(report.status != "unchanged" for report in reports):
        audit("content.imported", actor=actor, subject=",".join(c.slug for c in courses),
              reports=[str(r) for r in reports], force=force)
    return reports


def _import_course(source: CourseSource, force: bool) -> ImportReport:
    course = db.session.scalar(select(Course).where(Course.slug == source.slug))
    report = ImportReport(source.slug, "updated" if course else "created")
    if course is not None:
        edited = course.edited_in_browser_at
        if edited and (course.imported_at is None or edited > course.imported_at) and not force:
            raise ContentConflict(
                f"{source.slug}: the course was edited in the browser since its last import; "
                "export it first, or import with --force to overwrite those edits")
        if course.content_hash == source.content_hash and not edited:
            report.status = "unchanged"
            return report
    else:
        course = Course(slug=source.slug)
        db.session.add(course)
    for field in ("title", "summary", "ce_hours", "course_type", "status", "approval_number",
                  "requires_licence", "description_markdown", "description_html",
                  "content_hash"):
        setattr(course, field, getattr(source, field))
    course.imported_at = utcnow()
    course.edited_in_browser_at = None
    db.session.flush()

    existing = {lesson.slug: lesson for lesson in db.session.scalars(
        select(Lesson).where(Lesson.course_id == course.id))}
    for lesson_source in source.lessons:
        lesson = existing.pop(lesson_source.slug, None)
        if lesson is None:
            lesson = Lesson(course_id=course.id, slug=lesson_source.slug)
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
        report.quiz_versions += _import_quiz(lesson, lesson_source.quiz)
    for lesson in existing.values():
        if lesson.archived_at is None:
            lesson.archived_at = utcnow()
            report.lessons_archived += 1
    return report


def _lesson_changed(lesson: Lesson, source) -> bool:
    return (lesson.archived_at is not None or lesson.position != source.position
            or lesson.title != source.title or lesson.minutes != source.minutes
            or lesson.objectives != list(source.objectives)
            or lesson.body_markdown != source.body_markdown)


def _import_quiz(lesson: Lesson, source: QuizSource | None) -> int:
    """Archive, revive or version the lesson's quiz; return how many versions were created."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.lesson_id == lesson.id))
    if source is None:
        if quiz is not None and quiz.archived_at is None:
            quiz.archived_at = utcnow()
        return 0
    if quiz is None:
        quiz = Quiz(lesson_id=lesson.id)
        db.session.add(quiz)
        db.session.flush()
    quiz.archived_at = None
    latest = queries.current_version(quiz.id)
    if latest is not None and latest.content_hash == source.content_hash:
        return 0
    version = QuizVersion(quiz_id=quiz.id, number=(latest.number + 1) if latest else 1,
                          content_hash=source.content_hash, pass_mark=source.pass_mark,
                          max_attempts=source.max_attempts, source=source.canonical())
    db.session.add(version)
    db.session.flush()
    for position, question in enumerate(source.questions, start=1):
        row = Question(quiz_version_id=version.id, key=question.key, position=position,
                       type=question.type, prompt_html=question.prompt_html,
                       explanation_html=question.explanation_html)
        db.session.add(row)
        db.session.flush()
        db.session.add_all(
            Choice(question_id=row.id, key=choice.key, position=index,
                   text_html=choice.text_html, correct=choice.correct,
                   feedback_html=choice.feedback_html)
            for index, choice in enumerate(question.choices, start=1))
    return 1
