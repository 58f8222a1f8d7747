"""draft revisions: every state of a course's files, kept

Revision ID: 554ecb862d82
Revises: a16b0c0e1a75
Create Date: 2026-12-06 11:05:42.980579

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = '554ecb862d82'
down_revision = 'a16b0c0e1a75'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draft_texts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_draft_texts'))
    )
    op.create_table('draft_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_draft_revisions_author_id_users')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_draft_revisions_course_id_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_revisions')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_draft_revisions_course_id_number'))
    )
    with op.batch_alter_table('draft_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_revisions_course_id'), ['course_id'], unique=False)



def downgrade():
    with op.batch_alter_table('draft_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_revisions_course_id'))

    op.drop_table('draft_revisions')
    op.drop_table('draft_texts')
