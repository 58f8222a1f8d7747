"""A quiz's key changes: the author sees how many stored attempts a regrade would turn from
fail to pass, applies it (once, however often it is clicked), those learners move on, and no
pass is ever taken away: passes that would fail are kept and listed for an admin."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from sqlalchemy import func, select

from nmt_course.accounts.queries import user_by_email
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from nmt_course.learning import queries as learning_queries
from nmt_course.learning.models import CourseEvaluation, CourseProgress
from nmt_course.learning.regrade_operations import apply_regrade
from nmt_course.quizzes.models import QuestionAnswer, QuizAttempt, QuizStanding
from nmt_course.quizzes.regrade_operations import KeyChangedAgain
from nmt_course.quizzes.regrade_queries import regrade_view
from tests.app.authoring_helpers import author, post
from tests.helpers import (FIXTURE_CONTENT, count_statements, import_content, login,
                           make_user, pass_quiz_directly, read_directly, runtime)

REGRADE = "/author/courses/demo/lessons/first-lesson/regrade/"
# 3 of 5 under the shipped key (cats: four legs); 4 of 5, a pass at 80 %, once six is right.
FAILS_NOW = {"colour": ["red"], "primes": ["two"], "sky": ["false"], "water": ["true"],
             "cats": ["six-legs"]}
# 4 of 5, a pass; 3 of 5 once six legs is the right answer.
PASSES_NOW = {**FAILS_NOW, "cats": ["four-legs"]}


def change_the_key(app, tmp_path) -> None:
    """Republish the first quiz with 'six legs' as the right answer (a wrong key, for the
    test's sake), as `content import` does."""
    content = changed_key_content(tmp_path)
    import_content(app, content / "lessons", content / "quizzes")


def changed_key_content(tmp_path) -> Path:
    """The fixture course with the first quiz's key changed, in a folder of its own."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    quiz = tmp_path / "content/quizzes/demo/first-lesson.yaml"
    text = quiz.read_text()
    quiz.write_text(text.replace(
        "      - id: four-legs\n        text: Four\n        correct: true\n"
        "      - id: six-legs\n        text: Six\n",
        "      - id: four-legs\n        text: Four\n"
        "      - id: six-legs\n        text: Six\n        correct: true\n"))
    assert quiz.read_text() != text
    return tmp_path / "content"


def learners(app) -> None:
    """Two learners fail once, one twice, all by the cats question; one passes by it."""
    for name in ("ann", "bob", "cy", "dee"):
        make_user(app, f"{name}@example.com", name=name.title())
        read_directly(app, f"{name}@example.com", "demo", "first-lesson")
    for name in ("ann", "bob", "cy"):
        assert not pass_quiz_directly(app, f"{name}@example.com", "demo", "first-lesson",
                                      FAILS_NOW).attempt.passed
    assert not pass_quiz_directly(app, "cy@example.com", "demo", "first-lesson",
                                  FAILS_NOW).attempt.passed
    assert pass_quiz_directly(app, "dee@example.com", "demo", "first-lesson",
                              PASSES_NOW).attempt.passed


def standing(app, email: str) -> QuizStanding:
    with app.app_context():
        return db.session.scalar(select(QuizStanding).where(
            QuizStanding.user_id == user_by_email(email).id))


def regrades(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "quiz.regraded"))


def regrade_page_after_a_key_change(app, tmp_path):
    """An admin, and the regrade page they see once the learners tried and the key changed."""
    import_content(app)
    learners(app)
    change_the_key(app, tmp_path)
    admin = author(app, "admin@example.com", is_admin=True)
    return admin, admin.get(REGRADE).text


def test_the_author_sees_the_count_applies_it_once_and_no_pass_is_taken(app, tmp_path):
    admin, page = regrade_page_after_a_key_change(app, tmp_path)
    assert "3 attempts would now pass" in page
    assert "1 more failed attempt would pass too" in page  # Cy's second attempt
    assert "1 pass would fail under the current key" in page
    would_fail = page.split('id="would-fail-heading"')[1]
    assert "Dee" in would_fail and "80 %, passed" in would_fail
    assert "60 %, would not pass" in would_fail

    done = post(admin, REGRADE, {"version": form_version(page)})
    assert done.status_code == 302
    assert "3 attempts regraded to a pass." in admin.get(REGRADE).text
    for name in ("ann", "bob", "cy"):
        kept = standing(app, f"{name}@example.com")
        assert kept.passed and kept.best_score == 80
    assert standing(app, "cy@example.com").failures == 1  # the second attempt still failed
    assert standing(app, "dee@example.com").passed  # never taken away
    with app.app_context():
        cy = user_by_email("cy@example.com").id
        assert [(a.number, a.passed, a.score) for a in db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == cy)
            .order_by(QuizAttempt.number))] == [(1, True, 80), (2, False, 60)]
    with app.app_context():  # item analysis bands learners by the regraded score
        assert set(db.session.scalars(select(QuestionAnswer.first_score).where(
            QuestionAnswer.user_id == cy))) == {80}
    assert regrades(app) == 1

    # The same click again, or a page open since: nothing more is stored.
    again = post(admin, REGRADE, {"version": form_version(page)})
    assert again.status_code == 302
    assert "Nothing to regrade" in admin.get(REGRADE).text
    assert regrades(app) == 1

    # Each review marks the attempt against the key that graded it, and says when the key
    # has changed since.
    attempt = "/courses/demo/lessons/first-lesson/quiz/attempts/{}"
    kept = as_learner(app, "dee@example.com").get(attempt.format(1)).text
    assert "Passed" in kept and "80%" in kept
    assert "answer key has changed since this attempt was graded (question" in kept
    second = as_learner(app, "cy@example.com").get(attempt.format(2)).text
    assert "Not passed yet" in second and "answer key has changed since" in second
    regraded = as_learner(app, "ann@example.com").get(attempt.format(1)).text
    assert "Passed" in regraded and "80%" in regraded
    assert "Regraded when the quiz's answer key was corrected." in regraded
    assert "has changed since" not in regraded
    six = regraded.split(">Six<")[1].split("</li>")[0]
    assert "Your answer" in six and "Right answer" in six

    # The learner's progress moved on: the first lesson is complete.
    with app.app_context():
        ann = user_by_email("ann@example.com")
        course = learning_queries.course_by_slug("demo")
        progress = learning_queries.progress_by_course(ann, [course])[course.id]
        assert progress.lessons[0].complete


def as_learner(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def form_version(page: str) -> str:
    return page.split('name="version" value="')[1].split('"')[0]


def key_changed_after_attempts(app, tmp_path) -> int:
    """The learners' attempts, then the key change, and an admin; the quiz's id."""
    import_content(app)
    learners(app)
    change_the_key(app, tmp_path)
    make_user(app, "admin@example.com", is_admin=True)
    with app.app_context():
        return db.session.scalar(select(QuizAttempt.quiz_id))


@pytest.mark.dialect("row locks")
def test_two_authors_applying_one_plan_store_it_once(app, tmp_path):
    quiz_id = key_changed_after_attempts(app, tmp_path)
    with app.app_context():
        first, second = regrade_view(quiz_id).plan, regrade_view(quiz_id).plan
        admin = user_by_email("admin@example.com")
        course = learning_queries.course_by_slug("demo")
        assert apply_regrade(runtime(app), admin, course, quiz_id, first).passes == 3
        assert apply_regrade(runtime(app), admin, course, quiz_id, second).passes == 0
    assert standing(app, "ann@example.com").failures == 0
    assert regrades(app) == 1


def test_a_plan_for_an_older_key_is_refused(app, tmp_path):
    admin, page = regrade_page_after_a_key_change(app, tmp_path)
    stale = str(int(form_version(page)) - 1)
    refused = post(admin, REGRADE, {"version": stale}, follow_redirects=True)
    assert "published again since you looked" in refused.text
    assert not standing(app, "ann@example.com").passed
    assert regrades(app) == 0


def test_a_plan_made_before_the_quiz_was_published_again_is_refused(app, tmp_path):
    quiz_id = key_changed_after_attempts(app, tmp_path)
    with app.app_context():
        old_plan = regrade_view(quiz_id).plan
    import_content(app)  # the first key again: a third version
    with app.app_context():
        with pytest.raises(KeyChangedAgain):
            apply_regrade(runtime(app), user_by_email("admin@example.com"),
                          learning_queries.course_by_slug("demo"), quiz_id, old_plan)
    assert not standing(app, "ann@example.com").passed
    assert regrades(app) == 0


def test_a_regraded_pass_completes_the_course_as_a_submitted_one_would(app, tmp_path):
    import_content(app)
    make_user(app, "ann@example.com", name="Ann", licence_number="NMT-1")
    for lesson in ("first-lesson", "second-lesson"):
        read_directly(app, "ann@example.com", "demo", lesson)
    pass_quiz_directly(app, "ann@example.com", "demo", "second-lesson",
                       {"only": ["true"], "other": ["a"]})
    pass_quiz_directly(app, "ann@example.com", "demo", "first-lesson", FAILS_NOW)
    with app.app_context():  # sent when the first lesson had no quiz yet, say
        ann = user_by_email("ann@example.com")
        course = learning_queries.course_by_slug("demo")
        db.session.add(CourseEvaluation(course_id=course.id, user_id=ann.id, comment="",
                                        objectives_met={}, **evaluation_ratings()))
        db.session.commit()
    change_the_key(app, tmp_path)
    admin = author(app, "admin@example.com", is_admin=True)
    post(admin, REGRADE, {"version": form_version(admin.get(REGRADE).text)})
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate is not None and certificate.legal_name == "Ann"


def evaluation_ratings() -> dict[str, int]:
    from nmt_course.evaluation import QUESTIONS
    return {key: 4 for key in QUESTIONS}


@pytest.mark.dialect("statement budget")
@pytest.mark.parametrize("failed", [1, 6])
def test_the_plan_is_read_in_four_statements_whatever_the_attempts(app, tmp_path, failed):
    import_content(app)
    for n in range(failed):
        make_user(app, f"learner{n}@example.com")
        pass_quiz_directly(app, f"learner{n}@example.com", "demo", "first-lesson", FAILS_NOW)
    change_the_key(app, tmp_path)
    with app.app_context():
        quiz_id = db.session.scalar(select(QuizAttempt.quiz_id))
        with count_statements(db.engine) as statements:
            assert len(regrade_view(quiz_id).plan.would_pass) == failed
    assert len([s for s in statements if not s.startswith("BEGIN")]) == 4


def test_an_instructor_sees_counts_but_not_who(app, tmp_path):
    import_content(app)
    learners(app)
    change_the_key(app, tmp_path)
    owner_id = make_user(app, "owner@example.com", is_instructor=True)
    with app.app_context():
        learning_queries.course_by_slug("demo").owner_id = owner_id
        db.session.commit()
        db.session.commit()
    owner = app.test_client()
    login(owner, "owner@example.com")
    page = owner.get(REGRADE).text
    assert "3 attempts would now pass" in page and "Dee" not in page
    assert "an admin sees here who they are" in page


def test_an_import_that_changes_a_key_says_what_a_regrade_would_do(app, tmp_path):
    import_content(app)
    learners(app)
    result = app.test_cli_runner().invoke(
        args=["content", "import", str(changed_key_content(tmp_path))])
    assert result.exit_code == 0, result.output
    assert ("demo: The key of the quiz of “The First Lesson” changed: 3 attempts would now "
            "pass, 1 pass would fail under it; review the regrade at ") in result.output
    assert "/author/courses/demo/lessons/first-lesson/regrade/" in result.output


@pytest.mark.slow
def test_two_authors_clicking_at_once_store_each_pass_once(app, tmp_path):
    """Both pages work out the plan before either stores it; the second waits for the first
    (the quiz row's lock on PostgreSQL, the single writer on SQLite), then stores nothing."""
    import_content(app)
    learners(app)
    change_the_key(app, tmp_path)
    clients = [author(app, f"admin{n}@example.com", is_admin=True) for n in range(2)]
    pages = [client.get(REGRADE).text for client in clients]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def click(client, page):
        barrier.wait(timeout=30)
        statuses.append(post(client, REGRADE, {"version": form_version(page)}).status_code)

    threads = [threading.Thread(target=click, args=pair) for pair in zip(clients, pages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    assert regrades(app) == 1
    for name in ("ann", "bob"):
        kept = standing(app, f"{name}@example.com")
        assert kept.passed and kept.failures == 0


def test_a_regraded_pass_reaches_what_clinic_reports_count(app, tmp_path):
    """Clinic reports read course_progress, not the standings: a regrade keeps it too."""
    admin, page = regrade_page_after_a_key_change(app, tmp_path)
    post(admin, REGRADE, {"version": form_version(page)})
    with app.app_context():
        ann = user_by_email("ann@example.com").id
        row = db.session.scalar(select(CourseProgress).where(CourseProgress.user_id == ann))
        assert row.passed == 1 and row.passed_and_read == 1
