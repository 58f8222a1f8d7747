"""security, second pass: how often each clinic invitation was resent (issue 15)

Revision ID: b7c31e5a9d42
Revises: 128bcd34848e
Create Date: 2026-12-06 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c31e5a9d42'
down_revision = '128bcd34848e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinic_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resends', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('clinic_invitations', schema=None) as batch_op:
        batch_op.drop_column('resends')
