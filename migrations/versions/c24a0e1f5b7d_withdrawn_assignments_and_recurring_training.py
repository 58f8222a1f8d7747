"""withdrawn assignments kept as records, and course_progress, the counted copy of each
learner's read marks and quiz standings in a course that clinic reports read (issue 23);
assignments that recur every N months (issue 24)

Revision ID: c24a0e1f5b7d
Revises: e21a7c3b9f10
Create Date: 2026-12-06 13:50:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'c24a0e1f5b7d'
down_revision = 'e21a7c3b9f10'
branch_labels = None
depends_on = None

# What learning.summary_operations.refresh counts, for every learner and course at once.
COUNT_PROGRESS = """
INSERT INTO course_progress (user_id, course_id, plain_read, quiz_read, passed,
                             passed_and_read, tried, scores)
SELECT user_id, course_id, SUM(plain_read), SUM(quiz_read), SUM(passed), SUM(passed_and_read),
       SUM(tried), {aggregate}(scores, ' ')
FROM (
  SELECT lp.user_id AS user_id, l.course_id AS course_id,
         CASE WHEN q.id IS NULL THEN 1 ELSE 0 END AS plain_read,
         CASE WHEN q.id IS NULL THEN 0 ELSE 1 END AS quiz_read,
         0 AS passed, 0 AS passed_and_read, 0 AS tried, CAST(NULL AS VARCHAR) AS scores
  FROM lesson_progress lp JOIN lessons l ON l.id = lp.lesson_id
  LEFT JOIN quizzes q ON q.lesson_id = l.id AND q.archived_at IS NULL
  WHERE l.archived_at IS NULL
  UNION ALL
  SELECT qs.user_id, l.course_id, 0, 0, CASE WHEN qs.passed THEN 1 ELSE 0 END,
         CASE WHEN qs.passed AND EXISTS (
           SELECT 1 FROM lesson_progress lp
           WHERE lp.user_id = qs.user_id AND lp.lesson_id = l.id) THEN 1 ELSE 0 END, 1,
         CAST(l.position AS VARCHAR) || ':' || CAST(qs.best_score AS VARCHAR)
  FROM quiz_standings qs JOIN quizzes q ON q.id = qs.quiz_id AND q.archived_at IS NULL
  JOIN lessons l ON l.id = q.lesson_id
  WHERE l.archived_at IS NULL
) AS facts
GROUP BY user_id, course_id
"""

PERSONAL = "user_id IS NOT NULL AND withdrawn_at IS NULL"
WHOLE_CLINIC = "user_id IS NULL AND withdrawn_at IS NULL"


def upgrade():
    op.create_table(
        'course_progress',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('plain_read', sa.Integer(), nullable=False),
        sa.Column('quiz_read', sa.Integer(), nullable=False),
        sa.Column('passed', sa.Integer(), nullable=False),
        sa.Column('passed_and_read', sa.Integer(), nullable=False),
        sa.Column('tried', sa.Integer(), nullable=False),
        sa.Column('scores', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_course_progress_course_id_courses')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_course_progress_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'course_id', name=op.f('pk_course_progress')))
    aggregate = "string_agg" if op.get_bind().dialect.name == "postgresql" else "group_concat"
    op.execute(COUNT_PROGRESS.format(aggregate=aggregate))
    # Withdrawing marks an assignment instead of deleting it: only those in force are unique.
    with op.batch_alter_table('clinic_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        # Recurring training (issue 24): NULL, once is enough, for every assignment made before.
        batch_op.add_column(sa.Column('recur_months', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_clinic_assignments_withdrawn_by_id_users'),
                                    'users', ['withdrawn_by_id'], ['id'])
        batch_op.drop_constraint('uq_clinic_assignments_clinic_id_course_id_user_id',
                                 type_='unique')
        batch_op.drop_index('uq_clinic_assignments_whole_clinic')
        batch_op.create_index('uq_clinic_assignments_personal',
                              ['clinic_id', 'course_id', 'user_id'], unique=True,
                              sqlite_where=sa.text(PERSONAL), postgresql_where=sa.text(PERSONAL))
        batch_op.create_index('uq_clinic_assignments_whole_clinic', ['clinic_id', 'course_id'],
                              unique=True, sqlite_where=sa.text(WHOLE_CLINIC),
                              postgresql_where=sa.text(WHOLE_CLINIC))


def downgrade():
    op.drop_table('course_progress')
    # Withdrawn assignments did not exist before: they go, with the notices of them.
    withdrawn = "SELECT id FROM clinic_assignments WHERE withdrawn_at IS NOT NULL"
    op.execute(f"DELETE FROM clinic_assignment_notices WHERE assignment_id IN ({withdrawn})")
    op.execute("DELETE FROM clinic_assignments WHERE withdrawn_at IS NOT NULL")
    with op.batch_alter_table('clinic_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_clinic_assignments_whole_clinic')
        batch_op.drop_index('uq_clinic_assignments_personal')
        batch_op.create_index('uq_clinic_assignments_whole_clinic', ['clinic_id', 'course_id'],
                              unique=True, sqlite_where=sa.text('user_id IS NULL'),
                              postgresql_where=sa.text('user_id IS NULL'))
        batch_op.create_unique_constraint('uq_clinic_assignments_clinic_id_course_id_user_id',
                                          ['clinic_id', 'course_id', 'user_id'])
        batch_op.drop_constraint('fk_clinic_assignments_withdrawn_by_id_users',
                                 type_='foreignkey')
        batch_op.drop_column('recur_months')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
