"""clinic notices: assignment e-mails sent, managers' weekly digests (and their opt-out),
managers on their own staff, learners' requests for more quiz attempts

Revision ID: b7c1d9e2f4a3
Revises: b7c41e2f9a10
Create Date: 2026-12-06 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'b7c1d9e2f4a3'
down_revision = 'b7c41e2f9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clinic_assignment_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['clinic_assignments.id'], name=op.f('fk_clinic_assignment_notices_assignment_id_clinic_assignments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_clinic_assignment_notices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_assignment_notices')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_clinic_assignment_notices_assignment_id_user_id'))
    )
    op.create_table('clinic_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('week_of', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_clinic_digests_clinic_id_clinics')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_clinic_digests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_digests')),
    sa.UniqueConstraint('user_id', 'clinic_id', 'week_of', name=op.f('uq_clinic_digests_user_id_clinic_id_week_of'))
    )
    op.create_table('attempt_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.Column('granted_at', nmt_course.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_attempt_requests_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempt_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_requests'))
    )
    op.create_index('uq_attempt_requests_open', 'attempt_requests', ['user_id', 'quiz_id'],
                    unique=True, sqlite_where=sa.text('granted_at IS NULL'),
                    postgresql_where=sa.text('granted_at IS NULL'))
    with op.batch_alter_table('clinic_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takes_courses', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clinic_digest', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('clinic_digest')
    with op.batch_alter_table('clinic_memberships', schema=None) as batch_op:
        batch_op.drop_column('takes_courses')
    op.drop_index('uq_attempt_requests_open', table_name='attempt_requests',
                  sqlite_where=sa.text('granted_at IS NULL'),
                  postgresql_where=sa.text('granted_at IS NULL'))
    op.drop_table('attempt_requests')
    op.drop_table('clinic_digests')
    op.drop_table('clinic_assignment_notices')
