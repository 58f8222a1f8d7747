"""Item analysis in the Author area: a confusing question is found, from one query."""
from __future__ import annotations

import pytest
import csv
import io
import shutil

from sqlalchemy import func, select

from nmt_course.extensions import db
from nmt_course.quizzes import queries
from nmt_course.quizzes.models import QuestionAnswer
from tests.app.authoring_helpers import author, post
from tests.helpers import (FIXTURE_CONTENT, count_statements, import_content, login,
                           make_user, pass_quiz_directly)

ANALYSIS = "/author/courses/demo/lessons/first-lesson/analysis"
# Strong learners get everything right but "cats"; weak ones get little right but "cats":
# the planted question those who know the lesson get wrong.
STRONG = {"colour": ["red"], "primes": ["three", "two"], "sky": ["false"], "water": ["true"],
          "cats": ["six-legs"]}
WEAK = {"colour": ["blue"], "primes": ["two"], "sky": ["true"], "water": ["true"],
        "cats": ["four-legs"]}


def answer(app, email: str, answers: dict) -> None:
    pass_quiz_directly(app, email, "demo", "first-lesson", answers)


def learners_answer(app, count: int = 10, start: int = 0) -> None:
    for n in range(start, start + count):
        make_user(app, f"strong{n}@example.com")
        answer(app, f"strong{n}@example.com", STRONG)
        make_user(app, f"weak{n}@example.com")
        answer(app, f"weak{n}@example.com", WEAK)


def test_a_planted_confusing_question_is_flagged(app):
    import_content(app)
    learners_answer(app)
    # Later attempts are learned, not measured: they do not change the analysis.
    answer(app, "weak0@example.com", {**STRONG, "cats": ["four-legs"]})
    teacher = author(app, "admin@example.com", is_admin=True)
    page = teacher.get(ANALYSIS).text
    assert "<dt>Attempts</dt><dd>21</dd>" in page
    assert "<dt>Learners (first attempts)</dt><dd>20</dd>" in page
    cats = page.split('href="/author/courses/demo/lessons/first-lesson/quiz/questions/cats/'
                      'edit">cats</a>')[1].split("</tr>")[0]
    assert "discriminates negatively" in cats and "-1.00" in cats
    assert "from 5 high and 5 low" in cats  # 27 % of 20 learners in each band
    assert "<dt>Learners in each band</dt><dd>5 lowest and 5 highest" in page
    assert "Six (10)" in cats  # the wrong choice the strong learners picked
    water = page.split(">water</a>")[1].split("</tr>")[0]
    assert "too easy" in water and "100 %" in water

    report = teacher.get(f"{ANALYSIS}.csv")
    assert report.headers["Content-Type"].startswith("text/csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(report.text.lstrip("\ufeff")))}
    assert rows["cats"][5] == "-1.00" and "discriminates negatively" in rows["cats"][6]
    assert rows["cats"][7] == "Six (10)"


def test_learner_flags_and_checker_warnings_stand_beside_the_question(app, tmp_path):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    quiz_file = tmp_path / "content/quizzes/demo/first-lesson.yaml"
    quiz_file.write_text(quiz_file.read_text().replace(
        "        text: Six\n",
        "        text: Six\n      - id: both\n        text: All of the above\n"))
    import_content(app, tmp_path / "content/lessons", tmp_path / "content/quizzes")
    learners_answer(app, 2)
    learner = app.test_client()
    login(learner, "weak0@example.com")
    flag = post(learner, "/courses/demo/lessons/first-lesson/quiz/questions/cats/flag",
                {"comment": "Could more than one be right?"})
    assert flag.status_code == 200
    page = author(app, "admin@example.com", is_admin=True).get(ANALYSIS).text
    cats = page.split(">cats</a>")[1].split("</tr>")[0]
    assert "1 learner flag<" in cats
    assert "choice &#39;both&#39; of question &#39;cats&#39;" in cats
    colour = page.split(">colour</a>")[1].split("</tr>")[0]
    assert "learner flag" not in colour and "problems" not in colour


@pytest.mark.dialect("statement budget")
def test_the_analysis_is_one_statement_whatever_the_number_of_learners(app):
    import_content(app)
    learners_answer(app, 2)
    with app.app_context():
        quiz_id = db.session.scalar(select(QuestionAnswer.quiz_id))
        with count_statements(db.engine) as few:
            queries.item_counts(quiz_id)
    learners_answer(app, 6, start=2)
    with app.app_context(), count_statements(db.engine) as many:
        queries.item_counts(quiz_id)
    queries_run = [[s for s in run if not s.startswith("BEGIN")] for run in (few, many)]
    assert [len(run) for run in queries_run] == [1, 1]


@pytest.mark.dialect("aggregate SQL")
def test_the_bands_are_the_lowest_and_highest_27_percent_ties_broken_by_learner(app):
    import_content(app)
    learners_answer(app)  # 20 learners, 10 with each score: the bands hold 5 each
    with app.app_context():
        quiz_id = db.session.scalar(select(QuestionAnswer.quiz_id))
        _, counts = queries.item_counts(quiz_id)
    cats = [row for row in counts if row.question_key == "cats"]
    assert sum(row.lower for row in cats) == sum(row.upper for row in cats) == 5
    assert {row.chosen: (row.lower, row.upper) for row in cats} == {
        "four-legs": (5, 0), "six-legs": (0, 5)}


def test_one_row_is_stored_per_answered_question(app):
    import_content(app)
    learners_answer(app, 1)
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionAnswer.id))) == 10
        assert db.session.scalar(select(func.count(QuestionAnswer.id)).where(
            QuestionAnswer.first)) == 10


def test_only_the_courses_authors_see_its_analysis(app):
    import_content(app)
    make_user(app, "owner@example.com", is_instructor=True)
    other = author(app, "other@example.com")
    assert other.get(ANALYSIS).status_code == 404
    assert other.get(f"{ANALYSIS}.csv").status_code == 404


def test_answers_are_read_against_the_key_they_were_given_under(app, tmp_path):
    """The issue's contradiction: answers from before a key change showed '0 % right' with
    'wrong choices picked: none', read against the current key."""
    from tests.app.test_regrade import FAILS_NOW, change_the_key

    import_content(app)
    make_user(app, "early@example.com")
    answer(app, "early@example.com", FAILS_NOW)  # six legs: wrong under the first key
    change_the_key(app, tmp_path)  # six legs is the right answer now
    make_user(app, "late@example.com")
    answer(app, "late@example.com", FAILS_NOW)
    teacher = author(app, "admin@example.com", is_admin=True)
    page = teacher.get(ANALYSIS).text
    earlier = page.split("Answers given under an earlier key (right then: Four)")[1]
    earlier = earlier.split("</tr>")[0]
    assert "0 %" in earlier and "Six (1)" in earlier
    later = page.split("Answers given under the current key.")[1].split("</tr>")[0]
    assert "100 %" in later and "<td data-label=\"Wrong choices picked\">none</td>" in later
    rows = list(csv.reader(io.StringIO(teacher.get(f"{ANALYSIS}.csv").text.lstrip("\ufeff"))))
    cats = sorted((row[2], row[7], row[12]) for row in rows if row[0] == "cats")
    assert cats == [("no", "Six (1)", "Four"), ("yes", "", "Six")]
