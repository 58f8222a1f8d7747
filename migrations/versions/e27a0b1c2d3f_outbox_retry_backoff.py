"""outbox: when a message that failed is tried next (retries back off)

Revision ID: e27a0b1c2d3f
Revises: c24a0e1f5b7d
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'e27a0b1c2d3f'
down_revision = 'c24a0e1f5b7d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        # Messages queued before: tried at the next run, as before (NULL).
        batch_op.add_column(sa.Column('next_attempt_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
