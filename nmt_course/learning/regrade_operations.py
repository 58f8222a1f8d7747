"""Applying a regrade after a quiz's key changed (quizzes/regrade.py): the attempts it turns
into passes are graded before, outside any transaction (quizzes.regrade_queries); one short
transaction stores them, and the courses those passes complete are then concluded as any
completion is (learning.completion: certificate, subscribers)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..accounts.models import User
from ..database import db, transaction
from ..quizzes.regrade import Plan
from ..quizzes.regrade_operations import store_regrade
from ..runtime import Runtime
from . import completion, summary_operations as summary
from .completion import CourseCompleted
from .models import Course
from .operations import _require_published


@dataclass(frozen=True)
class RegradeApplied:
    passes: int  # attempts turned into passes by this regrade
    completed: list[CourseCompleted]  # the courses those passes completed


def apply_regrade(runtime: Runtime, actor: User, course: Course, quiz_id: int,
                  plan: Plan) -> RegradeApplied:
    """Store `plan`'s new passes (KeyChangedAgain if the quiz has a newer version than the
    plan; CourseNotPublished for a course that is not published). Applying it twice, or at
    once from two pages, stores each pass once. Then each learner whose course is now
    complete gets it concluded, as after a submission."""
    learner_ids = _store(runtime, actor, course, quiz_id, plan)
    learners = db.session.scalars(select(User).where(User.id.in_(learner_ids))).all()
    now = runtime.clock()
    done = [completion.conclude(runtime, found) for learner in learners
            for found in completion.completed(learner, [course], now)]
    return RegradeApplied(len(learner_ids), done)


@transaction
def _store(runtime: Runtime, actor: User, course: Course, quiz_id: int,
           plan: Plan) -> list[int]:
    _require_published(course)
    now = runtime.clock()
    stored = store_regrade(quiz_id, plan, now)
    if stored:
        for user_id in {item.attempt.user_id for item in stored}:
            summary.refresh(course.id, user_id)  # clinic reports read passes from there
        audit.record("quiz.regraded", at=now, actor_id=actor.id, subject=f"quiz:{quiz_id}",
                     course=course.slug, version=plan.version_id,
                     attempts=[item.attempt.id for item in stored])
    return [item.attempt.user_id for item in stored]
