"""attempt regrades: the version whose key graded an attempt, and when it was regraded

Revision ID: e20a7c3b5d61
Revises: e17a0c5d2b61
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'e20a7c3b5d61'
down_revision = 'e17a0c5d2b61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        # Attempts graded before regrades existed were graded with their own version's key.
        batch_op.add_column(sa.Column('graded_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('regraded_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_quiz_attempts_graded_version_id_quiz_versions'), 'quiz_versions',
            ['graded_version_id'], ['id'])


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_quiz_attempts_graded_version_id_quiz_versions'), type_='foreignkey')
        batch_op.drop_column('regraded_at')
        batch_op.drop_column('graded_version_id')
