"""signed credentials: an Open Badges credential per certificate revision, with its status
list index; the learner's choice to put the licence number in credentials

Revision ID: 128bcd34848e
Revises: 7e14dc730044
Create Date: 2026-12-06 07:45:56.052735

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = '128bcd34848e'
down_revision = '7e14dc730044'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status_list', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('signed_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.Column('superseded_at', nmt_course.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_credentials_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_credentials')),
    sa.UniqueConstraint('certificate_id', 'revision', name=op.f('uq_certificate_credentials_certificate_id_revision')),
    sa.UniqueConstraint('status_list', 'status_index', name=op.f('uq_certificate_credentials_status_list_status_index'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence_in_credentials', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('licence_in_credentials')

    op.drop_table('certificate_credentials')
