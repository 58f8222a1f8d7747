"""clinic records outlive membership: leavers, the evidence notice, family names

Revision ID: b7c1e23a9d04
Revises: 554ecb862d82
Create Date: 2026-12-06 11:10:00

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = 'b7c1e23a9d04'
down_revision = '554ecb862d82'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clinic_leavers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.Column('left_at', nmt_course.database.UTCDateTime(), nullable=False),
        sa.Column('returned_at', nmt_course.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('clinic_id', 'user_id'))
    with op.batch_alter_table('clinic_memberships', schema=None) as batch_op:
        # Staff who joined before this change have not been told yet (NULL).
        batch_op.add_column(sa.Column('evidence_notice_at', nmt_course.database.UTCDateTime(),
                                      nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_name', sa.String(length=200), nullable=False,
                                      server_default=''))
    # The last word of each legal name, as a first guess the learner can correct.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('legal_name', sa.String),
                     sa.column('family_name', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.legal_name)).all()
    for user_id, legal_name in rows:
        words = (legal_name or "").split()
        if words:
            bind.execute(users.update().where(users.c.id == user_id)
                         .values(family_name=words[-1][:200]))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('family_name')
    with op.batch_alter_table('clinic_memberships', schema=None) as batch_op:
        batch_op.drop_column('evidence_notice_at')
    op.drop_table('clinic_leavers')
