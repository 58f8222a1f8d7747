"""quiz standings: an index by person and pass, for a clinic report's quizzes not passed yet

Revision ID: f23a1c5e7b90
Revises: e28c1a2b3c4d
Create Date: 2026-12-06 17:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f23a1c5e7b90'
down_revision = 'e28c1a2b3c4d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_standings', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_standings_user_id_passed', ['user_id', 'passed'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('quiz_standings', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_standings_user_id_passed')
