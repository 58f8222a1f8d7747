"""item analysis: one row per answered question

Revision ID: 1369a110b78a
Revises: 36b42637b343
Create Date: 2026-11-25 13:58:31.224762

"""
from alembic import op
import sqlalchemy as sa

from nmt_course.grading import SCORERS, GradableChoice, GradableQuestion
from nmt_course.quizzes.item_analysis import answer_rows, key_hash


# revision identifiers, used by Alembic.
revision = '1369a110b78a'
down_revision = '36b42637b343'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('quiz_version_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=16), nullable=False),
    sa.Column('chosen', sa.String(length=1000), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('first', sa.Boolean(), nullable=False),
    sa.Column('first_score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_question_answers_attempt_id_quiz_attempts')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_question_answers_quiz_id_quizzes')),
    sa.ForeignKeyConstraint(['quiz_version_id'], ['quiz_versions.id'], name=op.f('fk_question_answers_quiz_version_id_quiz_versions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_question_answers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_answers'))
    )
    with op.batch_alter_table('question_answers', schema=None) as batch_op:
        batch_op.create_index('ix_question_answers_analysis', ['quiz_id', 'first', 'question_key', 'key_hash', 'chosen', 'correct', 'first_score', 'user_id'], unique=False)

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_quiz_number', ['quiz_id', 'number', 'score', 'user_id'], unique=False)
    _answers_of_earlier_attempts()


def _answers_of_earlier_attempts():
    """Rows for the attempts made before this table existed, so their analysis is complete."""
    bind = op.get_bind()
    questions = sa.table('questions', sa.column('id'), sa.column('quiz_version_id'),
                         sa.column('key'), sa.column('type'), sa.column('position'))
    choices = sa.table('choices', sa.column('question_id'), sa.column('key'),
                       sa.column('correct', sa.Boolean))
    attempts = sa.table('quiz_attempts', sa.column('id'), sa.column('user_id'),
                        sa.column('quiz_id'), sa.column('quiz_version_id'),
                        sa.column('number'), sa.column('score'), sa.column('answers', sa.JSON),
                        sa.column('shown', sa.JSON))
    right: dict[int, set] = {}
    for question_id, key, correct in bind.execute(
            sa.select(choices.c.question_id, choices.c.key, choices.c.correct)):
        right.setdefault(question_id, set()).update([key] if correct else [])
    keys_of: dict[int, list] = {}
    for question_id, version_id, key, kind in bind.execute(
            sa.select(questions.c.id, questions.c.quiz_version_id, questions.c.key,
                      questions.c.type).order_by(questions.c.position)):
        keys_of.setdefault(version_id, []).append((key, kind, right.get(question_id, set())))
    answered: dict[tuple, set] = {}
    first_score: dict[tuple, int] = {}
    rows = []
    for attempt_id, user_id, quiz_id, version_id, score, answers, shown in bind.execute(
            sa.select(attempts.c.id, attempts.c.user_id, attempts.c.quiz_id,
                      attempts.c.quiz_version_id, attempts.c.score, attempts.c.answers,
                      attempts.c.shown)
            .order_by(attempts.c.user_id, attempts.c.quiz_id, attempts.c.number)):
        bank = {key: (kind, keys) for key, kind, keys in keys_of.get(version_id, [])}
        asked = [k for k in (shown or {}).get("questions", bank) if k in bank]
        results = {key: SCORERS[bank[key][0]](
            GradableQuestion(key, bank[key][0], tuple(GradableChoice(c, True) for c in
                                                       bank[key][1])),
            frozenset((answers or {}).get(key, ()))) for key in asked}
        hashes = {key: key_hash(bank[key][0], bank[key][1]) for key in asked}
        before = answered.setdefault((user_id, quiz_id), set())
        for row in answer_rows(shown=asked, answers=answers or {}, results=results,
                               hashes=hashes, answered_before=before,
                               first_score=first_score.setdefault((user_id, quiz_id), score)):
            rows.append({**row, "attempt_id": attempt_id, "user_id": user_id,
                         "quiz_id": quiz_id, "quiz_version_id": version_id})
        before.update(f"{key}:{hashes[key]}" for key in asked)
    if rows:
        op.bulk_insert(sa.table('question_answers', *(sa.column(name) for name in rows[0])),
                       rows)


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_quiz_number')

    with op.batch_alter_table('question_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_question_answers_analysis')

    op.drop_table('question_answers')
