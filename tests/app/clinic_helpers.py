"""Helpers for the clinic tests: clinics, staff and assignments made through the operations,
mail kept in a list, managers' clients."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from nmt_course.accounts.queries import user_by_email
from nmt_course.clinics import assignment_operations, operations, queries
from nmt_course.clinics.models import Clinic, ClinicRole
from nmt_course.extensions import db
from nmt_course.learning.queries import course_by_slug
from nmt_course.runtime import Email
from tests.helpers import (DEMO_PASS, PASSWORD, SECOND_PASS, evaluate_directly, login,
                           make_user, pass_quiz_directly, read_directly, runtime)


LINK = re.compile(r"http://nmt\.test(/invitations/[A-Za-z0-9_\-]+)")


class Outbox:
    """A mailer that keeps what it is given."""

    def __init__(self):
        self.messages: list[Email] = []

    def send(self, message: Email) -> None:
        self.messages.append(message)

    def to(self, address: str) -> list[Email]:
        return [m for m in self.messages if m.to == address]

    def link(self, address: str) -> str:
        """The invitation link of the last message to `address` (its path)."""
        match = LINK.search(self.to(address)[-1].body)
        assert match, self.to(address)[-1].body
        return match.group(1)


def use_outbox(app) -> Outbox:
    outbox = Outbox()
    app.extensions["nmt_runtime"] = dataclasses.replace(runtime(app), mailer=outbox)
    return outbox


def make_clinic(app, name: str = "Harbour Clinic",
                manager: str = "manager@example.com") -> int:
    with app.app_context():
        if user_by_email(manager) is None:
            make_user(app, manager, name=f"Manager of {name}")
        clinic, _ = operations.create_clinic(runtime(app), None, name, manager)
        return clinic.id


def manager_client(app, email: str = "manager@example.com"):
    client = app.test_client()
    login(client, email)
    return client


def join_staff(app, clinic_id: int, email: str, name: str = "Sam Staff") -> int:
    """Invite `email` and accept with a new account (or the existing one): the user's id."""
    outbox = app.extensions["nmt_runtime"].mailer
    if not isinstance(outbox, Outbox):
        outbox = use_outbox(app)
    with app.app_context():
        clinic = db.session.get(Clinic, clinic_id)
        manager = queries.members(clinic_id, ClinicRole.MANAGER)[0].user
        # The account's legal name is the person's own (a formula, in the CSV tests); an
        # invitation's greeting only takes a name-like one.
        operations.invite(runtime(app), manager, clinic, email)
        token = outbox.link(email).rsplit("/", 1)[1]
        existing = user_by_email(email)
        if existing is None:
            user = operations.accept_with_new_account(runtime(app), token,
                                                      password=PASSWORD,
                                                      legal_name=name)
            return user.id
        operations.accept_as(runtime(app), token, existing)
        return existing.id


def assign(app, clinic_id: int, due_on: dt.date, *, staff_ids=None,
           course: str = "demo") -> None:
    with app.app_context():
        clinic = db.session.get(Clinic, clinic_id)
        manager = queries.members(clinic_id, ClinicRole.MANAGER)[0].user
        assignment_operations.assign(runtime(app), manager, clinic, course_by_slug(course),
                                     due_on, staff_ids)


def complete_demo(app, email: str) -> None:
    """Read both lessons of the fixture course, pass both quizzes and answer the evaluation
    through the operations: a certificate."""
    finish_demo_lessons(app, email)
    evaluate_directly(app, email, "demo")


def finish_demo_lessons(app, email: str) -> None:
    """Read both lessons of the fixture course and pass both quizzes (no evaluation yet)."""
    for lesson, answers in (("first-lesson", DEMO_PASS), ("second-lesson", SECOND_PASS)):
        read_directly(app, email, "demo", lesson)
        pass_quiz_directly(app, email, "demo", lesson,
                           {k: [v] if isinstance(v, str) else v for k, v in answers.items()})


def today(app) -> dt.date:
    settings = runtime(app).settings
    return settings.local_date(runtime(app).clock())
