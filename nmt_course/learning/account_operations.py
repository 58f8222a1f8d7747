"""A learner deletes their own account; deletions applied again after a restore; and the
purge of what a deleted account left once the retention period has passed.

What a deleted account keeps, and for how long, is `retention`'s: its certificates and the
evidence behind them (quiz attempts and answers, standings, completion dates, lesson reads,
course evaluations without their comment) stay until its newest certificate is
`RETENTION_YEARS` old, so that verification keeps working and the provider can prove who
earned what. Everything else is erased at once (accounts.erasure_operations)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select, update

from .. import audit, erasure_log, retention
from ..cycles import CourseCycle
from ..accounts.erasure_operations import email_sha256, erase_account
from ..accounts.models import User
from ..accounts.operations import AccountError, WrongPassword
from ..accounts.passwords import check_password
from ..certificates.models import (Certificate, CertificateCredential, CertificateRevision,
                                   CertificateStatus)
from ..database import db, transaction
from ..mailing import outbox
from ..mailing.messages import render_email
from ..quizzes.models import (AttemptGrant, AttemptRequest, QuestionAnswer, QuestionFlag,
                              QuizAttempt, QuizStanding)
from ..runtime import Runtime
from .models import CourseEvaluation, CourseProgress, LessonProgress


def delete_account(runtime: Runtime, user: User, password: str) -> None:
    """Delete the learner's own account, once they have typed their password again.
    WrongPassword (nothing changes) when it is not theirs."""
    settings = runtime.settings
    mail = render_email("account_deleted", to=user.email, settings=settings,
                        name=user.legal_name, years=retention.RETENTION_YEARS)
    user_id, digest = user.id, email_sha256(user.email)
    at = _delete_account(runtime, user, password, mail)
    if settings.erasure_log_file:
        # After the commit, before the page answers: only deletions that happened are
        # logged, and every one that answered is on disk.
        erasure_log.append(Path(settings.erasure_log_file),
                           erasure_log.Erasure(user_id, digest, at))


@transaction
def _delete_account(runtime: Runtime, user: User, password: str, mail) -> dt.datetime:
    if not check_password(user.password_hash, password):
        raise WrongPassword("That password is not correct, so your account was not deleted.")
    if user.deleted_at is not None:
        raise AccountError("This account is deleted already.")
    if user.is_admin:
        raise AccountError("An admin's account cannot be deleted: ask another admin to "
                           "remove your admin role first.")
    now = runtime.clock()
    _forget_free_text(user.id)
    erase_account(runtime, user, now)
    outbox.queue(mail, at=now)  # after the erasure, which drops mail to the old address
    return now


def _forget_free_text(user_id: int) -> None:
    """What a person typed in their own words: the evaluation's comment and question flags'
    comments. The evaluation's ratings stay (evidence the board asks for)."""
    db.session.execute(update(CourseEvaluation).where(CourseEvaluation.user_id == user_id)
                       .values(comment=""))
    db.session.execute(update(QuestionFlag).where(QuestionFlag.user_id == user_id)
                       .values(comment=""))


@transaction
def reapply_erasure(runtime: Runtime, entry: erasure_log.Erasure) -> bool:
    """After a restore from a backup older than a deletion: erase again the account the
    erasure log's `entry` names, if the restored database holds it undeleted under the same
    address (another address means another person: left alone). Returns whether it did."""
    user = db.session.get(User, entry.user_id)
    if user is None or user.deleted_at is not None \
            or email_sha256(user.email) != entry.email_sha256:
        return False
    _forget_free_text(user.id)
    erase_account(runtime, user, entry.at)
    return True


@dataclass
class Purged:
    accounts: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        if count:
            self.rows[name] = self.rows.get(name, 0) + count


def purge_due(now: dt.datetime) -> list[int]:
    """Deleted accounts whose every certificate is older than the retention period (or
    that have none) and that still hold records."""
    cutoff = retention.years_before(now)
    newest = (select(func.max(Certificate.issued_at)).where(Certificate.user_id == User.id)
              .where(Certificate.status != CertificateStatus.PURGED).scalar_subquery())
    holding = select(QuizAttempt.id).where(QuizAttempt.user_id == User.id).exists() | \
        select(Certificate.id).where(Certificate.user_id == User.id,
                                     Certificate.status != CertificateStatus.PURGED).exists() | \
        select(LessonProgress.id).where(LessonProgress.user_id == User.id).exists() | \
        select(CourseEvaluation.id).where(CourseEvaluation.user_id == User.id).exists()
    return list(db.session.scalars(
        select(User.id).where(User.deleted_at.is_not(None), holding,
                              (newest.is_(None)) | (newest <= cutoff)).order_by(User.id)))


@transaction
def purge_records(runtime: Runtime) -> Purged:
    """Remove what deleted accounts kept once its retention period has passed: their
    replaced certificate revisions, quiz attempts and answers, standings, grants, requests,
    flags, lesson reads, evaluations and cycles opened; each certificate keeps only a tombstone (code,
    course, dates, status "purged", its credential's status bit set) so that its code says
    what happened instead of nothing. Nothing of an account still within the period, or not
    deleted, is touched. Audited with the counts."""
    now, purged = runtime.clock(), Purged()
    users = purge_due(now)
    if not users:
        return purged
    certificates = select(Certificate.id).where(Certificate.user_id.in_(users))
    purged.add("replaced certificate revisions", db.session.execute(
        delete(CertificateRevision).where(
            CertificateRevision.certificate_id.in_(certificates))).rowcount)
    db.session.execute(update(CertificateCredential)
                       .where(CertificateCredential.certificate_id.in_(certificates))
                       .values(document=""))
    purged.add("certificates (kept as tombstones)", db.session.execute(
        update(Certificate).where(Certificate.user_id.in_(users),
                                  Certificate.status != CertificateStatus.PURGED)
        .values(status=CertificateStatus.PURGED, legal_name="", licence_number=None,
                licence_state=None, pdf=b"", revoked_reason="")).rowcount)
    for name, model in (("quiz answers", QuestionAnswer), ("quiz attempts", QuizAttempt),
                        ("quiz standings", QuizStanding), ("attempt grants", AttemptGrant),
                        ("attempt requests", AttemptRequest), ("question flags", QuestionFlag),
                        ("lesson reads", LessonProgress), ("progress counts", CourseProgress),
                        ("course evaluations", CourseEvaluation), ("course cycles", CourseCycle)):
        purged.add(name, db.session.execute(
            delete(model).where(model.user_id.in_(users))).rowcount)
    purged.accounts = len(users)
    audit.record("records.purged", at=now, accounts=len(users), removed=purged.rows,
                 retention_years=retention.RETENTION_YEARS)
    return purged

