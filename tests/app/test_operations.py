"""Operations called directly, as a CLI command or a background job would call them: no
request, a runtime of the test's own (clock, mailer), and the rules they enforce."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from nmt_course.evaluation import QUESTIONS
from nmt_course.accounts import operations as accounts, session_operations as sessions
from nmt_course.accounts.live_sessions import RedisSessions
from nmt_course.accounts.models import User
from nmt_course.accounts.queries import authenticate, user_by_email, user_for_session
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate
from nmt_course.certificates.operations import issue_certificate
from nmt_course.database import db
from nmt_course.events import Completion, course_completed
from nmt_course.learning import completion, operations as learning
from nmt_course.learning.queries import course_by_slug, quiz_context
from nmt_course.mailing.models import OutboxMessage
from nmt_course.quizzes import operations as quizzes, queries as quiz_queries
from nmt_course.quizzes.models import QuizAttempt, QuizVersion
from nmt_course.quizzes.policy import Refusal
from nmt_course.runtime import Email
from tests.helpers import (DEMO_FAIL, DEMO_PASS, PASSWORD, SECOND_PASS, import_content,
                           make_user, runtime)

NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


class Outbox:
    def __init__(self):
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        self.sent.append(email)


@pytest.fixture
def ctx(app):
    """An app context with the fixture course, one learner, and a runtime with a fixed clock
    and a mailer that keeps what it is given."""
    import_content(app)
    make_user(app)
    outbox = Outbox()
    run = dataclasses.replace(runtime(app), clock=lambda: NOON, mailer=outbox)
    with app.app_context():
        yield run, outbox


@pytest.fixture(params=["table", "redis"])
def store_run(request, ctx):
    """The runtime of `ctx`, with live sessions in the table or in Redis."""
    run, _ = ctx
    if request.param == "redis":
        url, prefix = request.getfixturevalue("redis_url")
        run = dataclasses.replace(run, live_sessions=RedisSessions.from_url(url, prefix + ":"))
    return run


def page_look(lesson: str) -> quizzes.Seen:
    """What a submission's page reads with the quiz, before the write."""
    learner = user_by_email("learner@example.com")
    standing, _, answered, first_score = quiz_queries.standing_with_answered(
        learner.id, quiz_context("demo", lesson).quiz.id)
    return quizzes.Seen(standing, answered, first_score)


def submit(run, lesson: str, answers: dict, *, number: int | None = None,
           version_id: int | None = None,
           seen: quizzes.Seen | None = None) -> learning.QuizSubmitted:
    learner = user_by_email("learner@example.com")
    context = quiz_context("demo", lesson)
    standing, version = quiz_queries.standing(learner.id, context.quiz.id)
    if version_id is not None:  # a form kept from an older version
        version = db.session.get(QuizVersion, version_id)
    questions = quiz_queries.questions_of(version.id)
    number = standing.next_number if number is None else number
    return learning.submit_quiz(
        run, learner, course=context.course, version=version, questions=questions,
        shown=quiz_queries.presentation_for(run.settings.order_key, learner.id, version,
                                            questions, number),
        number=number, seen=seen,
        answers={key: [value] if isinstance(value, str) else value
                 for key, value in answers.items()})


def stored_attempts() -> list[tuple[int, int, bool]]:
    return [(a.number, a.score, a.passed) for a in db.session.scalars(
        select(QuizAttempt).order_by(QuizAttempt.quiz_id, QuizAttempt.number))]


def test_an_attempt_is_graded_stored_and_timed_by_the_given_clock(ctx):
    run, _ = ctx
    outcome = submit(run, "first-lesson", DEMO_FAIL).attempt
    assert (outcome.number, outcome.created, outcome.passed) == (1, True, False)
    attempt = db.session.scalar(select(QuizAttempt))
    assert (attempt.score, attempt.submitted_at) == (40, NOON)


@pytest.mark.dialect("partial unique index")
def test_a_learner_who_passed_cannot_submit_again(ctx):
    run, _ = ctx
    assert submit(run, "first-lesson", DEMO_PASS).attempt.passed
    with pytest.raises(quizzes.QuizRefused) as refused:
        submit(run, "first-lesson", DEMO_PASS, number=2)
    assert refused.value.refusal is Refusal.PASSED
    assert str(refused.value) == "You have already passed this quiz."
    assert stored_attempts() == [(1, 100, True)]


@pytest.mark.dialect("a unique constraint firing mid-transaction")
def test_a_stale_attempt_number_is_refused_and_a_repeated_one_replayed(ctx):
    run, _ = ctx
    submit(run, "first-lesson", DEMO_FAIL)
    with pytest.raises(quizzes.QuizRefused) as refused:
        submit(run, "first-lesson", DEMO_PASS, number=3)
    assert refused.value.refusal is Refusal.STALE_ATTEMPT
    again = submit(run, "first-lesson", DEMO_PASS, number=1).attempt
    assert (again.number, again.created) == (1, False)
    assert stored_attempts() == [(1, 40, False)]


def test_out_of_attempts_is_refused(ctx):
    run, _ = ctx
    wrong = {"only": ["false"], "other": ["b"]}
    submit(run, "second-lesson", wrong)
    submit(run, "second-lesson", wrong)
    with pytest.raises(quizzes.QuizRefused) as refused:
        submit(run, "second-lesson", SECOND_PASS, number=3)
    assert refused.value.refusal is Refusal.OUT_OF_ATTEMPTS


def test_only_the_current_version_is_graded(app, ctx, tmp_path):
    run, _ = ctx
    old_version = quiz_queries.standing(
        user_by_email("learner@example.com").id,
        quiz_context("demo", "first-lesson").quiz.id)[1].id
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    # The new version keys 'blue' as right: the old form must not be graded on either.
    quiz.write_text(quiz.read_text().replace(
        "        text: Red\n        correct: true\n", "        text: Red\n", 1).replace(
        "        text: Blue\n", "        text: Blue\n        correct: true\n", 1))
    db.session.commit()
    import_content(app, content / "lessons", content / "quizzes")
    with pytest.raises(quizzes.QuizRefused) as refused:
        submit(run, "first-lesson", DEMO_PASS, version_id=old_version)
    assert refused.value.refusal is Refusal.STALE_VERSION
    assert stored_attempts() == []
    submit(run, "first-lesson", DEMO_PASS)
    assert stored_attempts() == [(1, 80, True)]  # graded on version 2, where red is wrong


@pytest.mark.parametrize("earlier_fails", [0, 1])
def test_a_version_published_after_the_page_looked_is_not_graded_on(app, ctx, tmp_path,
                                                                   earlier_fails):
    """The standing's compare-and-set (or, for a first attempt, its insert) also asks that
    the version the page read is still the current one."""
    run, _ = ctx
    for _ in range(earlier_fails):
        submit(run, "first-lesson", DEMO_FAIL)
    seen = page_look("first-lesson")
    old_version = seen.standing.current_version_id
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    quiz.write_text(quiz.read_text().replace("        text: Red\n", "        text: Rouge\n", 1))
    db.session.commit()
    import_content(app, content / "lessons", content / "quizzes")
    with pytest.raises(quizzes.QuizRefused) as refused:
        submit(run, "first-lesson", DEMO_PASS, version_id=old_version, seen=seen)
    assert refused.value.refusal is Refusal.STALE_VERSION
    assert len(stored_attempts()) == earlier_fails


def a_session(run) -> str:
    """Log the learner in as a new browser would: the cookie's session id."""
    user = user_by_email("learner@example.com")
    sessions.start_session(run, user, remember=False, address="192.0.2.1")
    return user.get_id()


def test_a_deactivated_account_cannot_log_in_or_stay_logged_in(store_run):
    run = store_run
    session_id = a_session(run)
    assert authenticate(run, "learner@example.com", PASSWORD) is not None
    assert user_for_session(run, session_id) is not None
    admin = user_by_email("learner@example.com")
    accounts.set_active(run, admin_user(run), admin, False)
    assert authenticate(run, "learner@example.com", PASSWORD) is None
    assert user_for_session(run, session_id) is None
    accounts.set_active(run, admin_user(run), admin, True)
    assert user_for_session(run, session_id) is None  # reactivating does not bring it back


def admin_user(run):
    found = user_by_email("admin@example.com")
    if found is None:
        accounts.create_user(run, email="admin@example.com", password=PASSWORD,
                             legal_name="Ada Admin", is_admin=True)
        found = user_by_email("admin@example.com")
    return found


def test_a_password_change_ends_every_session_and_says_so_by_mail(store_run):
    run = store_run
    first, second = a_session(run), a_session(run)
    user = user_by_email("learner@example.com")
    accounts.change_password(run, user, PASSWORD, "another long password")
    assert user_for_session(run, first) is None
    assert user_for_session(run, second) is None
    assert db.session.scalar(select(OutboxMessage.subject).where(
        OutboxMessage.to == "learner@example.com")) == "Your password was changed"
    with pytest.raises(accounts.AccountError):
        accounts.change_password(run, user, "wrong password", "a third long password")


def test_logging_out_ends_that_session_only(store_run):
    run = store_run
    first, second = a_session(run), a_session(run)
    user = user_for_session(run, first)
    sessions.end_session(run, user, "192.0.2.1")
    assert user_for_session(run, first) is None
    assert user_for_session(run, second) is not None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["user.login", "user.login", "user.logout"]


def test_a_reset_link_is_queued_in_the_outbox_for_an_existing_account_only(ctx):
    run, _ = ctx
    accounts.request_password_reset(run, "LEARNER@example.com")
    accounts.request_password_reset(run, "nobody@example.com")
    (queued,) = db.session.scalars(select(OutboxMessage)).all()
    assert queued.to == "learner@example.com"
    assert "http://nmt.test/reset-password/" in queued.body and "60 minutes" in queued.body
    # Both requests wrote an audit row, so both took a write transaction's time.
    actions = db.session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "user.password_reset_requested").order_by(AuditEvent.id)).all()
    assert [details["known"] for details in actions] == [True, False]


def test_using_one_reset_link_ends_every_other_one(ctx):
    run, _ = ctx
    for _ in range(2):
        accounts.request_password_reset(run, "learner@example.com")
    first, second = [message.body.split("/reset-password/")[1].split()[0]
                     for message in db.session.scalars(select(OutboxMessage)
                                                       .order_by(OutboxMessage.id))]
    accounts.reset_password(run, second, "a brand new passphrase")
    with pytest.raises(accounts.InvalidResetLink):
        accounts.reset_password(run, first, "another new passphrase")


@pytest.fixture
def heard():
    """What `course_completed` subscribers hear (after the certificate is issued)."""
    completions: list[Completion] = []

    def listen(runtime, *, completion):
        completions.append(completion)

    course_completed.connect(listen)
    yield completions
    course_completed.disconnect(listen)


def read(run, lesson: str):
    course = course_by_slug("demo")
    return learning.mark_lesson_read(run, user_by_email("learner@example.com"),
                                     next(item for item in course.lessons
                                          if item.slug == lesson), course)


def evaluate(run):
    learner, course = user_by_email("learner@example.com"), course_by_slug("demo")
    return learning.send_evaluation(run, learner, course,
                                    objectives_met={lesson.id: 4 for lesson in course.lessons},
                                    ratings=dict.fromkeys(QUESTIONS, 4), comment="")


def finish_lessons(run):
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read(run, lesson)
        assert submit(run, lesson, answers).completed is None


def test_completing_a_course_is_announced_once_and_issues_one_certificate(ctx, heard):
    run, _ = ctx
    finish_lessons(run)
    assert heard == []  # the evaluation comes before the certificate
    completed = evaluate(run)
    (done,) = heard
    assert (done.legal_name, done.course_slug, done.completed_at) == (
        "Jane Learner", "demo", NOON)
    # The page reads the certificate from the outcome the operation returns.
    assert completed.course_title == "Demo Course for Tests"
    assert completed.certificate.code == db.session.scalar(select(Certificate.code))
    assert learning.mark_lesson_read(run, user_by_email("learner@example.com"),
                                     course_by_slug("demo").lessons[0],
                                     course_by_slug("demo")) is None
    assert len(heard) == 1  # reading a lesson of a finished course completes nothing new
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_finish_course_reissues_nothing_and_announces_only_a_complete_course(ctx, heard):
    run, _ = ctx
    learner = user_by_email("learner@example.com")
    assert learning.finish_course(run, learner, course_by_slug("demo")) is None
    assert heard == []
    finish_lessons(run)
    assert learning.finish_course(run, learner, course_by_slug("demo")) is None
    evaluate(run)
    first = db.session.scalar(select(Certificate.code))
    again = learning.finish_course(run, learner, course_by_slug("demo"))
    assert again.certificate.code == first and len(heard) == 2
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


@pytest.mark.dialect("unique constraint, time zones")
def test_certificate_issue_keeps_the_first_and_dates_it_in_the_provider_time_zone(app, ctx):
    run, _ = ctx
    late_evening = dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.timezone.utc)  # 2 March in UTC
    pacific = dataclasses.replace(run, settings=dataclasses.replace(
        run.settings, timezone=ZoneInfo("America/Los_Angeles")))
    learner = user_by_email("learner@example.com")
    done = completion.completion_of(learner, course_by_slug("demo"), late_evening)
    first = issue_certificate(pacific, done)
    second = issue_certificate(pacific, done)
    assert second.code == first.code
    certificate = db.session.scalar(select(Certificate))
    assert certificate.completed_on == dt.date(2026, 3, 1)  # still 1 March in California
    assert certificate.issued_at == NOON


def test_account_details_saved_with_a_licence_complete_a_course_that_waited_for_it(app, ctx):
    run, _ = ctx
    course = course_by_slug("demo")
    course.requires_licence = True
    db.session.commit()
    finish_lessons(run)
    assert evaluate(run) is None
    learner = user_by_email("learner@example.com")
    assert learning.complete_waiting_courses(run, learner) == []  # still no licence
    assert accounts.update_account(run, learner, legal_name="Jane Learner",
                                   licence_number="LMT-9", licence_state="OR")
    (completed,) = learning.complete_waiting_courses(run, learner)
    assert completed.course_title == "Demo Course for Tests"
    assert completed.certificate is not None
    assert not accounts.update_account(run, learner, legal_name="Jane Learner",
                                       licence_number="LMT-9", licence_state="OR")
    assert db.session.scalar(select(Certificate.licence_number)) == "LMT-9"


def test_granted_attempts_reopen_a_quiz_whose_attempts_are_used_up(ctx):
    run, _ = ctx
    wrong = {"only": ["false"], "other": ["b"]}
    submit(run, "second-lesson", wrong)
    submit(run, "second-lesson", wrong)
    learner = user_by_email("learner@example.com")
    quiz_id = quiz_context("demo", "second-lesson").quiz.id
    for bad in ({"attempts": 0, "reason": "x"}, {"attempts": 11, "reason": "x"},
                {"attempts": 1, "reason": "  "}):
        with pytest.raises(ValueError):
            quizzes.grant_attempts(run, learner_id=learner.id, quiz_id=quiz_id, **bad)
    assert quiz_queries.standing(learner.id, quiz_id)[0].max_attempts == 2
    quizzes.grant_attempts(run, learner_id=learner.id, quiz_id=quiz_id, attempts=1,
                           reason="Talked it through on the phone")
    standing, _ = quiz_queries.standing(learner.id, quiz_id)
    assert (standing.max_attempts, standing.attempts_used) == (3, 2)
    assert submit(run, "second-lesson", SECOND_PASS).attempt.passed
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "quiz.attempts_granted"))
    assert event.details["reason"] == "Talked it through on the phone"


@pytest.mark.dialect("transactions")
def test_a_change_made_outside_an_operation_is_refused_not_committed(app):
    """Only operations write: a row added beside one is refused, and the operation stores
    nothing either."""
    with app.app_context():
        db.session.add(User(email="stray@example.com", password_hash="x", legal_name="Stray"))
        with pytest.raises(RuntimeError, match="changes made outside an operation"):
            accounts.create_user(runtime(app), email="kim@example.com", password=PASSWORD,
                                 legal_name="Kim Lee")
        db.session.rollback()
        assert db.session.scalar(select(func.count(User.id))) == 0
