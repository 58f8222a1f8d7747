"""Clinics: who belongs to them, who is invited, which courses they must complete by when."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint,
                        exists, or_, text)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..accounts.models import User
from ..database import EnumValue, UTCDateTime, db, utcnow


class ClinicRole(enum.Enum):
    STAFF = "staff"  # assigned courses, followed in the report
    MANAGER = "manager"  # invites staff, assigns courses, reads the report


class Clinic(db.Model):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(db.Model):
    """A person's place in a clinic: staff (assigned courses, in the report) or manager. One
    person may manage several clinics of a chain, or be staff in one."""

    __tablename__ = "clinic_memberships"
    __table_args__ = (UniqueConstraint("clinic_id", "user_id"),
                      Index("ix_clinic_memberships_user", "user_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[ClinicRole] = mapped_column(EnumValue(ClinicRole))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A manager who added themselves to the staff: assigned courses, in the report.
    takes_courses: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the person was told that the clinic's managers see their certificates, licence
    # and CE hours (on joining, or by the notice sent to staff who joined before): until
    # then the managers see completion dates only.
    evidence_notice_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @property
    def manages(self) -> bool:
        return self.role is ClinicRole.MANAGER


# Whether a user manages a clinic, loaded with the user in the same statement: the
# navigation's Clinics item for managers costs no statement of its own on any page.
User.manages_clinics = column_property(exists().where(
    Membership.user_id == User.id, Membership.role == ClinicRole.MANAGER))


def on_staff():
    """SQL: the membership is on the staff: assigned courses, in the report and reminders
    (a manager may add themselves)."""
    return or_(Membership.role == ClinicRole.STAFF, Membership.takes_courses.is_(True))


class Leaver(db.Model):
    """A staff member who left the clinic: their membership ended, their records did not.
    The report keeps what they completed while on the staff; re-inviting them restores the
    membership as it was (the day they joined, so the same due dates)."""

    __tablename__ = "clinic_leavers"
    __table_args__ = (UniqueConstraint("clinic_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set when they join again (the row stays, as history); NULL while they are away.
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Invitation(db.Model):
    """A single-use link to join a clinic, sent by e-mail. Only the token's hash is kept;
    resending replaces it, so the link sent before stops working."""

    __tablename__ = "clinic_invitations"
    # One open invitation per address and clinic.
    __table_args__ = (Index("uq_clinic_invitations_open", "clinic_id", "email", unique=True,
                            sqlite_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
                            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    legal_name: Mapped[str] = mapped_column(String(200), default="")  # as the manager wrote it
    role: Mapped[ClinicRole] = mapped_column(EnumValue(ClinicRole), default=ClinicRole.STAFF)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    clinic: Mapped[Clinic] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def to_manage(self) -> bool:
        """An invitation to manage the clinic, not to join its staff."""
        return self.role is ClinicRole.MANAGER


_PERSONAL_IN_FORCE = "user_id IS NOT NULL AND withdrawn_at IS NULL"
_WHOLE_CLINIC_IN_FORCE = "user_id IS NULL AND withdrawn_at IS NULL"


class Assignment(db.Model):
    """A course a clinic's staff must complete by a date: the whole clinic's (`user_id`
    NULL; staff who join later are due the same number of days after joining) or one
    person's, which replaces the clinic's for them. Withdrawing one marks it (the record
    stays, as evidence of what was asked when); the same course may then be assigned again."""

    __tablename__ = "clinic_assignments"
    # One assignment in force per course and person, and per course for the whole clinic.
    __table_args__ = (
        Index("uq_clinic_assignments_personal", "clinic_id", "course_id", "user_id",
              unique=True, sqlite_where=text(_PERSONAL_IN_FORCE),
              postgresql_where=text(_PERSONAL_IN_FORCE)),
        Index("uq_clinic_assignments_whole_clinic", "clinic_id", "course_id", unique=True,
              sqlite_where=text(_WHOLE_CLINIC_IN_FORCE),
              postgresql_where=text(_WHOLE_CLINIC_IN_FORCE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Training that recurs: met by a valid certificate completed within the last this many
    # months (recurrence.MIN_MONTHS to MAX_MONTHS); None: once is enough.
    recur_months: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    course = relationship("Course")


def in_force():
    """SQL: the assignment has not been withdrawn."""
    return Assignment.withdrawn_at.is_(None)


class ReminderSent(db.Model):
    """At most one reminder a day per person: the row is written before the mail leaves."""

    __tablename__ = "clinic_reminders"
    __table_args__ = (UniqueConstraint("user_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_on: Mapped[dt.date] = mapped_column(Date)


class AssignmentNotice(db.Model):
    """The e-mail telling one person of one assignment was queued: at most one each, also for
    those who join later under a whole-clinic assignment."""

    __tablename__ = "clinic_assignment_notices"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("clinic_assignments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestSent(db.Model):
    """At most one weekly digest per manager, clinic and week (its Monday)."""

    __tablename__ = "clinic_digests"
    __table_args__ = (UniqueConstraint("user_id", "clinic_id", "week_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    week_of: Mapped[dt.date] = mapped_column(Date)
