"""`flask --app app demo-data [--learners N] [--clinics N]`: a database as a large school
or clinic chain has it, for benchmarks and demonstrations (docs/performance.md)."""
from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..accounts.passwords import hash_password
from ..accounts.queries import user_by_email
from ..authoring import draft_operations
from ..authoring.operations import create_course
from ..certificates.operations import issue_certificate
from ..content import load_content
from ..database import db
from ..learning import operations as learning
from ..learning.completion import completion_of
from ..learning.models import Course
from ..learning.queries import course_by_slug, published_courses
from ..web import runtime
from . import operations, plan as planning

DRAFTS_PER_AUTHOR = 4


@click.command("demo-data")
@click.option("--learners", default=1000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--clinics", default=10, show_default=True, type=click.IntRange(0, 10_000))
@click.option("--courses", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Published courses the learners take: the shipped ones, then generated "
                   "ones (demo-course-N).")
@click.option("--seed", default=26, show_default=True, type=int)
@click.option("--force", is_flag=True, help="Add demo data beside real accounts.")
@with_appcontext
def demo_data(learners: int, clinics: int, courses: int, seed: int, force: bool) -> None:
    """Fill the database with demo learners (about 85 quiz attempts each), certificates,
    clinics with staff and assignments, and authors' drafts. Every demo account's e-mail
    ends in @demo.example.com and its password is printed at the end."""
    run = runtime()
    started = time.perf_counter()
    # The one e-mail (the certificate issued for real) waits in the outbox for the site's
    # next delivery: a sender thread here would wait on the long bulk transaction.
    current_app.extensions.pop("nmt_mail_sender", None)
    if problem := operations.refusal(force):
        raise click.ClickException(problem)
    _import_courses(run, courses)
    plan = planning.make_plan(learners, clinics, courses, seed)
    people = operations.add_people(run, plan, hash_password(
        planning.PASSWORD, run.settings.password_hash_method), seed)
    click.echo(f"{people.learners} learners, {people.clinics} clinics "
               f"({people.memberships} memberships, {people.assignments} assignments).")
    first = user_by_email(planning.learner_email(0))
    course = db.session.get(Course, operations.course_ids()[0])
    template = issue_certificate(run, completion_of(first, course, run.clock()))
    written = operations.add_progress(run, plan, seed, template.code)
    click.echo(f"{written.reads} read marks, {written.attempts} attempts, {written.standings} "
               f"quiz standings, {written.certificates + 1} certificates.")
    drafts = _drafts(run)
    click.echo(f"{drafts} draft courses by 5 authors. Done in "
               f"{time.perf_counter() - started:.0f} s. Every demo account's password: "
               f"{planning.PASSWORD!r} (learner0@{planning.DOMAIN}, "
               f"manager0@{planning.DOMAIN} manages the largest clinic).")


def _import_courses(run, courses: int) -> None:
    """The shipped courses (when the database has none), then generated ones up to
    `courses` published courses."""
    if not published_courses():
        shipped = load_content(Path(current_app.config["LESSONS_DIR"]),
                               Path(current_app.config["QUIZZES_DIR"]))
        if shipped.errors:
            raise click.ClickException("The shipped course files have errors: run "
                                       "`flask --app app content check`.")
        learning.import_content(run, shipped.courses)
    missing = courses - len(published_courses())
    if missing > 0:
        with tempfile.TemporaryDirectory() as folder:
            planning.write_courses(Path(folder), missing)
            generated = load_content(Path(folder) / "lessons", Path(folder) / "quizzes")
            learning.import_content(run, generated.courses)


def _drafts(run) -> int:
    """Each demo author's draft courses, written through the authoring operations."""
    made = 0
    for n in range(5):
        author = user_by_email(planning.author_email(n))
        for d in range(DRAFTS_PER_AUTHOR):
            slug = f"draft-{n}-{d}"
            if course_by_slug(slug) is not None:
                continue
            course = create_course(run, author, slug=slug, title=f"Draft Course {n}.{d}",
                                   summary="A demo author's course in progress.",
                                   ce_hours=Decimal("1.5"), course_type="Home Study")
            for lesson in range(1, 4):
                draft_operations.save_lesson(
                    run, author, course, None, slug=f"lesson-{lesson}",
                    title=f"Draft lesson {lesson}", objectives=f"Explain point {lesson}.",
                    body=f"## Point {lesson}\n\n" + "Text being written. " * 60)
            made += 1
    return made
