"""The clinics' e-mails beyond invitations: each person told of each course assigned to
them (once, also when they join later under a whole-clinic assignment), and the managers'
weekly digest. Mail is rendered before the transaction that queues it; these functions
render, and `queue_assignment_notices` runs inside the caller's transaction."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ..database import db, transaction
from ..learning.models import Course
from ..mailing import outbox
from ..mailing.messages import render_email
from ..runtime import Email, Runtime
from . import notice_queries
from .models import AssignmentNotice, DigestSent

DIGEST_WEEKDAY = 0  # Monday


def assignment_mail(runtime: Runtime, *, to: str, name: str, clinic_name: str,
                    course: Course, due: dt.date) -> Email:
    settings = runtime.settings
    return render_email("course_assigned", to=to, settings=settings, name=name,
                        clinic_name=clinic_name, course_title=course.title, due=due,
                        link=settings.url(f"/courses/{course.slug}"))


def queue_assignment_notices(runtime: Runtime, mails: dict[tuple[int, int], Email]) -> int:
    """Queue each (assignment id, user id) -> mail not sent before; how many were queued.
    Inside the caller's transaction."""
    if not mails:
        return 0
    sent = {tuple(row) for row in db.session.execute(
        select(AssignmentNotice.assignment_id, AssignmentNotice.user_id)
        .where(AssignmentNotice.assignment_id.in_({key[0] for key in mails})))}
    queued = 0
    for (assignment_id, user_id), mail in mails.items():
        if (assignment_id, user_id) in sent:
            continue
        db.session.add(AssignmentNotice(assignment_id=assignment_id, user_id=user_id,
                                        sent_at=runtime.clock()))
        outbox.queue(mail, at=runtime.clock())
        queued += 1
    return queued


# --- the weekly digest --------------------------------------------------------------------------

def send_digests(runtime: Runtime) -> int:
    """On Mondays (the provider's calendar), queue each manager's digest of each clinic they
    manage, unless they turned it off, at most once a week; other days nothing. How many."""
    settings, now = runtime.settings, runtime.clock()
    today = settings.local_date(now)
    if today.weekday() != DIGEST_WEEKDAY:
        return 0
    digests: dict[int, notice_queries.Digest] = {}
    mails = []
    for reader in notice_queries.digest_readers():
        if reader.clinic_id not in digests:
            digests[reader.clinic_id] = notice_queries.digest(reader.clinic_id, settings, now)
        mails.append((reader, render_email(
            "clinic_digest", to=reader.email, settings=settings, name=reader.name,
            clinic_name=reader.clinic_name, clinic_id=reader.clinic_id,
            digest=digests[reader.clinic_id], today=today)))
    return _queue_digests(runtime, today, mails)


@transaction
def _queue_digests(runtime: Runtime, today: dt.date, mails) -> int:
    already = {tuple(row) for row in db.session.execute(
        select(DigestSent.user_id, DigestSent.clinic_id).where(DigestSent.week_of == today))}
    queued = 0
    for reader, mail in mails:
        if (reader.user_id, reader.clinic_id) in already:
            continue
        db.session.add(DigestSent(user_id=reader.user_id, clinic_id=reader.clinic_id,
                                  week_of=today))
        outbox.queue(mail, at=runtime.clock())
        queued += 1
    return queued
