"""outbox html part: every e-mail is queued as plain text and HTML

Revision ID: 7e14dc730044
Revises: 1d13b022177b
Create Date: 2026-12-06 08:26:59.913688

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e14dc730044'
down_revision = '1d13b022177b'
branch_labels = None
depends_on = None


def upgrade():
    # Messages queued before keep their text part alone, and leave as plain text.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('html')
