"""The migrations build exactly the schema the models describe."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from nmt_course.extensions import db

pytestmark = pytest.mark.dialect("migrations")


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_the_quiz_bank_migration_fills_the_ce_estimate_of_courses_imported_before(tmp_path):
    """A database made before quiz banks: its course gets its word and question counts."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from tests.conftest import app_config
    from tests.helpers import import_content

    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade()
    import_content(app)
    with app.app_context():
        downgrade(revision="cf58ec544c0b")
        upgrade()
        counts = db.session.execute(text(
            "SELECT word_count, questions_shown FROM courses")).one()
        db.engine.dispose()
    assert tuple(counts) == (6130, 7)


def test_reading_counts_migration_marks_read_every_lesson_whose_quiz_was_passed(tmp_path):
    """Passing a quiz used to complete its lesson: after the migration, a learner who had
    passed every quiz without pressing a read button keeps their progress and certificate."""
    import datetime as dt

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from nmt_course.accounts.queries import user_by_email
    from nmt_course.certificates.operations import issue_certificate
    from nmt_course.learning import completion
    from nmt_course.learning.queries import course_by_slug, progress_by_course
    from tests.conftest import app_config
    from tests.helpers import (DEMO_FAIL, DEMO_PASS, SECOND_PASS, import_content, make_user,
                               pass_quiz_directly, runtime)

    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade()
    import_content(app)
    for email in ("passed@example.com", "failed@example.com"):
        make_user(app, email)
    as_lists = lambda answers: {k: [v] if isinstance(v, str) else v  # noqa: E731
                                for k, v in answers.items()}
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        pass_quiz_directly(app, "passed@example.com", "demo", lesson, as_lists(answers))
    pass_quiz_directly(app, "failed@example.com", "demo", "first-lesson", as_lists(DEMO_FAIL))
    with app.app_context():
        learner, course = user_by_email("passed@example.com"), course_by_slug("demo")
        issue_certificate(runtime(app), completion.completion_of(
            learner, course, dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)))
        downgrade(revision="128bcd34848e")
        upgrade()
        marks = db.session.execute(text(
            "SELECT u.email, l.slug, p.read_at = a.submitted_at FROM lesson_progress p "
            "JOIN users u ON u.id = p.user_id JOIN lessons l ON l.id = p.lesson_id "
            "JOIN quizzes q ON q.lesson_id = l.id "
            "JOIN quiz_attempts a ON a.quiz_id = q.id AND a.user_id = u.id AND a.passed "
            "ORDER BY l.slug")).all()
        progress = progress_by_course(user_by_email("passed@example.com"),
                                      [course_by_slug("demo")])
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in marks] == [("passed@example.com", "first-lesson", 1),
                                             ("passed@example.com", "second-lesson", 1)]
    (own,) = progress.values()
    assert own.complete and own.percent == 100


def test_the_item_analysis_migration_fills_rows_for_earlier_attempts(tmp_path):
    """Attempts made before answers had rows of their own get the same rows from it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from tests.conftest import app_config
    from tests.helpers import DEMO_FAIL, DEMO_PASS, import_content, make_user, pass_quiz_directly

    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade()
    import_content(app)
    make_user(app)
    as_lists = {key: [v] if isinstance(v, str) else v for key, v in DEMO_FAIL.items()}
    pass_quiz_directly(app, "learner@example.com", "demo", "first-lesson", as_lists)
    pass_quiz_directly(app, "learner@example.com", "demo", "first-lesson",
                       {key: [v] if isinstance(v, str) else v for key, v in DEMO_PASS.items()})
    query = text("SELECT attempt_id, question_key, key_hash, chosen, correct, first_score, "
                 "first FROM question_answers ORDER BY attempt_id, question_key")
    with app.app_context():
        before = db.session.execute(query).all()
        db.session.commit()
        downgrade(revision="36b42637b343")
        upgrade()
        after = db.session.execute(query).all()
        db.engine.dispose()
    assert len(before) == 10 and [row[-1] for row in before].count(True) == 5
    assert {row[-2] for row in before} == {before[0][-2]}  # the first attempt's score
    assert after == before


def test_quiz_standings_are_kept_by_attempts_and_filled_by_the_migration(tmp_path):
    """Each attempt keeps the learner's standing; the migration derives the same rows from
    the attempts made before the table existed."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from tests.conftest import app_config
    from tests.helpers import DEMO_FAIL, DEMO_PASS, import_content, make_user, pass_quiz_directly

    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade()
    import_content(app)
    make_user(app)
    for answers in (DEMO_FAIL, DEMO_FAIL, DEMO_PASS):
        pass_quiz_directly(app, "learner@example.com", "demo", "first-lesson",
                           {key: [v] if isinstance(v, str) else v for key, v in answers.items()})
    query = text("SELECT attempts, best_score, failures, passed FROM quiz_standings")
    with app.app_context():
        kept = db.session.execute(query).all()
        db.session.commit()
        downgrade(revision="d63fcaab22d8")
        upgrade()
        derived = db.session.execute(query).all()
        db.engine.dispose()
    assert [tuple(row) for row in kept] == [(3, 100, 2, True)]
    assert derived == kept


def test_the_course_progress_migration_counts_as_the_operations_do(tmp_path):
    """course_progress, filled by the migration from the read marks and standings already
    there, holds what the operations' own recount would (issue 23)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from tests.conftest import app_config
    from tests.helpers import (DEMO_FAIL, DEMO_PASS, import_content, make_user,
                               pass_quiz_directly, read_directly)

    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade()
    import_content(app)
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        make_user(app, email)
    read_directly(app, "a@example.com", "demo", "first-lesson")
    pass_quiz_directly(app, "a@example.com", "demo", "first-lesson",
                       {k: [v] if isinstance(v, str) else v for k, v in DEMO_PASS.items()})
    pass_quiz_directly(app, "b@example.com", "demo", "first-lesson",
                       {k: [v] if isinstance(v, str) else v for k, v in DEMO_FAIL.items()})
    read_directly(app, "c@example.com", "demo", "second-lesson")
    query = text("SELECT user_id, course_id, plain_read, quiz_read, passed, passed_and_read, "
                 "tried, scores, unpassed FROM course_progress ORDER BY user_id")
    with app.app_context():
        kept = db.session.execute(query).all()
        downgrade(revision="e21a7c3b9f10")
        upgrade()
        migrated = db.session.execute(query).all()
        db.engine.dispose()
    assert len(kept) == 3 and migrated == kept
    assert [row.passed for row in kept] == [1, 0, 0] and kept[0].scores == "1|100"
    assert kept[0].unpassed is None and kept[1].unpassed.endswith(":40:1:1")  # b failed once


def test_the_scores_migration_keeps_best_scores_in_lesson_order_and_back(tmp_path):
    """"position:score" pairs in any order become "positions|scores" in lesson order, and
    a downgrade writes the pairs again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from nmt_course import create_app
    from tests.conftest import app_config
    from tests.helpers import import_content, make_user

    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite3'}"))
    with app.app_context():
        upgrade()
    import_content(app)
    for email in ("a@example.com", "b@example.com"):
        make_user(app, email)
    with app.app_context():
        downgrade(revision="f23a1c5e7b90")
        db.session.execute(text(
            "INSERT INTO course_progress (user_id, course_id, plain_read, quiz_read, passed,"
            " passed_and_read, tried, scores) SELECT users.id, courses.id, 0, 0, 0, 0, 2,"
            " CASE WHEN users.email = 'a@example.com' THEN '10:100 2:40' END"
            " FROM users, courses"))
        db.session.commit()
        upgrade()
        scores = text("SELECT scores FROM course_progress ORDER BY user_id")
        upgraded = db.session.scalars(scores).all()
        db.session.commit()
        downgrade(revision="f23a1c5e7b90")
        downgraded = db.session.scalars(scores).all()
        db.engine.dispose()
    assert upgraded == ["2 10|40 100", None]
    assert downgraded == ["2:40 10:100", None]
