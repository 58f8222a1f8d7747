"""Writing a lesson and its quiz in the browser: the lesson editor with a preview rendered by
the learners' own renderer, quiz settings, and the question editor."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from ..content import Severity
from ..content.markdown import render_document, shown_text
from ..learning.queries import active_lesson
from ..quizzes import operations as quiz_operations
from ..text import question_id_of
from ..web import ActionForm, learner, runtime
from . import draft_operations, operations, queries
from .conflicts import conflict_of, lesson_rows, question_rows, settings_rows
from .drafts import Draft, DraftError
from .forms import GiftForm, LessonForm, QuestionForm, QuizSettingsForm
from .lookups import author_gate, current_draft, editable_course_or_404, keep_unsaved_edits
from .questions import (CHOICE_ROWS, PROMPT_RULES, objective_choices, question_from_form,
                        question_problems, question_to_form_data)

AUTOSAVE_SECONDS = 30  # how often the lesson editor saves a changed text (static/js/authoring.js)

bp = Blueprint("lesson_editor", __name__, url_prefix="/author/courses/<slug>/lessons")
bp.before_request(author_gate)
bp.register_error_handler(CSRFError, keep_unsaved_edits)
# Lists of questions show each prompt as learners read it, not its Markdown source.
bp.add_app_template_filter(shown_text, "shown_text")


def _lesson_or_404(draft: Draft, lesson: str) -> tuple[dict, str]:
    try:
        return draft.read_lesson(lesson)
    except (DraftError, KeyError):
        abort(404)


def _file_problems(course, draft: Draft, path: str):
    problems, _ = operations.check_draft(course, draft.files)
    return [p for p in problems if p.path == path]


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<lesson>/edit", methods=["GET", "POST"])
def edit(slug: str, lesson: str | None = None):
    """Write a lesson; Preview shows it as learners will see it, without saving."""
    course = editable_course_or_404(slug)
    draft = current_draft(course)
    shown = draft_operations.lesson_text(draft, lesson) if lesson else None
    if lesson and shown is None:
        abort(404)
    form = LessonForm(data={**asdict(shown), "revision": queries.latest_revision(course.id)}
                      if shown else None)
    preview = conflict = None
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = render_document(form.body.data)[0]
        else:
            try:
                saved = draft_operations.save_lesson(
                    runtime(), learner(), course, lesson, slug=form.slug.data,
                    title=form.title.data, objectives=form.objectives.data,
                    body=form.body.data, min_minutes=form.min_minutes.data,
                    loaded=form.revision.data or 0)
            except draft_operations.EditConflict as clash:
                conflict = conflict_of(clash, form, lesson_rows(clash.theirs, form))
            except draft_operations.AuthoringError as error:
                form[error.field or "slug"].errors.append(str(error))
            else:
                flash(f"“{form.title.data}” is saved in the draft.", "success")
                return redirect(url_for("lesson_editor.edit", slug=slug, lesson=saved))
    path = draft.lesson(lesson).path if lesson else None
    return render_template(
        "authoring/lesson.html", course=course, lesson=lesson, form=form, preview=preview,
        autosave_seconds=AUTOSAVE_SECONDS,
        conflict=conflict, published=bool(lesson and active_lesson(course.id, lesson)),
        problems=_file_problems(course, draft, path) if path and request.method == "GET"
        else []), 409 if conflict else 422 if form.errors else 200


@bp.post("/<lesson>/move")
def move(slug: str, lesson: str):
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    offset = -1 if request.form.get("direction") == "up" else 1
    try:
        draft_operations.move_lesson(runtime(), learner(), course, lesson, offset)
    except draft_operations.AuthoringError:
        abort(404)  # no such lesson in the draft (removed meanwhile, say)
    return redirect(url_for("authoring.course", slug=slug) + "#lessons-heading")


@bp.post("/<lesson>/remove")
def remove(slug: str, lesson: str):
    """Remove a lesson (and its quiz) from the draft; once published, it is archived and
    learners' records of it stay."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        draft_operations.remove_lesson(runtime(), learner(), course, lesson)
    except draft_operations.AuthoringError:
        abort(404)
    flash("The lesson is removed from the draft.", "info")
    return redirect(url_for("authoring.course", slug=slug) + "#lessons-heading")


def _settings_form(draft: Draft, lesson: str, course_id: int) -> QuizSettingsForm:
    return QuizSettingsForm(data={**draft.quiz_settings(lesson),
                                  "revision": queries.latest_revision(course_id)})


@bp.route("/<lesson>/quiz", methods=["GET", "POST"])
def quiz(slug: str, lesson: str):
    """The quiz's settings and its questions, with every problem beside its question."""
    course = editable_course_or_404(slug)
    draft = current_draft(course)
    _lesson_or_404(draft, lesson)
    form = _settings_form(draft, lesson, course.id)
    conflict = None
    if form.validate_on_submit():
        try:
            draft_operations.save_quiz_settings(
                runtime(), learner(), course, lesson, pass_mark=form.pass_mark.data,
                max_attempts=form.max_attempts.data, draw=form.draw.data,
                review_after_fail=form.review_after_fail.data, loaded=form.revision.data or 0)
        except draft_operations.EditConflict as clash:
            conflict = conflict_of(clash, form, settings_rows(clash.theirs, form))
        except draft_operations.AuthoringError as error:
            form[error.field or "draw"].errors.append(str(error))
        else:
            flash("The quiz settings are saved in the draft.", "success")
            return redirect(url_for("lesson_editor.quiz", slug=slug, lesson=lesson))
    return _quiz_page(course, draft, lesson, form=form, conflict=conflict,
                      status=409 if conflict else 422 if form.errors else 200)


def _quiz_page(course, draft: Draft, lesson: str, *, form=None, gift_form=None,
               conflict=None, status: int = 200):
    meta, _ = _lesson_or_404(draft, lesson)
    path = draft.quiz_path(lesson)
    problems = _file_problems(course, draft, path) if path in draft.files else []
    lines = draft.question_lines(lesson)
    objectives = draft.objectives(lesson)
    return render_template(
        "authoring/quiz.html", course=course, lesson=lesson, lesson_title=meta.get("title"),
        form=form or _settings_form(draft, lesson, course.id), conflict=conflict,
        questions=draft.questions(lesson),
        objective_numbers={key: number for number, (key, _) in enumerate(objectives, 1)},
        objective_of=lambda value: draft.objective_of(lesson, value),
        by_question=question_problems(problems, lines),
        quiz_problems=[p for p in problems
                       if not p.question and p not in _tied(problems, lines)],
        flags=queries.open_flags(course.id, lesson), action_form=ActionForm(),
        gift_form=gift_form or GiftForm()), status


def _tied(problems, lines) -> list:
    return [p for found in question_problems(problems, lines).values() for p in found]


@bp.route("/<lesson>/quiz/questions/new", methods=["GET", "POST"])
@bp.route("/<lesson>/quiz/questions/<key>/edit", methods=["GET", "POST"])
def question(slug: str, lesson: str, key: str | None = None):
    """Write one question of every supported type, with its choices, key and feedback."""
    course = editable_course_or_404(slug)
    draft = current_draft(course)
    meta, _ = _lesson_or_404(draft, lesson)
    existing = draft.question(lesson, key) if key is not None else None
    if key is not None and existing is None:
        abort(404)
    objective = draft.objective_of(lesson, (existing or {}).get("objective"))
    form = QuestionForm(data={**question_to_form_data(existing, request.args.get("type")),
                              "objective": objective or "",
                              "revision": queries.latest_revision(course.id)})
    form.objective.choices = objective_choices(draft.objectives(lesson), objective)
    conflict = None
    if form.validate_on_submit():
        if not (form.key.data or "").strip():  # an id made from the prompt (kept if it had one)
            form.key.data = key or question_id_of(
                form.prompt.data, {str(q.get("id")) for q in draft.questions(lesson)})
        item, errors = question_from_form(form, existing)
        for field, message in errors:
            form[field].errors.append(message)
        if not errors:
            try:
                draft_operations.save_question(runtime(), learner(), course, lesson, key,
                                               item, loaded=form.revision.data or 0)
            except draft_operations.EditConflict as clash:
                conflict = conflict_of(clash, form, question_rows(clash.theirs, item))
            except draft_operations.AuthoringError as error:
                if error.field is None:
                    abort(404)  # the lesson left the draft meanwhile
                form[error.field].errors.append(str(error))
            else:
                flash("The question is saved in the draft.", "success")
                return redirect(url_for("lesson_editor.question", slug=slug, lesson=lesson,
                                        key=item["id"]))
    found = []
    if key is not None and request.method == "GET":
        path = draft.quiz_path(lesson)
        found = question_problems(_file_problems(course, draft, path),
                                  draft.question_lines(lesson)).get(key, [])
    return render_template(
        "authoring/question.html", course=course, lesson=lesson, key=key, form=form,
        lesson_title=meta.get("title") or lesson, conflict=conflict,
        taken_ids=[str(q.get("id")) for q in draft.questions(lesson)],
        objective_gone=bool(objective and objective not in dict(draft.objectives(lesson))),
        choice_rows=CHOICE_ROWS, prompt_problems=[p for p in found if p.rule in PROMPT_RULES],
        other_problems=[p for p in found if p.rule not in PROMPT_RULES],
        errors_first=Severity.ERROR,
        flags=[f for f in queries.open_flags(course.id, lesson) if f.question_key == key]
        if key else []), 409 if conflict else 422 if form.errors else 200


@bp.post("/<lesson>/quiz/questions/<key>/move")
def move_question(slug: str, lesson: str, key: str):
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    offset = -1 if request.form.get("direction") == "up" else 1
    try:
        draft_operations.move_question(runtime(), learner(), course, lesson, key, offset)
    except draft_operations.AuthoringError:
        abort(404)
    return redirect(url_for("lesson_editor.quiz", slug=slug, lesson=lesson) + f"#q-{key}")


@bp.post("/<lesson>/quiz/questions/<key>/remove")
def remove_question(slug: str, lesson: str, key: str):
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        draft_operations.remove_question(runtime(), learner(), course, lesson, key)
    except draft_operations.AuthoringError:
        abort(404)
    flash("The question is removed from the draft.", "info")
    return redirect(url_for("lesson_editor.quiz", slug=slug, lesson=lesson))


@bp.post("/<lesson>/quiz/flags/<int:flag_id>/resolve")
def resolve_flag(slug: str, lesson: str, flag_id: int):
    """Mark a learner's flag as dealt with (after improving the question, say)."""
    course = editable_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    flags = queries.open_flags(course.id)
    try:
        quiz_operations.resolve_flag(runtime(), learner(), flag_id=flag_id,
                                     quiz_ids={flag.quiz_id for flag in flags})
    except quiz_operations.FlagRefused:
        abort(404)
    flash("The flag is marked as dealt with.", "success")
    return redirect(url_for("lesson_editor.quiz", slug=slug, lesson=lesson))


@bp.post("/<lesson>/quiz/gift")
def import_gift(slug: str, lesson: str):
    """Bring questions from a Moodle GIFT file into the quiz's draft, and say what came in,
    what was skipped and why."""
    course = editable_course_or_404(slug)
    draft = current_draft(course)
    meta, _ = _lesson_or_404(draft, lesson)
    form = GiftForm()
    if not form.validate_on_submit():
        return _quiz_page(course, draft, lesson, gift_form=form, status=422)
    upload = form.gift.data
    try:
        result = operations.import_gift(runtime(), learner(), course, lesson,
                                        upload.read(operations.MAX_GIFT_BYTES + 1))
    except operations.AuthoringError as error:
        form.gift.errors.append(str(error))
        return _quiz_page(course, draft, lesson, gift_form=form, status=422)
    return render_template("authoring/gift_report.html", course=course, lesson=lesson,
                           lesson_title=meta.get("title"), result=result,
                           filename=upload.filename)
