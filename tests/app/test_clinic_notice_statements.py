"""Issue 23: the managers' weekly digest and the staff reminders read a fixed number of
statements, whatever the staff and the courses assigned."""
from __future__ import annotations

import datetime as dt

from nmt_course.clinics.notice_queries import digest
from nmt_course.clinics.queries import reminders_due
from nmt_course.extensions import db
from tests.app.clinic_helpers import assign, complete_demo, join_staff, make_clinic, today
from tests.app.test_clinic_matrix import import_courses
from tests.helpers import count_statements, runtime


def _statements(app, read) -> int:
    with app.app_context(), count_statements(db.engine) as seen:
        read()
    return len([statement for statement in seen if not statement.startswith("BEGIN")])


def test_the_digest_and_the_reminders_take_the_same_statements_for_any_staff_and_courses(
        app, tmp_path):
    import_courses(app, tmp_path, 3)
    clinic = make_clinic(app)
    join_staff(app, clinic, "one@example.com", "One Person")
    assign(app, clinic, today(app) + dt.timedelta(days=3))
    settings = runtime(app).settings
    reads = (lambda: digest(clinic, settings, runtime(app).clock()),
             lambda: reminders_due(settings, runtime(app).clock()))
    few = [_statements(app, read) for read in reads]
    for n in range(4):
        join_staff(app, clinic, f"more{n}@example.com", f"More Person{n}")
        complete_demo(app, f"more{n}@example.com")
    for n in range(3):
        assign(app, clinic, today(app) + dt.timedelta(days=3), course=f"extra{n}")
    with app.app_context():
        assert len(digest(clinic, settings, runtime(app).clock()).completed) == 4
        assert [len(r.courses) for r in reminders_due(settings, runtime(app).clock())] == [
            4, 3, 3, 3, 3]
    assert [_statements(app, read) for read in reads] == few == [7, 3]
