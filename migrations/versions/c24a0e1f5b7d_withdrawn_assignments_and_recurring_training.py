"""withdrawn assignments kept as records (issue 23)

Revision ID: c24a0e1f5b7d
Revises: b7c1e23a9d04
Create Date: 2026-12-06 13:50:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'c24a0e1f5b7d'
down_revision = 'b7c1e23a9d04'
branch_labels = None
depends_on = None

PERSONAL = "user_id IS NOT NULL AND withdrawn_at IS NULL"
WHOLE_CLINIC = "user_id IS NULL AND withdrawn_at IS NULL"


def upgrade():
    # Withdrawing marks an assignment instead of deleting it: only those in force are unique.
    with op.batch_alter_table('clinic_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
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
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
