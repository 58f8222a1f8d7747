"""Regrading a published quiz after its key changed: how many stored attempts would now pass
(worked out on every visit, outside any write transaction), applying it, and the passes that
would now fail, kept and listed for an admin to review."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..formatting import count_of
from ..learning.operations import CourseNotPublished
from ..learning.queries import active_lesson
from ..learning.regrade_operations import apply_regrade
from ..quizzes import queries as quiz_queries
from ..quizzes.regrade_operations import KeyChangedAgain
from ..quizzes.regrade_queries import regrade_view
from ..web import ActionForm, db_int, learner, runtime
from . import queries
from .lookups import author_gate, editable_course_or_404

bp = Blueprint("regrade", __name__,
               url_prefix="/author/courses/<slug>/lessons/<lesson>/regrade")
bp.before_request(author_gate)


def _view_or_404(slug: str, lesson_slug: str):
    course = editable_course_or_404(slug)
    lesson = active_lesson(course.id, lesson_slug)
    quiz = quiz_queries.quiz_of_lesson(lesson.id) if lesson else None
    view = regrade_view(quiz.id) if quiz else None
    if view is None:
        abort(404)  # not published yet: no attempt to regrade
    return course, lesson, quiz, view


@bp.get("/")
def show(slug: str, lesson: str):
    """What a regrade to the current key would do, before it is applied."""
    course, found, _, view = _view_or_404(slug, lesson)
    plan = view.plan
    # Who would fail now, and the certificates their passes back: for admins to review.
    people = (queries.learners_with_certificates(
        course.id, [item.attempt.user_id for item in (*plan.would_fail, *plan.would_pass)])
        if current_user.is_admin else {})
    return render_template("authoring/regrade.html", course=course, lesson=found, plan=plan,
                           versions=view.versions, version=view.versions[plan.version_id],
                           people=people, form=ActionForm())


@bp.post("/")
def apply(slug: str, lesson: str):
    """Turn the failed attempts that pass under the current key into passes."""
    course, found, quiz, view = _view_or_404(slug, lesson)
    back = redirect(url_for(".show", slug=slug, lesson=lesson))
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("version", type=db_int) != view.plan.version_id:
        flash("The quiz was published again since you looked: here is what a regrade does "
              "now.", "warning")
        return back
    try:
        applied = apply_regrade(runtime(), learner(), course, quiz.id, view.plan)
    except (KeyChangedAgain, CourseNotPublished) as refused:
        flash(str(refused), "warning")
        return back
    if not applied.passes:
        flash("Nothing to regrade: every attempt that passes under the current key is "
              "already a pass.", "info")
        return back
    completed = (f" {count_of(len(applied.completed), 'course')} completed by them."
                 if applied.completed else "")
    flash(f"{count_of(applied.passes, 'attempt')} regraded to a pass.{completed}", "success")
    return back
