"""quiz banks, shown questions, extra attempts, lesson added_at, CE estimate

Quiz banks (draw, objectives, review after a failed attempt), the questions an attempt
showed, extra attempts granted to a learner, when a lesson joined its course, and what a
course's CE estimate is made of.

Revision ID: 446ea5cf44d4
Revises: cf58ec544c0b
Create Date: 2026-11-25 13:05:55.569261

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = '446ea5cf44d4'
down_revision = 'cf58ec544c0b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attempt_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'],
                                name=op.f('fk_attempt_grants_granted_by_id_users')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'],
                                name=op.f('fk_attempt_grants_quiz_id_quizzes')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_attempt_grants_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_grants')))
    with op.batch_alter_table('attempt_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_grants_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word_count', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('questions_shown', sa.Integer(), nullable=False,
                                      server_default='0'))

    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objective', sa.Integer(), nullable=True))

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown', sa.JSON(), nullable=True))

    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_after_fail', sa.String(length=20), nullable=False,
                                      server_default='objectives'))

    # Courses imported before: their estimate from their active lessons and current quizzes
    # (every question was shown then).
    op.execute('''
        UPDATE courses SET
          word_count = (SELECT COALESCE(SUM(lessons.word_count), 0) FROM lessons
                        WHERE lessons.course_id = courses.id AND lessons.archived_at IS NULL),
          questions_shown = (
            SELECT COUNT(questions.id) FROM questions
            JOIN quiz_versions ON quiz_versions.id = questions.quiz_version_id
            JOIN quizzes ON quizzes.id = quiz_versions.quiz_id
            JOIN lessons ON lessons.id = quizzes.lesson_id
            WHERE lessons.course_id = courses.id AND lessons.archived_at IS NULL
              AND quizzes.archived_at IS NULL
              AND quiz_versions.number = (SELECT MAX(v.number) FROM quiz_versions v
                                          WHERE v.quiz_id = quizzes.id))
    ''')


def downgrade():
    with op.batch_alter_table('quiz_versions', schema=None) as batch_op:
        batch_op.drop_column('review_after_fail')
        batch_op.drop_column('draw')

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('shown')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('objective')

    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('added_at')

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('questions_shown')
        batch_op.drop_column('word_count')

    with op.batch_alter_table('attempt_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_grants_user_id'))
    op.drop_table('attempt_grants')
