"""course_progress: each quiz tried and not passed, as "quiz:best:failures:attempts" (who is
struggling or out of attempts in a clinic's report, read with the counts)

Revision ID: f23c7a1d9e35
Revises: f23b4c6d8e02
Create Date: 2026-12-06 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f23c7a1d9e35'
down_revision = 'f23b4c6d8e02'
branch_labels = None
depends_on = None

# What learning.summary_operations.refresh keeps, for every row at once: the standings not
# passed of the learner's current cycle in the course.
FILL = """
UPDATE course_progress SET unpassed = (
  SELECT {aggregate}(CAST(qs.quiz_id AS VARCHAR) || ':' || CAST(qs.best_score AS VARCHAR)
                     || ':' || CAST(qs.failures AS VARCHAR) || ':'
                     || CAST(qs.attempts AS VARCHAR), ' ')
  FROM quiz_standings qs JOIN quizzes q ON q.id = qs.quiz_id AND q.archived_at IS NULL
  JOIN lessons l ON l.id = q.lesson_id AND l.archived_at IS NULL
  WHERE qs.user_id = course_progress.user_id AND l.course_id = course_progress.course_id
    AND NOT qs.passed
    AND qs.cycle = COALESCE((SELECT MAX(c.number) FROM course_cycles c
                             WHERE c.user_id = qs.user_id AND c.course_id = l.course_id), 1))
"""


def upgrade():
    with op.batch_alter_table('course_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unpassed', sa.Text(), nullable=True))
    aggregate = "string_agg" if op.get_bind().dialect.name == "postgresql" else "group_concat"
    op.execute(FILL.format(aggregate=aggregate))


def downgrade():
    with op.batch_alter_table('course_progress', schema=None) as batch_op:
        batch_op.drop_column('unpassed')
