"""The evidence a provider shows the board about a course, for its authors and admins:
completed learners' measured time beside the estimated and declared hours, and the course
evaluations as averages and CSV (without names, and nothing until enough answered)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..content import estimate_ce_hours
from ..csv_safe import to_csv
from ..evaluation import MIN_RESPONSES, RATINGS, csv_table, results
from ..learning.evidence import evaluations, measured_hours
from ..time_on_task import WARNING_LEARNERS
from .lookups import author_gate, editable_course_or_404

bp = Blueprint("evidence", __name__, url_prefix="/author/courses/<slug>")
bp.before_request(author_gate)


@bp.get("/evidence")
def report(slug: str):
    """Measured hours (median and interquartile range) and the evaluation's averages."""
    course = editable_course_or_404(slug)
    answers, lessons = evaluations(course)
    estimate = estimate_ce_hours(course.word_count, course.questions_shown, course.quiz_words)
    return render_template(
        "authoring/evidence.html", course=course, estimate=estimate,
        measured=measured_hours(course), results=results(answers, lessons),
        responses=len(answers), min_responses=MIN_RESPONSES, ratings=RATINGS,
        warning_learners=WARNING_LEARNERS)


@bp.get("/evaluations.csv")
def evaluations_csv(slug: str):
    """Every evaluation as a row, without name or date; 404 until enough learners answered."""
    course = editable_course_or_404(slug)
    table = csv_table(*evaluations(course))
    if table is None:
        abort(404)
    return to_csv(*table), 200, {
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{course.slug}-evaluations.csv"'}
