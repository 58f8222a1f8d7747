"""Flask commands: `flask --app app content check|import` and `flask --app app users create`."""
from __future__ import annotations

import secrets
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from . import queries, services
from .content import ContentSet, load_content

content = AppGroup("content", help="Check and import course content (lessons/, quizzes/).")
users = AppGroup("users", help="Manage user accounts.")


def _load_and_report() -> ContentSet:
    result = load_content(Path(current_app.config["LESSONS_DIR"]),
                          Path(current_app.config["QUIZZES_DIR"]))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    lessons = sum(len(course.lessons) for course in result.courses)
    questions = sum(course.question_count for course in result.courses)
    click.echo(f"{len(result.courses)} courses, {lessons} lessons, {questions} quiz questions: "
               f"{len(result.errors)} errors, {len(result.warnings)} warnings", err=True)
    return result


@content.command("check")
def check_command() -> None:
    """Validate every lesson and quiz; exit 1 if there is an error (warnings exit 0)."""
    if _load_and_report().errors:
        raise SystemExit(1)


@content.command("import")
@click.option("--force", is_flag=True,
              help="Overwrite courses edited in the browser since their last import.")
@click.option("--if-empty", is_flag=True,
              help="Import only into a database that holds no course yet.")
def import_command(force: bool, if_empty: bool) -> None:
    """Validate, then load all content in one transaction (on any error, nothing changes)."""
    if if_empty and queries.any_course():
        click.echo("The database already holds courses; nothing imported.")
        return
    result = _load_and_report()
    if result.errors:
        click.echo("Nothing was imported: fix the errors above first.", err=True)
        raise SystemExit(1)
    try:
        reports = services.import_content(result.courses, force=force)
    except services.ContentConflict as error:
        click.echo(f"Nothing was imported: {error}", err=True)
        raise SystemExit(1) from None
    for report in reports:
        click.echo(str(report))


@users.command("create")
@click.argument("email")
@click.option("--name", "legal_name", prompt="Legal name", help="As printed on certificates.")
@click.option("--admin", is_flag=True, help="Can see every certificate and draft course.")
@click.option("--instructor", is_flag=True, help="Can preview draft courses.")
@click.option("--generate-password", is_flag=True,
              help="Generate a password and print it once, instead of prompting.")
def create_user_command(email: str, legal_name: str, admin: bool, instructor: bool,
                        generate_password: bool) -> None:
    """Create a user account."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    if generate_password:
        password = secrets.token_urlsafe(15)
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < services.MIN_PASSWORD_LENGTH:
            raise click.BadParameter(
                f"use at least {services.MIN_PASSWORD_LENGTH} characters", param_hint="password")
    try:
        user = services.create_user(email=email, password=password, legal_name=legal_name,
                                    is_admin=admin, is_instructor=instructor)
    except services.EmailTaken as error:
        raise click.ClickException(str(error)) from None
    roles = ", ".join(r for r, on in (("admin", admin), ("instructor", instructor)) if on)
    click.echo(f"Created {user.email}" + (f" ({roles})" if roles else "") + ".")
    if generate_password:
        click.echo(f"Password (shown once): {password}")
