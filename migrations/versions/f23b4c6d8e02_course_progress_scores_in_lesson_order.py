"""course_progress: best scores kept as "positions|scores" in lesson order ("1 2|100 80"),
which a clinic's CSV writes as they are, instead of "position:score" pairs in any order

Revision ID: f23b4c6d8e02
Revises: f23a1c5e7b90
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f23b4c6d8e02'
down_revision = 'f23a1c5e7b90'
branch_labels = None
depends_on = None

progress = sa.table('course_progress', sa.column('user_id'), sa.column('course_id'),
                    sa.column('scores'))


def _rewrite(convert):
    bind = op.get_bind()
    rows = bind.execute(sa.select(progress.c.user_id, progress.c.course_id, progress.c.scores)
                        .where(progress.c.scores.is_not(None))).all()
    if rows:
        bind.execute(
            progress.update().where(progress.c.user_id == sa.bindparam('who'),
                                    progress.c.course_id == sa.bindparam('course'))
            .values(scores=sa.bindparam('text')),
            [{'who': user_id, 'course': course_id, 'text': convert(scores)}
             for user_id, course_id, scores in rows])


def _in_lesson_order(pairs):
    """"2:80 1:100" -> "1 2|100 80"."""
    found = sorted((int(position), score)
                   for position, score in (pair.split(':') for pair in pairs.split()))
    return (' '.join(str(position) for position, _ in found) + '|'
            + ' '.join(score for _, score in found))


def _as_pairs(text):
    """"1 2|100 80" -> "1:100 2:80"."""
    positions, scores = text.split('|')
    return ' '.join(f'{position}:{score}'
                    for position, score in zip(positions.split(), scores.split()))


def upgrade():
    _rewrite(_in_lesson_order)


def downgrade():
    _rewrite(_as_pairs)
