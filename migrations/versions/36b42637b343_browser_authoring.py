"""browser authoring: drafts, maintainers, images, question flags

Revision ID: 36b42637b343
Revises: 446ea5cf44d4
Create Date: 2026-11-25 13:28:31.980020

"""
from alembic import op
import sqlalchemy as sa

import nmt_course.database


# revision identifiers, used by Alembic.
revision = '36b42637b343'
down_revision = '446ea5cf44d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_drafts',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_drafts_course_id_courses')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_course_drafts_updated_by_id_users')),
    sa.PrimaryKeyConstraint('course_id', name=op.f('pk_course_drafts'))
    )
    op.create_table('course_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_images_course_id_courses')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_course_images_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_images')),
    sa.UniqueConstraint('course_id', 'name', name=op.f('uq_course_images_course_id_name'))
    )
    with op.batch_alter_table('course_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_images_course_id'), ['course_id'], unique=False)

    op.create_table('course_maintainers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_course_maintainers_added_by_id_users')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_maintainers_course_id_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_maintainers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_maintainers')),
    sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_course_maintainers_course_id_user_id'))
    )
    with op.batch_alter_table('course_maintainers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_maintainers_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_maintainers_user_id'), ['user_id'], unique=False)

    op.create_table('question_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=100), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', nmt_course.database.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', nmt_course.database.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_question_flags_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_question_flags_quiz_version_id_quiz_versions')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_question_flags_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_question_flags_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_flags'))
    )
    with op.batch_alter_table('question_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_flags_quiz_id'), ['quiz_id'], unique=False)

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_files', sa.JSON(), nullable=False,
                                      server_default='{}'))



def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('source_files')

    with op.batch_alter_table('question_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_flags_quiz_id'))

    op.drop_table('question_flags')
    with op.batch_alter_table('course_maintainers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_maintainers_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_maintainers_course_id'))

    op.drop_table('course_maintainers')
    with op.batch_alter_table('course_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_images_course_id'))

    op.drop_table('course_images')
    op.drop_table('course_drafts')
