"""An author previews one question or the whole bank and submits a preview attempt: graded
and reviewed as a learner's attempt, by the learners' code, and stored nowhere."""
from __future__ import annotations

from sqlalchemy import func, select

from nmt_course.audit import AuditEvent
from nmt_course.extensions import db
from nmt_course.quizzes.models import QuestionAnswer, QuizAttempt, QuizStanding
from tests.app.authoring_helpers import author, post, write_course
from tests.helpers import import_content

PREVIEW = "/author/courses/demo/preview/lessons/first-lesson/quiz"


def traces(app) -> list[int]:
    """Rows a learner's attempt would leave: attempts, answers, standings, audit."""
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (QuizAttempt, QuestionAnswer, QuizStanding, AuditEvent)]


def test_one_question_is_graded_and_reviewed_as_a_learner_would_see_it(app):
    import_content(app)
    admin = author(app, "admin@example.com", is_admin=True)
    before = traces(app)
    page = admin.get(f"{PREVIEW}?question=colour").text
    assert 'name="q-colour"' in page and 'name="q-sky"' not in page
    assert "1 question<" in page

    wrong = post(admin, f"{PREVIEW}?question=colour", {"q-colour": "blue"})
    assert wrong.status_code == 200
    assert "Not passed yet" in wrong.text and "<strong>0%</strong>" in wrong.text
    # After a failed first attempt, the quiz's review setting (objectives) shows only what
    # to reread; then, as after a pass or the last attempt, everything.
    first, revealed = wrong.text.split('id="revealed-heading"')
    assert "What to review" in first and "Recall what the first lesson says." in first
    assert "Blue is the sky." not in first and "FIRST-EXPLANATION" not in first
    assert "Blue is the sky." in revealed  # the feedback on the choice picked
    assert "FIRST-EXPLANATION" in revealed
    red = revealed.split(">Red<")[1].split("</li>")[0]
    assert "Right answer" in red

    right = post(admin, f"{PREVIEW}?question=colour", {"q-colour": "red"})
    assert "Passed" in right.text and "<strong>100%</strong>" in right.text
    assert "Red is right." in right.text and "FIRST-EXPLANATION" in right.text
    assert 'id="revealed-heading"' not in right.text
    assert "Report a problem" not in right.text  # no learner's flag from a preview
    assert traces(app) == before  # nothing stored, so nothing counts anywhere


def test_the_whole_bank_and_an_unanswered_question(app):
    import_content(app)
    admin = author(app, "admin@example.com", is_admin=True)
    page = admin.get(f"{PREVIEW}?all=1").text
    for key in ("colour", "primes", "sky", "water", "cats"):
        assert f'name="q-{key}"' in page
    missing = post(admin, f"{PREVIEW}?all=1", {"q-colour": "red"})
    assert missing.status_code == 422
    assert "There is a problem" in missing.text and "Choose an answer." in missing.text
    assert admin.get(f"{PREVIEW}?question=nothing-like-it").status_code == 404
    assert admin.get(f"{PREVIEW}?draw=0").status_code == 404


def test_a_draft_question_never_published_can_be_answered(app):
    owner = author(app, "owner@example.com")
    write_course(owner, publish=False)
    url = "/author/courses/neck-care/preview/lessons/neck-basics/quiz?question=scm-action"
    assert 'name="q-scm-action"' in owner.get(url).text
    graded = post(owner, url, {"q-scm-action": "c1"})
    assert "Passed" in graded.text and "1 of 1 right" in graded.text
    assert "turns the head to the opposite side" in graded.text  # its explanation
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
