"""provider settings; certificates copy the provider's address, e-mail, approval number and
the grading scale they print (issue 16)

Revision ID: b7c41e2f9a10
Revises: 128bcd34848e
Create Date: 2026-12-06 11:15:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'b7c41e2f9a10'
down_revision = '128bcd34848e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('postal_address', sa.String(length=300), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=False),
        sa.Column('approval_number', sa.String(length=100), nullable=False),
        sa.Column('signature_png', sa.LargeBinary(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_provider_settings_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_settings')))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        for name, length in (('provider_address', 300), ('provider_email', 254),
                             ('provider_approval_number', 100), ('grading_scale', 300)):
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                          server_default=''))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        for name in ('grading_scale', 'provider_approval_number', 'provider_email',
                     'provider_address'):
            batch_op.drop_column(name)
    op.drop_table('provider_settings')
