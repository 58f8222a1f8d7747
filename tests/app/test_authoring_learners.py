"""What publishing from the browser must never do to learners, and what learners tell authors
(flags on questions)."""
from __future__ import annotations

import re

from sqlalchemy import select

from nmt_course.certificates.models import Certificate, CertificateStatus
from nmt_course.extensions import db
from nmt_course.quizzes.models import QuestionFlag, QuizAttempt
from tests.app.authoring_helpers import SINGLE, author, post, publish, write_course
from tests.helpers import form_with, login, make_user, read_lesson, send_evaluation

BASE = "/author/courses/neck-care"
QUIZ = "/courses/neck-care/lessons/neck-basics/quiz"


def learner_client(app, email="learner@example.com"):
    make_user(app, email)
    client = app.test_client()
    login(client, email)
    return client


def answer(client, scm: str, tf: str):
    form = form_with(client.get(QUIZ).text, "attempt")["fields"]
    return client.post(QUIZ, data={**form, "q-scm-action": scm, "q-palpate-tf": tf})


def attempt_versions(app) -> list[int]:
    with app.app_context():
        return [a.version.number for a in db.session.scalars(
            select(QuizAttempt).order_by(QuizAttempt.id))]


def test_republishing_keeps_attempts_passes_and_certificates_as_they_were(app):
    teacher = author(app)
    write_course(teacher)
    done, midway = learner_client(app), learner_client(app, "midway@example.com")
    read_lesson(done, "neck-care", "neck-basics")
    finished = answer(done, "c1", "true")  # right: c1 and true
    assert finished.status_code == 302
    result = done.get(finished.location).text
    certificate = send_evaluation(done, "neck-care").location
    pdf_before = done.get(certificate + ".pdf").data
    failed = answer(midway, "c2", "false")
    failed_page = without_tokens(midway.get(failed.location).text)

    # The author changes the key of the first question and publishes again.
    post(teacher, f"{BASE}/lessons/neck-basics/quiz/questions/scm-action/edit",
         {**SINGLE, "choices-0-correct": "", "choices-1-correct": "y",
          "explanation": "Changed key."})
    assert publish(teacher, f"{BASE}/publish", {"confirm_warnings": "y"}).status_code == 302

    assert attempt_versions(app) == [1, 1]
    assert done.get(finished.location).text.count("Right answer") == result.count(
        "Right answer")
    assert "Changed key." not in done.get(finished.location).text
    assert "You passed this quiz." in done.get(QUIZ).text
    assert done.get(certificate + ".pdf").data == pdf_before
    with app.app_context():
        assert db.session.scalar(select(Certificate.status)) is CertificateStatus.VALID
    # The failed attempt still shows as it was graded, and says the key has changed since
    # (a regrade, docs/content.md, is the author's to apply); the next one answers the new
    # version.
    now = without_tokens(midway.get(failed.location).text)
    notice = re.search(r'\n<p class="card problems-card">The quiz\'s answer key has changed since '
                       r'this attempt was graded\. [^<]*</p>\n', now)
    assert notice is not None
    assert now.replace(notice.group(0), "") == failed_page
    answer(midway, "c2", "true")
    assert attempt_versions(app) == [1, 1, 2]


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens, which are signed with the time they were made."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", page)


def test_learners_flag_questions_and_authors_see_them_beside_the_question(app):
    teacher = author(app)
    write_course(teacher)
    learner = learner_client(app)
    quiz_page = learner.get(QUIZ).text
    flag_url = f"{QUIZ}/questions/scm-action/flag"
    assert f'href="{flag_url}"' in quiz_page
    short = post(learner, flag_url, {"comment": "x"})
    assert short.status_code == 422 and "Use 3 to 500 characters." in short.text
    assert learner.get(f"{QUIZ}/questions/no-such-question/flag").status_code == 404
    sent = post(learner, flag_url, {"comment": "Two choices could be right."})
    assert sent.status_code == 200 and "Thank you: your note is sent." in sent.text
    assert post(learner, flag_url, {"comment": "Choices 1 and 2 both fit."}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(QuestionFlag.comment)) == "Choices 1 and 2 both fit."

    assert "1 open" in teacher.get("/author/").text
    assert "1 flag" in teacher.get(BASE).text
    editor = teacher.get(f"{BASE}/lessons/neck-basics/quiz").text
    assert editor.index('id="q-scm-action"') < editor.index("Choices 1 and 2 both fit.")
    question = teacher.get(f"{BASE}/lessons/neck-basics/quiz/questions/scm-action/edit").text
    assert "Choices 1 and 2 both fit." in question
    with app.app_context():
        flag_id = db.session.scalar(select(QuestionFlag.id))
    stranger = author(app, "other@example.com")
    resolve = f"{BASE}/lessons/neck-basics/quiz/flags/{flag_id}/resolve"
    assert post(stranger, resolve).status_code == 404
    assert post(teacher, resolve).status_code == 302
    assert "open" not in teacher.get("/author/").text.split("<tbody>")[1]
    assert post(teacher, resolve).status_code == 404  # already dealt with


def test_after_a_pass_each_question_can_be_flagged(app):
    teacher = author(app)
    write_course(teacher)
    learner = learner_client(app)
    passed = learner.get(answer(learner, "c1", "true").location).text
    assert passed.count("Report a problem with question") == 2
