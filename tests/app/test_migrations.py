"""The migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from nmt_course.extensions import db


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
    assert tuple(counts) == (31, 7)
