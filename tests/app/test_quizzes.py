"""Quizzes: graded on the server, every attempt kept, never a lost answer or a double pass."""
from __future__ import annotations

import dataclasses
import re
import shutil
import threading

import pytest
from sqlalchemy import func, select, update

from nmt_course.extensions import db
from nmt_course.quizzes import queries
from nmt_course.quizzes.models import Choice, QuizAttempt, QuizStanding
from tests.helpers import (DEMO_FAIL, DEMO_PASS, SECOND_PASS, count_statements, form_with,
                           import_content, login, make_user, quiz_form, submit_quiz)

QUIZ = "/courses/demo/lessons/first-lesson/quiz"
SECOND_QUIZ = "/courses/demo/lessons/second-lesson/quiz"


def attempts(app) -> list[tuple[int, int, bool]]:
    with app.app_context():
        return [(a.number, a.score, a.passed) for a in db.session.scalars(
            select(QuizAttempt).order_by(QuizAttempt.user_id, QuizAttempt.number))]


def test_quiz_page_holds_no_answer_key(learner):
    page = learner.get(QUIZ).text
    assert "Which colour is <strong>taut-band red</strong>?" in page
    for secret in ("FIRST-EXPLANATION", "Red is right.", "Blue is the sky.", "correct"):
        assert secret not in page
    assert 'name="q-colour"' in page and 'type="checkbox"' in page


def test_opening_the_quiz_writes_nothing(app, learner):
    with app.app_context(), count_statements(db.engine) as statements:
        assert learner.get(QUIZ).status_code == 200
        assert learner.get(QUIZ).status_code == 200
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def colour_order(page: str) -> list[str]:
    """The order in which the page offers the choices of the 'colour' question."""
    return re.findall(r'name="q-colour"[^>]*value="([^"]+)"', page)


def test_choice_order_is_stable_for_an_attempt_and_differs_between_learners(app, learner):
    first = colour_order(learner.get(QUIZ).text)
    assert sorted(first) == ["blue", "green", "red"]
    assert colour_order(learner.get(QUIZ).text) == first
    orders = {tuple(first)}
    for n in range(8):
        make_user(app, f"other{n}@example.com")
        other = app.test_client()
        login(other, f"other{n}@example.com")
        orders.add(tuple(colour_order(other.get(QUIZ).text)))
    assert len(orders) > 1


def test_choice_order_differs_between_attempts(app, learner):
    orders = set()
    for _ in range(6):
        orders.add(tuple(colour_order(learner.get(QUIZ).text)))
        submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL)
    assert len(orders) > 1


@pytest.mark.dialect("JSON columns")
def test_passing_attempt_is_stored_and_fully_reviewed(app, learner):
    response = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    assert response.status_code == 302
    assert response.location == f"{QUIZ}/attempts/1"
    assert attempts(app) == [(1, 100, True)]
    with app.app_context():
        stored = db.session.scalar(select(QuizAttempt))
        assert stored.answers["primes"] == ["three", "two"]
        assert stored.version.number == 1
    review = learner.get(response.location).text
    assert "Passed" in review and "100%" in review
    assert "FIRST-EXPLANATION" in review and "Right answer" in review
    assert "Red is right." in review  # feedback on the chosen choice
    assert "Next lesson: The Second Lesson" in review


def reimport_with(app, tmp_path, old: str, new: str):
    """The fixture course again, with the first quiz's file changed."""
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    assert old in quiz.read_text()
    quiz.write_text(quiz.read_text().replace(old, new))
    import_content(app, content / "lessons", content / "quizzes")


HIDDEN = ("Right answer", "FIRST-EXPLANATION", "Blue is the sky.", "Green</span>")


def test_a_failed_attempt_shows_the_score_and_the_objectives_to_review(app, learner):
    response = submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL)
    assert attempts(app) == [(1, 40, False)]
    review = learner.get(response.location).text
    assert "Not passed yet" in review and "40%" in review and "2 of 5 right" in review
    assert "What to review" in review
    assert ('href="/courses/demo/lessons/first-lesson#objectives-heading">Recall what the first '
            'lesson says.</a>') in review
    assert "Other parts of the lesson" in review  # two missed questions name no objective
    assert "mark-wrong" not in review and "mark-right" not in review
    for hidden in HIDDEN:
        assert hidden not in review
    assert "Try again" in review


def test_review_by_questions_marks_each_one_but_hides_the_answers(app, learner, tmp_path):
    reimport_with(app, tmp_path, "max_attempts: 0", "max_attempts: 0\nreview_after_fail: questions")
    review = learner.get(submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL).location).text
    assert review.count("mark-wrong") == 3 and review.count("mark-right") == 2
    assert "What to review" not in review
    for hidden in HIDDEN:
        assert hidden not in review


def test_review_by_score_shows_only_the_score(app, learner, tmp_path):
    reimport_with(app, tmp_path, "max_attempts: 0", "max_attempts: 0\nreview_after_fail: score")
    review = learner.get(submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL).location).text
    assert "40%" in review
    assert "mark-wrong" not in review and "What to review" not in review
    assert "Question 1" not in review
    for hidden in HIDDEN:
        assert hidden not in review


def test_after_a_pass_the_quiz_is_closed(app, learner):
    submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL)
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    assert attempts(app) == [(1, 40, False), (2, 100, True)]
    page = learner.get(QUIZ).text
    assert "You passed this quiz." in page and 'name="attempt"' not in page
    # Once passed, earlier attempts reveal the answers too.
    assert "FIRST-EXPLANATION" in learner.get(f"{QUIZ}/attempts/1").text


@pytest.mark.parametrize("answers", [
    {**DEMO_PASS, "colour": "purple"},
    {**DEMO_PASS, "primes": ["two", "three", "<script>"]},
    {**DEMO_PASS, "sky": "maybe"},
])
def test_forged_answers_are_rejected_without_an_attempt(app, learner, answers):
    response = submit_quiz(learner, "demo", "first-lesson", answers)
    assert response.status_code == 422
    assert "Not a valid choice" in response.text or "not a valid choice" in response.text
    assert attempts(app) == []


def test_extra_fields_are_ignored(app, learner):
    response = submit_quiz(learner, "demo", "first-lesson", {**DEMO_PASS, "invented": "red"})
    assert response.status_code == 302
    assert attempts(app) == [(1, 100, True)]


def test_unanswered_question_is_tied_to_its_error_and_answers_stay(app, learner):
    partial = {k: v for k, v in DEMO_PASS.items() if k != "cats"}
    response = submit_quiz(learner, "demo", "first-lesson", partial)
    assert response.status_code == 422
    page = response.text
    assert 'id="q-cats-error"' in page and 'aria-describedby=" q-cats-error"' in page
    assert '<a href="#q-cats">Question 5: Choose an answer.</a>' in page
    assert form_with(page, "attempt")["fields"]["q-colour"] == ["red"]
    assert attempts(app) == []


def test_a_form_for_a_version_of_another_quiz_is_refused(app, learner):
    form = quiz_form(learner, "demo", "second-lesson")
    response = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form)
    assert response.status_code == 409
    assert "nothing was submitted" in response.text
    assert attempts(app) == []


@pytest.mark.dialect("a unique constraint firing mid-transaction")
def test_the_same_form_submitted_twice_stores_one_attempt(app, learner):
    form = quiz_form(learner, "demo", "first-lesson")
    first = submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL, form=form)
    again = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form)
    assert first.location == again.location == f"{QUIZ}/attempts/1"
    assert attempts(app) == [(1, 40, False)]


@pytest.mark.dialect("concurrency")
def test_concurrent_submissions_of_one_form_make_one_attempt(app):
    import_content(app)
    make_user(app)
    clients = [app.test_client() for _ in range(6)]
    for client in clients:
        login(client)
    # Each has the quiz open as attempt 1 (two tabs, a double tap on a slow phone...).
    forms = {id(client): quiz_form(client, "demo", "first-lesson") for client in clients}
    assert {f["fields"]["attempt"] for f in forms.values()} == {"1"}
    barrier = threading.Barrier(len(clients))
    results = []

    def submit(client):
        barrier.wait()
        results.append(submit_quiz(client, "demo", "first-lesson", DEMO_PASS,
                                   form=forms[id(client)]))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [302] * len(clients)
    assert {r.location for r in results} == {f"{QUIZ}/attempts/1"}
    assert attempts(app) == [(1, 100, True)]


@pytest.mark.dialect("a unique constraint firing mid-transaction")
def test_a_lost_race_is_answered_with_the_stored_attempt(app, learner, monkeypatch):
    """The unique index, not the check before it, is what keeps attempt numbers unique."""
    form = quiz_form(learner, "demo", "first-lesson")
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form)
    real = queries.standing_from
    calls = []

    def blind_twice(*columns):
        """The page's look (with the quiz) and the operation's first look both miss the
        stored attempt."""
        standing, version = real(*columns)
        calls.append(standing)
        if len(calls) <= 2:
            standing = dataclasses.replace(standing, attempts_used=0, passed=False)
        return standing, version

    monkeypatch.setattr(queries, "standing_from", blind_twice)
    again = submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL, form=form)
    assert again.status_code == 302 and again.location == f"{QUIZ}/attempts/1"
    assert attempts(app) == [(1, 100, True)]
    assert len(calls) == 3  # the insert was refused by the index, and the retry saw it


def _page_sees(monkeypatch, **stale):
    """The page's look at the standing (read with the quiz, before the write) sees `stale`
    values: the stored standing changed after it, as when a concurrent request wrote."""
    real = queries.standing_from
    calls = []

    def stale_once(*columns):
        standing, version = real(*columns)
        calls.append(standing)
        return (dataclasses.replace(standing, **stale) if len(calls) == 1 else standing), version

    monkeypatch.setattr(queries, "standing_from", stale_once)
    return calls


def test_a_resent_form_the_page_saw_as_new_is_answered_with_the_stored_attempt(
        app, learner, monkeypatch):
    """The standing is kept by a compare-and-set on the attempts the page read: when they
    have changed since, the write reads them again and answers the replay."""
    submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL)
    form = quiz_form(learner, "demo", "first-lesson")
    submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL, form=form)
    calls = _page_sees(monkeypatch, attempts_used=1)
    again = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form)
    assert again.status_code == 302 and again.location == f"{QUIZ}/attempts/2"
    assert [a[0] for a in attempts(app)] == [1, 2]
    assert len(calls) == 2  # the page's look, then the write's own after the set missed
    with app.app_context():
        assert db.session.scalar(select(QuizStanding.attempts)) == 2


def test_a_pass_stored_after_the_page_looked_refuses_the_attempt(app, learner, monkeypatch):
    """A pass the page did not see (a regrade's) makes the compare-and-set miss: the write
    reads the standing again and refuses, storing nothing."""
    submit_quiz(learner, "demo", "first-lesson", DEMO_FAIL)
    form = quiz_form(learner, "demo", "first-lesson")
    with app.app_context():
        db.session.execute(update(QuizStanding).values(passed=True))
        db.session.commit()
    _page_sees(monkeypatch, passed=False)
    again = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form)
    assert again.status_code == 302 and again.location == QUIZ
    assert [a[0] for a in attempts(app)] == [1]
    with app.app_context():
        assert db.session.scalar(select(QuizStanding.attempts)) == 1


@pytest.mark.dialect("partial unique index")
def test_the_database_refuses_a_second_pass(app, learner):
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    from sqlalchemy.exc import IntegrityError
    with app.app_context():
        first = db.session.scalar(select(QuizAttempt))
        db.session.add(QuizAttempt(user_id=first.user_id, quiz_id=first.quiz_id,
                                   quiz_version_id=first.quiz_version_id, number=2,
                                   answers={}, correct_count=5, question_count=5, score=100,
                                   passed=True))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_max_attempts_then_answers_are_revealed(app, learner):
    wrong = {"only": "false", "other": "b"}
    form = quiz_form(learner, "demo", "second-lesson")
    submit_quiz(learner, "demo", "second-lesson", wrong, form=form)
    first = learner.get(f"{SECOND_QUIZ}/attempts/1").text
    assert "1 attempt left" in first and "SECOND-EXPLANATION" not in first
    submit_quiz(learner, "demo", "second-lesson", wrong)
    last = learner.get(f"{SECOND_QUIZ}/attempts/2").text
    assert "You have used every attempt" in last and "SECOND-EXPLANATION" in last
    closed = learner.get(SECOND_QUIZ).text
    assert "You have used every attempt this quiz allows." in closed
    assert 'name="attempt"' not in closed
    form["fields"]["attempt"] = "3"  # a forged third attempt
    refused = submit_quiz(learner, "demo", "second-lesson", SECOND_PASS, form=form)
    assert refused.status_code == 302 and refused.location == SECOND_QUIZ
    assert attempts(app) == [(1, 0, False), (2, 0, False)]


def test_max_attempts_count_across_versions(app, learner, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    wrong = {"only": "false", "other": "b"}
    stale_form = quiz_form(learner, "demo", "second-lesson")
    submit_quiz(learner, "demo", "second-lesson", wrong, form=stale_form)
    quiz_file = content / "quizzes" / "demo" / "second-lesson.yaml"
    quiz_file.write_text(quiz_file.read_text().replace("Pick A.", "Pick A, please."))
    import_content(app, content / "lessons", content / "quizzes")
    submit_quiz(learner, "demo", "second-lesson", wrong)
    with app.app_context():
        versions = [a.version.number for a in db.session.scalars(
            select(QuizAttempt).order_by(QuizAttempt.number))]
    assert versions == [1, 2]
    assert "You have used every attempt" in learner.get(SECOND_QUIZ).text
    # Attempt 1 is still shown against the version it answered.
    assert "Pick A." in learner.get(f"{SECOND_QUIZ}/attempts/1").text


def test_missing_csrf_token_keeps_the_answers(app, learner):
    form = quiz_form(learner, "demo", "first-lesson")
    form["fields"]["csrf_token"] = "expired-or-forged"
    cross_site = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form,
                             headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 400 and 'name="attempt"' not in cross_site.text
    response = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form,
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "This form had expired, so nothing was submitted." in response.text
    refilled = form_with(response.text, "attempt")["fields"]
    assert refilled["q-colour"] == ["red"] and sorted(refilled["q-primes"]) == ["three", "two"]
    assert refilled["csrf_token"] != "expired-or-forged"
    assert attempts(app) == []
    # The refilled form submits as it is.
    resubmit = submit_quiz(learner, "demo", "first-lesson", {}, form=form_with(
        response.text, "attempt"))
    assert resubmit.status_code == 302
    assert attempts(app) == [(1, 100, True)]


def test_expired_session_keeps_the_answers_through_login(app, learner):
    form = quiz_form(learner, "demo", "first-lesson")
    stranger = app.test_client()  # the learner's session is gone: no cookie at all
    response = submit_quiz(stranger, "demo", "first-lesson", DEMO_PASS, form=form,
                           headers={"Sec-Fetch-Site": "same-origin"})  # as browsers say
    assert response.status_code == 302
    assert response.location == f"/login?next={QUIZ}"
    assert login(stranger, url=response.location).location == QUIZ
    page = stranger.get(QUIZ).text
    assert "We kept the answers you had chosen." in page
    refilled = form_with(page, "attempt")["fields"]
    assert refilled["q-colour"] == ["red"] and refilled["q-sky"] == ["false"]
    assert attempts(app) == []
    assert submit_quiz(stranger, "demo", "first-lesson", {},
                       form=form_with(page, "attempt")).status_code == 302
    assert attempts(app) == [(1, 100, True)]


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "https://evil.example"}])
def test_another_site_cannot_plant_answers_in_a_new_session(app, learner, headers):
    form = quiz_form(learner, "demo", "first-lesson")
    stranger = app.test_client()
    response = submit_quiz(stranger, "demo", "first-lesson", DEMO_PASS, form=form,
                           headers=headers)
    assert response.status_code == 400
    planted = [cookie for cookie in response.headers.getlist("Set-Cookie")
               if cookie.startswith("session=") and not cookie.startswith("session=;")]
    assert planted == []  # no session holding the other site's answers
    login(stranger)
    assert "We kept the answers" not in stranger.get(QUIZ).text


def test_attempts_are_private(app, learner):
    submit_quiz(learner, "demo", "first-lesson", DEMO_PASS)
    make_user(app, "other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(f"{QUIZ}/attempts/1").status_code == 404


def test_quiz_of_a_lesson_without_one_is_404(app, learner):
    assert learner.get("/courses/demo/lessons/nope/quiz").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


ALL_WRONG = {"colour": "blue", "primes": ["four"], "sky": "true", "water": "false",
             "cats": "six-legs"}


def shown_keys(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="q-([A-Za-z0-9_-]+)"', page)))


def test_a_quiz_bank_shows_a_drawn_set_and_grades_only_what_it_showed(app, learner, tmp_path,
                                                                     make_app):
    reimport_with(app, tmp_path, "max_attempts: 0", "max_attempts: 0\ndraw: 3")
    page = learner.get(QUIZ).text
    shown = shown_keys(page)
    assert len(shown) == 3 and set(shown) <= set(DEMO_PASS)
    assert "3 questions" in page and shown_keys(learner.get(QUIZ).text) == shown
    # Right answers to the three shown questions only: a full score on this attempt.
    response = submit_quiz(learner, "demo", "first-lesson",
                           {key: DEMO_PASS[key] for key in shown})
    assert attempts(app) == [(1, 100, True)]
    with app.app_context():
        stored = db.session.scalar(select(QuizAttempt))
        assert stored.shown["questions"] == shown
        assert sorted(stored.answers) == sorted(shown)
        texts = {(choice.question.key, choice.key): choice.text_html
                 for choice in db.session.scalars(select(Choice).where(
                     Choice.question_id.in_([q.id for q in stored.version.questions])))}
        expected = [texts[key, choice] for key in shown for choice in stored.shown["choices"][key]]

    def choices_in_order(page: str) -> list[str]:
        return re.findall(r'<span class="choice-text">([^<]*)</span>', page)

    assert choices_in_order(learner.get(response.location).text) == expected
    # A new secret (so a new draw key) never changes what the stored attempt was.
    other = make_app(SECRET_KEY="a different secret key altogether")
    client = other.test_client()
    login(client)
    assert choices_in_order(client.get(response.location).text) == expected


def test_different_attempts_draw_different_questions(app, learner, tmp_path):
    reimport_with(app, tmp_path, "max_attempts: 0", "max_attempts: 0\ndraw: 2")
    drawn = set()
    for _ in range(6):
        page = learner.get(QUIZ).text
        drawn.add(tuple(shown_keys(page)))
        assert submit_quiz(learner, "demo", "first-lesson", ALL_WRONG,
                           form=form_with(page, "attempt")).status_code == 302
    assert len(drawn) > 1


def test_quiz_submissions_are_limited_per_learner(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    import_content(limited)
    make_user(limited)
    client = limited.test_client()
    login(client)
    statuses = [submit_quiz(client, "demo", "first-lesson", DEMO_FAIL).status_code
                for _ in range(11)]
    assert statuses == [302] * 10 + [429]
    assert "Too many tries" in submit_quiz(client, "demo", "first-lesson", DEMO_FAIL).text


@pytest.mark.dialect("integer range")
@pytest.mark.parametrize("field", ["attempt", "version"])
def test_huge_numbers_in_a_quiz_form_are_refused_calmly(app, learner, field):
    form = quiz_form(learner, "demo", "first-lesson")
    data = {**form["fields"], field: "99999999999999999999", "q-colour": ["red"]}
    response = learner.post(QUIZ, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "That quiz form was incomplete" in response.text
    assert attempts(app) == []


@pytest.mark.dialect("integer range")
def test_huge_numbers_in_addresses_find_nothing(app, learner):
    for path in (f"{QUIZ}/attempts/99999999999999999999", "/clinics/99999999999999999999",
                 "/admin/people/99999999999999999999"):
        assert learner.get(path).status_code in (403, 404), path


def test_a_version_published_during_a_submission_is_the_one_shown_again(
        app, learner, monkeypatch, tmp_path):
    """The page read the quiz with the old version; the write finds a newer one and refuses
    (409): the quiz shown again is the current version, read anew, not the one the page had
    read with the quiz."""
    from nmt_course.quizzes import routes

    form = quiz_form(learner, "demo", "first-lesson")
    content = tmp_path / "content"
    shutil.copytree(app.config["LESSONS_DIR"].rsplit("/", 1)[0], content)
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    quiz.write_text(quiz.read_text().replace("Which colour", "Which one colour", 1))
    real = routes.learning.submit_quiz

    def publish_first(*args, **kwargs):
        import_content(app, content / "lessons", content / "quizzes")
        return real(*args, **kwargs)

    monkeypatch.setattr(routes.learning, "submit_quiz", publish_first)
    refused = submit_quiz(learner, "demo", "first-lesson", DEMO_PASS, form=form)
    assert refused.status_code == 409
    shown = form_with(refused.text, "version")["fields"]["version"]
    assert shown != form["fields"]["version"] and "Which one colour" in refused.text
    assert attempts(app) == []
