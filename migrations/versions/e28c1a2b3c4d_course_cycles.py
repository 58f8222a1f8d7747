"""cycles: training that recurs starts afresh (course_cycles; a cycle on read marks,
attempts, standings, extra attempts and certificates, in their unique keys)

Revision ID: e28c1a2b3c4d
Revises: e27a0b1c2d3f
Create Date: 2026-12-06 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'e28c1a2b3c4d'
down_revision = 'e27a0b1c2d3f'
branch_labels = None
depends_on = None

# Every row already stored is of the first cycle (server default 1): nothing a learner or a
# clinic sees changes until `clinics remind` opens a second cycle for a recurring assignment.
CYCLE = dict(nullable=False, server_default='1')


def upgrade():
    op.create_table('course_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('opened_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['clinic_assignments.id'], name=op.f('fk_course_cycles_assignment_id_clinic_assignments')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_cycles_course_id_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_cycles_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_cycles')),
    sa.UniqueConstraint('user_id', 'course_id', 'number', name=op.f('uq_course_cycles_user_id_course_id_number'))
    )
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), **CYCLE))
        batch_op.drop_constraint('uq_lesson_progress_user_id_lesson_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_lesson_progress_user_id_lesson_id_cycle'), ['user_id', 'lesson_id', 'cycle'])
    with op.batch_alter_table('attempt_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), **CYCLE))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), **CYCLE))
        batch_op.drop_constraint('uq_certificates_user_id_course_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_user_id_course_id_cycle'), ['user_id', 'course_id', 'cycle'])
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), **CYCLE))
        batch_op.drop_index('uq_quiz_attempts_one_pass', sqlite_where=sa.text('passed'), postgresql_where=sa.text('passed'))
        batch_op.drop_constraint('uq_quiz_attempts_user_id_quiz_id_number', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_quiz_attempts_user_id_quiz_id_cycle_number'), ['user_id', 'quiz_id', 'cycle', 'number'])
        batch_op.create_index('uq_quiz_attempts_one_pass', ['user_id', 'quiz_id', 'cycle'], unique=True, sqlite_where=sa.text('passed'), postgresql_where=sa.text('passed'))
    with op.batch_alter_table('quiz_standings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), **CYCLE))
        batch_op.drop_constraint('pk_quiz_standings', type_='primary')
        batch_op.create_primary_key('pk_quiz_standings', ['user_id', 'quiz_id', 'cycle'])


def downgrade():
    # Back to one cycle: what later cycles recorded cannot fit the narrower keys, so it goes
    # (a downgrade is for taking a database back to an older release's shape).
    for name in ('lesson_progress', 'attempt_grants', 'quiz_standings'):
        op.execute(f"DELETE FROM {name} WHERE cycle > 1")
    op.execute("DELETE FROM question_answers WHERE attempt_id IN "
               "(SELECT id FROM quiz_attempts WHERE cycle > 1)")
    op.execute("DELETE FROM quiz_attempts WHERE cycle > 1")
    for name in ('certificate_credentials', 'certificate_revisions'):
        op.execute(f"DELETE FROM {name} WHERE certificate_id IN "
                   "(SELECT id FROM certificates WHERE cycle > 1)")
    op.execute("DELETE FROM certificates WHERE cycle > 1")
    with op.batch_alter_table('quiz_standings', schema=None) as batch_op:
        batch_op.drop_constraint('pk_quiz_standings', type_='primary')
        batch_op.create_primary_key('pk_quiz_standings', ['user_id', 'quiz_id'])
        batch_op.drop_column('cycle')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_quiz_attempts_one_pass', sqlite_where=sa.text('passed'), postgresql_where=sa.text('passed'))
        batch_op.drop_constraint('uq_quiz_attempts_user_id_quiz_id_cycle_number', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_quiz_attempts_user_id_quiz_id_number'), ['user_id', 'quiz_id', 'number'])
        batch_op.create_index('uq_quiz_attempts_one_pass', ['user_id', 'quiz_id'], unique=True, sqlite_where=sa.text('passed'), postgresql_where=sa.text('passed'))
        batch_op.drop_column('cycle')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificates_user_id_course_id_cycle', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_user_id_course_id'), ['user_id', 'course_id'])
        batch_op.drop_column('cycle')
    with op.batch_alter_table('attempt_grants', schema=None) as batch_op:
        batch_op.drop_column('cycle')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_constraint('uq_lesson_progress_user_id_lesson_id_cycle', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_lesson_progress_user_id_lesson_id'), ['user_id', 'lesson_id'])
        batch_op.drop_column('cycle')
    op.drop_table('course_cycles')
