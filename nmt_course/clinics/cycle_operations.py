"""Opening new cycles of recurring assignments (`clinics remind`, nmt_course/cycles.py): a
staff member whose completion is due for renewal starts the course afresh, with a new due
date, an audit row and an e-mail. One transaction; idempotent across daily runs, since the
person's current cycle then has no certificate (and the unique (user, course, number) key
keeps one of two concurrent runs)."""
from __future__ import annotations

from sqlalchemy import select, tuple_

from .. import audit
from ..cycles import CourseCycle
from ..database import db, transaction
from ..learning import summary_operations as summary
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from .cycle_queries import CycleDue, cycles_due


def open_cycles(runtime: Runtime) -> int:
    """Open a new cycle for everyone due one, e-mailing each; returns how many opened."""
    settings, now = runtime.settings, runtime.clock()
    today = settings.local_date(now)
    due = [(cycle, render_email(
        "course_due_again", to=cycle.email, settings=settings, name=cycle.name,
        clinic_name=cycle.clinic_name, course_title=cycle.course_title,
        course_slug=cycle.course_slug, months=cycle.months, completed_on=cycle.completed_on,
        expires_on=cycle.expires_on, due_on=cycle.due_on, today=today))
        for cycle in cycles_due(settings, now)]
    return _open(runtime, due) if due else 0


@transaction
def _open(runtime: Runtime, due: list[tuple[CycleDue, Email]]) -> int:
    now = runtime.clock()
    # Opened meanwhile (a run at the same time): left alone.
    opened = set(db.session.execute(
        select(CourseCycle.user_id, CourseCycle.course_id, CourseCycle.number).where(
            tuple_(CourseCycle.user_id, CourseCycle.course_id, CourseCycle.number).in_(
                [(c.user_id, c.course_id, c.cycle) for c, _ in due]))).all())
    count = 0
    for cycle, mail in due:
        if (cycle.user_id, cycle.course_id, cycle.cycle) in opened:
            continue
        db.session.add(CourseCycle(user_id=cycle.user_id, course_id=cycle.course_id,
                                   number=cycle.cycle, opened_at=now, due_on=cycle.due_on,
                                   assignment_id=cycle.assignment_id))
        db.session.flush()
        # Their counted progress starts again from nothing, as their new cycle does.
        summary.refresh(cycle.course_id, cycle.user_id, fresh=True)
        audit.record("course.cycle_opened", at=now, actor_id=None,
                     subject=f"user:{cycle.user_id}", course_id=cycle.course_id,
                     cycle=cycle.cycle, due_on=cycle.due_on.isoformat(),
                     assignment_id=cycle.assignment_id,
                     completed_on=cycle.completed_on.isoformat(),
                     expires_on=cycle.expires_on.isoformat())
        outbox.queue(mail, at=now)
        count += 1
    return count
