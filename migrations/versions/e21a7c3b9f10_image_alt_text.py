"""image alt text: a course's images keep what their author said they show

Revision ID: e21a7c3b9f10
Revises: e20a7c3b5d61
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e21a7c3b9f10'
down_revision = 'e20a7c3b5d61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_images', schema=None) as batch_op:
        # Images uploaded before this change had their description only in the lesson.
        batch_op.add_column(sa.Column('alt', sa.String(length=200), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('course_images', schema=None) as batch_op:
        batch_op.drop_column('alt')
