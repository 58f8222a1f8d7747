"""reading counts, measured hours, course evaluation: the stored inputs of the new CE-hours
estimate, a lesson's min_minutes, time on task for read marks and quiz attempts, course
evaluations; and a read mark wherever a lesson's quiz was already passed (a lesson is now
complete when read and its quiz passed, so nobody loses progress or a certificate)

Revision ID: a16b0c0e1a75
Revises: b7c31e5a9d42
Create Date: 2026-12-06 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'a16b0c0e1a75'
down_revision = 'b7c31e5a9d42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiz_words', sa.Numeric(precision=12, scale=2),
                                      nullable=False, server_default='0'))
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_minutes', sa.Integer(), nullable=True))
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seconds', sa.Integer(), nullable=True))
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seconds', sa.Integer(), nullable=True))
    op.create_table('course_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('objectives_met', sa.JSON(), nullable=False),
    sa.Column('content_quality', sa.Integer(), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('hours_matched', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_evaluations_course_id_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_evaluations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_evaluations')),
    sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_course_evaluations_course_id_user_id'))
    )
    with op.batch_alter_table('course_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_evaluations_course_id'), ['course_id'],
                              unique=False)
    # A passed quiz used to complete its lesson: mark those lessons read, when first passed.
    op.execute(
        "INSERT INTO lesson_progress (user_id, lesson_id, read_at) "
        "SELECT a.user_id, q.lesson_id, MIN(a.submitted_at) "
        "FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id "
        "WHERE a.passed AND NOT EXISTS (SELECT 1 FROM lesson_progress p "
        "WHERE p.user_id = a.user_id AND p.lesson_id = q.lesson_id) "
        "GROUP BY a.user_id, q.lesson_id")


def downgrade():
    # The read marks added stay: they are true of the learners who passed.
    with op.batch_alter_table('course_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_evaluations_course_id'))
    op.drop_table('course_evaluations')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('seconds')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('seconds')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('min_minutes')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('quiz_words')
