"""`flask --app app content check|import`: validate course files and load them."""
from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..content import ContentSet, load_content
from ..config import PROJECT_ROOT
from ..database import db, schema_is_current
from ..web import runtime
from ..authoring.operations import AuthoringError, import_gift
from ..authoring.queries import draft_of
from . import operations, queries
from .export import course_files, write_files

content = AppGroup("content", help="Check and import course content (lessons/, quizzes/).")


FOLDER = click.argument("folder", required=False,
                        type=click.Path(exists=True, file_okay=False, path_type=Path))


def _load_and_report(folder: Path | None) -> ContentSet:
    """The content of FOLDER/lessons and FOLDER/quizzes (an export, say), or of the folders
    the app is configured with."""
    if folder is not None:
        result = load_content(folder / "lessons", folder / "quizzes")
    else:
        result = load_content(Path(current_app.config["LESSONS_DIR"]),
                              Path(current_app.config["QUIZZES_DIR"]))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    lessons = sum(len(course.lessons) for course in result.courses)
    questions = sum(course.question_count for course in result.courses)
    words = sum(course.word_count for course in result.courses)
    click.echo(f"{len(result.courses)} courses, {lessons} lessons, {words} words, {questions} "
               f"quiz questions shown: {len(result.errors)} errors, {len(result.warnings)} "
               "warnings", err=True)
    return result


@content.command("check")
@FOLDER
@click.option("--strict", is_flag=True, help="Treat warnings (item-writing flaws, CE hours "
                                             "above the estimate) as errors.")
def check_command(folder: Path | None, strict: bool) -> None:
    """Validate every lesson and quiz (of FOLDER/lessons and FOLDER/quizzes, if given); exit 1
    if there is an error (warnings exit 0)."""
    result = _load_and_report(folder)
    if result.errors or (strict and result.warnings):
        raise SystemExit(1)


@content.command("import")
@FOLDER
@click.option("--force", is_flag=True,
              help="Overwrite courses edited in the browser since their last import.")
@click.option("--if-empty", is_flag=True,
              help="Import only into a database that holds no course yet.")
def import_command(folder: Path | None, force: bool, if_empty: bool) -> None:
    """Validate, then load all content (of FOLDER/lessons and FOLDER/quizzes, if given, such
    as an export) in one transaction; on any error, nothing changes."""
    if not schema_is_current(db.engine, PROJECT_ROOT / "migrations"):
        click.echo("The database is not set up, or not up to date: run "
                   "`flask --app app db upgrade` first. Nothing was imported.", err=True)
        raise SystemExit(1)
    if if_empty and queries.any_course():
        click.echo("The database already holds courses; nothing imported.")
        return
    result = _load_and_report(folder)
    if result.errors:
        click.echo("Nothing was imported: fix the errors above first.", err=True)
        raise SystemExit(1)
    try:
        reports = operations.import_content(runtime(), result.courses, force=force)
    except operations.ContentConflict as error:
        click.echo(f"Nothing was imported: {error}", err=True)
        raise SystemExit(1) from None
    for report in reports:
        click.echo(str(report))
        if report.quiz_versions:
            _say_regrades_waiting(report.course)


def _say_regrades_waiting(slug: str) -> None:
    course = queries.course_by_slug(slug)
    for waiting in queries.regrades_waiting(course.id):
        path = f"/author/courses/{slug}/lessons/{waiting.lesson.slug}/regrade/"
        click.echo(f"{slug}: {waiting}; review the regrade at {runtime().settings.url(path)}")


@content.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Export each course's draft where it has one.")
@click.option("--replace", is_flag=True,
              help="Replace the files of courses FOLDER already holds (others stay).")
def export_command(folder: Path, draft: bool, replace: bool) -> None:
    """Write every course to FOLDER as files (lessons/, quizzes/, images), as `content import`
    reads them: the published state, or with --draft the drafts."""
    courses = queries.all_courses()
    held = [path for course in courses for path in
            (folder / "lessons" / course.slug, folder / "quizzes" / course.slug)
            if path.is_dir() and any(path.iterdir())]
    if held and not replace:
        # Writing over them would keep files the course no longer has, and import them later.
        raise click.ClickException(
            f"{held[0]} already holds files: export into an empty folder, or add --replace "
            "to replace those courses' files.")
    for path in held:
        shutil.rmtree(path)
    exported = 0
    for course in courses:
        row = draft_of(course.id) if draft else None
        texts = row.files if row is not None else course.source_files
        if not texts:
            click.echo(f"{course.slug}: skipped, no files are kept for it yet (import it from "
                       "files, or publish it from the browser, once)", err=True)
            continue
        try:
            written = write_files(folder, course_files(course, texts))
        except ValueError as error:
            raise click.ClickException(f"{course.slug}: nothing written: {error}") from None
        click.echo(f"{course.slug}: {len(written)} files" + (" (draft)" if row else ""))
        exported += 1
    click.echo(f"Exported {exported} of {len(courses)} courses to {folder}.", err=True)


@content.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("course")
@click.argument("lesson")
def import_gift_command(file: Path, course: str, lesson: str) -> None:
    """Add the questions of a Moodle GIFT FILE to the draft quiz of LESSON in COURSE (slugs);
    publish the draft in the Author area, or export it, to use them."""
    found = queries.course_by_slug(course)
    if found is None:
        raise click.ClickException(f"no course '{course}'")
    try:
        result = import_gift(runtime(), None, found, lesson, file.read_bytes())
    except AuthoringError as error:
        raise click.ClickException(str(error)) from None
    for line in result.warnings:
        click.echo(f"{file}: warning: {line}", err=True)
    for line in result.skipped:
        click.echo(f"{file}: skipped {line}", err=True)
    click.echo(f"{len(result.questions)} questions added to the draft of '{lesson}', "
               f"{len(result.skipped)} skipped.")
