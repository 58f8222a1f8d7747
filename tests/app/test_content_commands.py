"""`flask content check|import` and `flask users create`, and what re-imports preserve."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from nmt_course.quizzes import operations as quiz_operations
from nmt_course.extensions import db
from nmt_course.accounts.models import User
from nmt_course.audit import AuditEvent
from nmt_course.certificates.models import Certificate
from nmt_course.learning.models import Course, Lesson, LessonProgress
from nmt_course.quizzes.models import Question, Quiz, QuizAttempt, QuizVersion
from nmt_course.runtime import utcnow
from tests.helpers import (DEMO_PASS, FIXTURE_CONTENT, SECOND_PASS, import_content, login,
                           make_user, read_lesson, send_evaluation, submit_quiz)


@pytest.fixture
def content(app, tmp_path) -> Path:
    """A copy of the fixture content that the app reads and a test may edit."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    app.config.update(LESSONS_DIR=str(root / "lessons"), QUIZZES_DIR=str(root / "quizzes"))
    return root


def snapshot(app) -> dict:
    """Everything content import may touch, as plain values."""
    with app.app_context():
        def rows(model, *columns):
            return sorted(tuple(row) for row in db.session.execute(select(*columns)))
        return {
            "courses": rows(Course, Course.slug, Course.title, Course.content_hash,
                            Course.imported_at),
            "lessons": rows(Lesson, Lesson.slug, Lesson.title, Lesson.body_html,
                            Lesson.archived_at),
            "quizzes": rows(Quiz, Quiz.lesson_id, Quiz.archived_at),
            "versions": rows(QuizVersion, QuizVersion.quiz_id, QuizVersion.number,
                             QuizVersion.content_hash),
            "questions": db.session.scalar(select(func.count(Question.id))),
        }


def test_check_reports_warnings_and_exits_zero(runner, content):
    course = content / "lessons" / "demo" / "course.md"
    course.write_text(course.read_text().replace('approval_number: "TEST-001"\n', "")
                      .replace("ce_hours: 0.5", "ce_hours: 1"))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0
    assert "lessons/demo/course.md:4: warning: ce_hours 1 is more than" in result.output
    assert "1 courses, 2 lessons, 6130 words, 7 quiz questions shown: 0 errors, 1 warnings" in (
        result.output)


def test_check_refuses_an_approved_course_claiming_more_than_the_estimate(runner, content):
    course = content / "lessons" / "demo" / "course.md"
    course.write_text(course.read_text().replace("ce_hours: 0.5", "ce_hours: 1"))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert ("lessons/demo/course.md:4: ce_hours 1 is more than the 0.5 hours estimated"
            in result.output)
    assert "cannot be published while it does" in result.output
    assert runner.invoke(args=["content", "import"]).exit_code == 1


def test_strict_check_turns_warnings_into_a_failure(runner, content):
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    quiz.write_text(quiz.read_text().replace("    objective: 1\n", ""))
    assert runner.invoke(args=["content", "check"]).exit_code == 0
    result = runner.invoke(args=["content", "check", "--strict"])
    assert result.exit_code == 1
    assert ("lessons/demo/01-first-lesson.md:4: warning: objective 1 \"Recall what the first "
            "lesson says.\" is tested by no question") in result.output


def test_check_prints_every_problem_and_exits_one(runner, content):
    (content / "quizzes" / "demo" / "first-lesson.yaml").write_text(
        "pass_mark: 0\nquestions: []\n")
    (content / "lessons" / "demo" / "02-second-lesson.md").write_text("no front matter\n")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "quizzes/demo/first-lesson.yaml:1: pass_mark must be a whole number from 1 to 100" \
        in result.output
    assert "quizzes/demo/first-lesson.yaml:2: the quiz has no questions" in result.output
    assert "lessons/demo/02-second-lesson.md:1: the file must start with YAML front matter" \
        in result.output


def test_import_is_idempotent(app, runner, content):
    first = runner.invoke(args=["content", "import"])
    assert first.exit_code == 0, first.output
    assert "demo: created; lessons 2 added" in first.output
    before = snapshot(app)
    again = runner.invoke(args=["content", "import"])
    assert again.exit_code == 0 and "demo: unchanged" in again.output
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "content.imported")) == 1


def test_import_with_an_error_changes_nothing(app, runner, content):
    runner.invoke(args=["content", "import"])
    before = snapshot(app)
    lesson = content / "lessons" / "demo" / "01-first-lesson.md"
    lesson.write_text(lesson.read_text().replace("plain words", "new words"))
    (content / "quizzes" / "demo" / "second-lesson.yaml").write_text("questions: nope\n")
    result = runner.invoke(args=["content", "import"])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert snapshot(app) == before


@pytest.mark.dialect("transactions")
def test_a_database_failure_midway_rolls_everything_back(app, content, monkeypatch):
    import_content(app)
    before = snapshot(app)
    for name in ("01-first-lesson.md", "02-second-lesson.md"):
        path = content / "lessons" / "demo" / name
        path.write_text(path.read_text() + "\nMore text.\n")
    quiz = content / "quizzes" / "demo" / "second-lesson.yaml"
    quiz.write_text(quiz.read_text().replace("Pick A.", "Pick A!"))
    real = quiz_operations.import_quiz
    calls = []

    def fail_on_second(lesson_id, source, now):
        calls.append(lesson_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(lesson_id, source, now)

    monkeypatch.setattr(quiz_operations, "import_quiz", fail_on_second)
    with pytest.raises(RuntimeError):
        import_content(app)
    assert snapshot(app) == before


def test_if_empty_imports_only_into_an_empty_database(app, runner, content):
    assert "created" in runner.invoke(args=["content", "import", "--if-empty"]).output
    skipped = runner.invoke(args=["content", "import", "--if-empty"])
    assert skipped.exit_code == 0 and "nothing imported" in skipped.output


def test_browser_edits_are_not_overwritten_without_force(app, runner, content):
    runner.invoke(args=["content", "import"])
    with app.app_context():
        db.session.execute(update(Course).values(edited_in_browser_at=utcnow(),
                                                 title="Edited In Browser"))
        db.session.commit()
    refused = runner.invoke(args=["content", "import"])
    assert refused.exit_code == 1
    assert "edited in the browser since its last import" in refused.output
    with app.app_context():
        assert db.session.scalar(select(Course.title)) == "Edited In Browser"
    forced = runner.invoke(args=["content", "import", "--force"])
    assert forced.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Course.title)) == "Demo Course for Tests"


@pytest.mark.dialect("upserts")
def test_reimport_keeps_progress_attempts_and_certificates(app, client, content):
    import_content(app)
    make_user(app)
    login(client)
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_lesson(client, "demo", lesson)
        submit_quiz(client, "demo", lesson, answers)
    send_evaluation(client, "demo")
    with app.app_context():
        certificate_before = db.session.execute(select(
            Certificate.code, Certificate.course_title, Certificate.pdf)).one()

    # The instructor rewrites lesson 1, changes quiz 1 and removes lesson 2 with its quiz.
    lesson = content / "lessons" / "demo" / "01-first-lesson.md"
    lesson.write_text(lesson.read_text().replace("plain words", "much plainer words"))
    quiz = content / "quizzes" / "demo" / "first-lesson.yaml"
    quiz.write_text(quiz.read_text().replace("How many legs has a cat?",
                                             "How many legs does a cat have?"))
    (content / "lessons" / "demo" / "02-second-lesson.md").unlink()
    (content / "quizzes" / "demo" / "second-lesson.yaml").unlink()
    course = content / "lessons" / "demo" / "course.md"  # too short now for its approval
    course.write_text(course.read_text().replace('approval_number: "TEST-001"\n', ""))
    (report,) = import_content(app)
    assert (report.lessons_updated, report.lessons_archived, report.quiz_versions) == (1, 1, 1)

    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 2
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2
        assert db.session.execute(select(Certificate.code, Certificate.course_title,
                                         Certificate.pdf)).one() == certificate_before
        versions = db.session.scalars(select(QuizVersion.number).join(Quiz).join(Lesson).where(
            Lesson.slug == "first-lesson").order_by(QuizVersion.number)).all()
        assert versions == [1, 2]
        old_question = db.session.scalar(select(Question).join(QuizVersion).where(
            QuizVersion.number == 1, Question.key == "cats"))
        assert old_question.prompt_html == "How many legs has a cat?"

    lesson_page = client.get("/courses/demo/lessons/first-lesson").text
    assert "much plainer words" in lesson_page
    # The pass on version 1 still counts; the attempt is still shown against version 1.
    assert "You passed this quiz." in client.get("/courses/demo/lessons/first-lesson/quiz").text
    review = client.get("/courses/demo/lessons/first-lesson/quiz/attempts/1").text
    assert "How many legs has a cat?" in review and "100%" in review
    course = client.get("/courses/demo").text
    assert "The Second Lesson" not in course and "View your certificate" in course

    # Putting the lesson back revives it (and its quiz) with the learner's history.
    shutil.copy(FIXTURE_CONTENT / "lessons" / "demo" / "02-second-lesson.md",
                content / "lessons" / "demo")
    shutil.copy(FIXTURE_CONTENT / "quizzes" / "demo" / "second-lesson.yaml",
                content / "quizzes" / "demo")
    import_content(app)
    assert "You passed this quiz." in client.get(
        "/courses/demo/lessons/second-lesson/quiz").text


def test_users_create_with_generated_password(app, runner):
    result = runner.invoke(args=["users", "create", "Admin@Example.com", "--name", "Ada Admin",
                                 "--admin", "--instructor", "--generate-password"])
    assert result.exit_code == 0, result.output
    assert "Created admin@example.com (admin, instructor)." in result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.is_admin and user.is_instructor and user.legal_name == "Ada Admin"
        assert check_password_hash(user.password_hash, password)


def test_users_create_prompts_for_a_password(app, runner):
    result = runner.invoke(args=["users", "create", "teacher@example.com"],
                           input="Tina Teacher\na good long password\na good long password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.is_admin, user.is_instructor, user.legal_name) == (False, False,
                                                                         "Tina Teacher")
        assert check_password_hash(user.password_hash, "a good long password")


def test_users_create_refuses_bad_input(app, runner):
    make_user(app, "taken@example.com")
    taken = runner.invoke(args=["users", "create", "taken@example.com", "--name", "X",
                                "--generate-password"])
    assert taken.exit_code == 1 and "already exists" in taken.output
    bad = runner.invoke(args=["users", "create", "not-an-email", "--name", "X",
                              "--generate-password"])
    assert bad.exit_code == 2 and "EMAIL" in bad.output
    short = runner.invoke(args=["users", "create", "new@example.com", "--name", "X"],
                          input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_grant_attempts_from_the_command_line(app, runner, learner):
    wrong = {"only": "false", "other": "b"}
    submit_quiz(learner, "demo", "second-lesson", wrong)
    submit_quiz(learner, "demo", "second-lesson", wrong)
    assert "You have used every attempt" in learner.get(
        "/courses/demo/lessons/second-lesson/quiz").text
    result = runner.invoke(args=["quizzes", "grant-attempts", "learner@example.com", "demo",
                                 "second-lesson", "--reason", "Asked by e-mail"])
    assert result.exit_code == 0, result.output
    assert "may now attempt the quiz of 'second-lesson' 1 more time(s)." in result.output
    assert 'name="attempt" type="hidden" value="3"' in learner.get(
        "/courses/demo/lessons/second-lesson/quiz").text
    for args, message in ((["nobody@example.com", "demo", "second-lesson"], "no account uses"),
                          (["learner@example.com", "demo", "nope"], "has no quiz for a lesson")):
        bad = runner.invoke(args=["quizzes", "grant-attempts", *args, "--reason", "x"])
        assert bad.exit_code == 1 and message in bad.output
    missing = runner.invoke(args=["quizzes", "grant-attempts", "learner@example.com", "demo",
                                  "second-lesson"])
    assert missing.exit_code == 2 and "--reason" in missing.output
