"""Events that features subscribe to, so the feature that causes one need not know them all.

`course_completed` is sent once a learner's last unmet requirement of a course is met, after
the transaction that met it has committed and the certificate is issued
(learning.completion.conclude). Receivers take `(runtime, *, completion)`, run their own
transactions and return nothing anyone reads: they are for what else a completion sets off
(CE records, badges). What a page shows comes back from the completing operation.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from blinker import Namespace

from .runtime import Runtime

_signals = Namespace()
course_completed = _signals.signal("course-completed")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    """Who completed what, and when: copied inside the transaction that completed it."""

    learner_id: int
    legal_name: str
    licence_number: str | None
    licence_state: str | None
    course_id: int
    course_slug: str
    course_title: str
    ce_hours: Decimal
    course_type: str
    approval_number: str
    completed_at: dt.datetime
    licence_in_credential: bool = False  # the learner chose to put it in their credentials
    learner_email: str = ""  # where the certificate's link is sent
    pass_marks: tuple[int, ...] = ()  # of the course's quizzes: the grading scale printed


def announce_completion(runtime: Runtime, completion: Completion) -> None:
    """Tell every subscriber. A failing subscriber is logged and does not undo the completion
    or stop the others."""
    for receiver in course_completed.receivers_for(runtime):
        try:
            receiver(runtime, completion=completion)
        except Exception:  # noqa: BLE001 - one subscriber must not break the others
            log.exception("course_completed subscriber %r failed for learner %s, course %s",
                          receiver, completion.learner_id, completion.course_slug)
