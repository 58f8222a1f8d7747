"""`flask --app app quizzes grant-attempts`: more attempts for one learner at one quiz."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..accounts.queries import user_by_typed_email
from ..learning.queries import quiz_context
from ..web import runtime
from . import operations, policy, queries

quizzes = AppGroup("quizzes", help="Manage learners' quiz attempts.")


@quizzes.command("grant-attempts")
@click.argument("email")
@click.argument("course")
@click.argument("lesson")
@click.option("--attempts", default=1, show_default=True,
              type=click.IntRange(1, operations.MAX_GRANT), help="How many more attempts.")
@click.option("--reason", required=True, help="Why, for the audit log.")
def grant_attempts_command(email: str, course: str, lesson: str, attempts: int,
                           reason: str) -> None:
    """Let the learner EMAIL try the quiz of LESSON in COURSE again (both are slugs)."""
    learner = user_by_typed_email(email)
    if learner is None:
        raise click.ClickException(f"no account uses {email}")
    context = quiz_context(course, lesson)
    if context is None:
        raise click.ClickException(f"course '{course}' has no quiz for a lesson '{lesson}'")
    try:
        operations.grant_attempts(runtime(), learner_id=learner.id, quiz_id=context.quiz.id,
                                  attempts=attempts, reason=reason)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    standing, _ = queries.standing(learner.id, context.quiz.id)
    left = policy.attempts_left(standing)
    click.echo(f"{learner.email} may now attempt the quiz of '{lesson}' "
               + (f"{left} more time(s)." if left is not None else "without limit."))
