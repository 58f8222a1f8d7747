"""Issue 23: a report that reads. A matrix of staff by course when a clinic assigns several
courses, the list by person for one; titles once; sorting by family name (which the learner
may correct); a revoked certificate shown as such; statements constant in staff and courses."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from nmt_course.extensions import db
from nmt_course.learning.models import Course
from tests.app.authoring_helpers import post
from tests.app.clinic_helpers import (assign, complete_demo, join_staff, make_clinic,
                                      manager_client, today)
from tests.app.test_clinic_records import rows_by_name
from tests.app.test_clinic_report import csv_rows
from tests.app.test_revoked_certificates import revoke
from tests.app.test_statement_counts import write_course
from tests.helpers import count_statements, import_content, login

FIXTURES = Path(__file__).parent.parent / "fixtures" / "content"


def import_courses(app, root: Path, extra: int) -> None:
    """The demo course and `extra` more, each of two lessons with a quiz."""
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    for n in range(extra):
        write_course(root, f"extra{n}", lessons=2, questions=1)
    import_content(app, root / "lessons", root / "quizzes")


@pytest.fixture
def clinic(app, tmp_path):
    """Two courses assigned: the demo course (Zoe Adams completed it) and another."""
    import_courses(app, tmp_path, 1)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "zoe@example.com", "Zoe Adams")
    join_staff(app, clinic_id, "al@example.com", "Al Zimmer")
    due = today(app) + dt.timedelta(days=7)
    assign(app, clinic_id, due)
    assign(app, clinic_id, due, course="extra0")
    complete_demo(app, "zoe@example.com")
    return clinic_id


def test_several_courses_read_as_a_matrix_with_titles_once(app, clinic):
    page = manager_client(app).get(f"/clinics/{clinic}?sort=name").text
    assert 'class="table report matrix"' in page
    table = page.split('class="table report matrix"')[1].split("</table>")[0]
    header, body = table.split("</thead>")
    assert "Demo Course for Tests" in header and "Course extra0" in header
    # Seen once, in the header: cells name it only to screen readers and phone cards.
    seen = re.sub(r'data-label="[^"]*"|<span class="visually-hidden">[^<]*</span>', "", body)
    assert "Demo Course for Tests" not in seen
    rows = rows_by_name(page)
    assert list(rows) == ["Zoe Adams", "Al Zimmer"]  # by family name: Adams, Zimmer
    assert rows["Zoe Adams"].count("<td") == 2
    assert "Completed" in rows["Zoe Adams"] and "Not started" in rows["Zoe Adams"]
    assert "Due " in rows["Al Zimmer"]
    listed = manager_client(app).get(f"/clinics/{clinic}?view=list").text
    assert "report matrix" not in listed
    assert listed.count("<h3 id=\"course-") == 2  # a table per course, its title above it
    assert manager_client(app).get(f"/clinics/{clinic}?view=pie").status_code == 400


def test_one_course_reads_as_the_list_by_person(app, clinic):
    page = manager_client(app).get(f"/clinics/{clinic}?course=").text
    assert "report matrix" in page  # several courses, none chosen: the matrix
    with app.app_context():
        from nmt_course.learning.queries import course_by_slug
        demo = course_by_slug("demo").id
    one = manager_client(app).get(f"/clinics/{clinic}?course={demo}").text
    assert 'class="table report matrix"' not in one
    assert 'data-label="Course"' not in one  # its title is the table's heading instead
    assert set(rows_by_name(one)) == {"Zoe Adams", "Al Zimmer"}


@pytest.mark.dialect("collation")
def test_the_learner_corrects_their_family_name_and_the_sort_follows(app, clinic):
    al = app.test_client()
    login(al, "al@example.com")
    page = al.get("/account").text
    assert 'name="family_name"' in page and 'value="Zimmer"' in page
    response = post(al, "/account", {"legal_name": "Al Zimmer", "family_name": "Aal",
                                     "licence_state": ""})
    assert response.status_code == 302
    rows = rows_by_name(manager_client(app).get(f"/clinics/{clinic}?sort=name").text)
    assert list(rows) == ["Al Zimmer", "Zoe Adams"]  # Aal before Adams
    (first, _, _, _) = csv_rows(manager_client(app).get(
        f"/clinics/{clinic}/report.csv?sort=name"))
    assert (first["family name"], first["name"]) == ("Aal", "Al Zimmer")
    too_long = post(al, "/account", {"legal_name": "Al Zimmer", "family_name": "x" * 201,
                                     "licence_state": ""})
    assert too_long.status_code == 422


def test_the_csv_has_a_column_per_quiz(app, clinic):
    """For several courses, column n holds each row's course's n-th quiz (so a matrix of many
    courses stays as narrow as its longest course); for one, each column names its lesson."""
    manager = manager_client(app)
    lines = csv_rows(manager.get(f"/clinics/{clinic}/report.csv?sort=name"))
    columns = [name for name in lines[0] if name.startswith("best score: ")]
    assert columns == ["best score: quiz 1", "best score: quiz 2"]
    zoe = {line["course"]: line for line in lines if line["name"] == "Zoe Adams"}
    assert zoe["Demo Course for Tests"]["best score: quiz 1"] == "100"
    assert zoe["Course extra0"]["best score: quiz 1"] == ""
    with app.app_context():
        demo = db.session.scalar(select(Course.id).where(Course.slug == "demo"))
    one = csv_rows(manager.get(f"/clinics/{clinic}/report.csv?sort=name&course={demo}"))
    assert [name for name in one[0] if name.startswith("best score: ")] == [
        "best score: The First Lesson", "best score: The Second Lesson"]
    assert next(line for line in one if line["name"] == "Zoe Adams")[
        "best score: The First Lesson"] == "100"


def test_a_revoked_certificate_reads_as_not_completed_everywhere_the_report_shows(app, clinic):
    revoke(app, "zoe@example.com")
    manager = manager_client(app)
    row = rows_by_name(manager.get(f"/clinics/{clinic}").text)["Zoe Adams"]
    assert "Certificate revoked" in row and "status-completed" not in row
    listed = rows_by_name(manager.get(f"/clinics/{clinic}?view=list&course=").text)
    assert "Certificate revoked" in listed["Zoe Adams"]
    line = next(line for line in csv_rows(manager.get(f"/clinics/{clinic}/report.csv"))
                if line["name"] == "Zoe Adams" and line["course"].startswith("Demo"))
    assert (line["status"], line["certificate"], line["CE hours"]) == (
        "in progress", "revoked", "")


def _statements(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


@pytest.mark.dialect("statement budget")
def test_statements_per_page_do_not_grow_with_staff_or_courses(app, tmp_path):
    import_courses(app, tmp_path, 3)
    clinic = make_clinic(app)
    join_staff(app, clinic, "one@example.com", "One Person")
    assign(app, clinic, today(app) + dt.timedelta(days=7))
    manager = manager_client(app)
    pages = (f"/clinics/{clinic}?view=matrix", f"/clinics/{clinic}?view=list",
             f"/clinics/{clinic}/report.csv")
    few = [_statements(app, manager, url) for url in pages]
    for n in range(4):
        join_staff(app, clinic, f"more{n}@example.com", f"More Person{n}")
        complete_demo(app, f"more{n}@example.com")
    for n in range(3):
        assign(app, clinic, today(app) + dt.timedelta(days=7), course=f"extra{n}")
    post(manager, f"/clinics/{clinic}/invitations", {"invite-email": "new@example.com"})
    many = [_statements(app, manager, url) for url in pages]
    assert many == few


def test_a_certificate_of_a_course_the_clinic_did_not_assign_stays_private(app, tmp_path):
    from tests.app.test_clinic_records import _code

    import_courses(app, tmp_path, 1)
    clinic_id = make_clinic(app)
    join_staff(app, clinic_id, "zoe@example.com", "Zoe Adams")
    assign(app, clinic_id, today(app) + dt.timedelta(days=7), course="extra0")
    complete_demo(app, "zoe@example.com")
    assert manager_client(app).get(
        f"/clinics/{clinic_id}/certificates/{_code(app, 'zoe@example.com')}").status_code == 404


def test_a_managers_own_certificate_is_not_the_clinics_evidence(app, clinic):
    """Zoe was on the staff (and told), then became a manager: her certificate of the
    assigned course is hers, not evidence the other managers see."""
    from nmt_course.clinics import operations
    from nmt_course.clinics.models import Clinic
    from tests.app.test_clinic_records import _code
    from tests.helpers import runtime

    code = _code(app, "zoe@example.com")
    manager = manager_client(app)
    assert manager.get(f"/clinics/{clinic}/certificates/{code}").status_code == 200
    with app.app_context():
        operations.add_manager(runtime(app), None, db.session.get(Clinic, clinic),
                               "zoe@example.com")
    assert manager.get(f"/clinics/{clinic}/certificates/{code}").status_code == 404


def test_the_matrix_escapes_what_people_typed(app, clinic):
    join_staff(app, clinic, "eve@example.com", '<img src=x onerror="alert(1)"> Eve')
    complete_demo(app, "eve@example.com")
    page = manager_client(app).get(f"/clinics/{clinic}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
