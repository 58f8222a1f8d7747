"""CE records: certificate revisions (re-issue), CE Broker tracking numbers, deleted
accounts and the erasure log

Revision ID: e17a0c5d2b61
Revises: b7c1e23a9d04
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'e17a0c5d2b61'
down_revision = 'b7c1e23a9d04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('legal_name', sa.String(length=200), nullable=False),
        sa.Column('licence_number', sa.String(length=64), nullable=True),
        sa.Column('licence_state', sa.String(length=64), nullable=True),
        sa.Column('issued_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.Column('superseded_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('certificate_id', 'revision'))
    op.create_table(
        'course_tracking_numbers',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('cebroker_course_number', sa.String(length=20), nullable=False),
        sa.Column('updated_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ),
        sa.PrimaryKeyConstraint('course_id'))
    op.create_table(
        'account_erasures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email_sha256', sa.String(length=64), nullable=False),
        sa.Column('erased_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('account_erasures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_erasures_user_id'), ['user_id'],
                              unique=False)
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('reissued_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))
    with op.batch_alter_table('provider_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cebroker_provider_number', sa.String(length=20),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
    with op.batch_alter_table('provider_settings', schema=None) as batch_op:
        batch_op.drop_column('cebroker_provider_number')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('reissued_at')
        batch_op.drop_column('revision')
    with op.batch_alter_table('account_erasures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_erasures_user_id'))
    op.drop_table('account_erasures')
    op.drop_table('course_tracking_numbers')
    op.drop_table('certificate_revisions')
