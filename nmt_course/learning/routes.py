"""Catalogue, course overview, lessons, read marks and the learner's dashboard."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..certificates.queries import certificates_for
from ..clinics.queries import my_clinics
from ..evaluation import RATINGS
from ..web import OPENED_FIELD, ActionForm, learner, open_token, posted_open_time, runtime
from . import operations, queries
from .forms import build_evaluation_form
from .lookups import (course_and_certificate_or_404, evaluation_page_or_404,
                      course_or_404, lesson_or_404)

bp = Blueprint("learning", __name__)


@bp.get("/")
def catalogue():
    """Published courses, with the learner's progress in each."""
    courses = queries.published_courses()
    progress = (queries.progress_by_course(current_user, courses)
                if current_user.is_authenticated else {})
    return render_template("learning/catalogue.html", courses=courses, progress=progress)


@bp.get("/courses/<slug>")
def course(slug: str):
    """A course's description and its lessons in order, with each one's state."""
    learner_id = current_user.id if current_user.is_authenticated else None
    course, certificate = course_and_certificate_or_404(slug, learner_id)
    lessons = queries.lesson_rows([course.id], learner_id).get(course.id, [])
    progress = None
    if learner_id is not None:
        progress = queries.progress_of(lessons, course, current_user)
    return render_template("learning/course.html", course=course, lessons=lessons,
                           progress=progress, certificate=certificate, form=ActionForm())


@bp.post("/courses/<slug>/certificate")
@login_required
def finish(slug: str):
    """Ask again for the certificate of a completed course (if its issue was interrupted)."""
    course = course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    completed = operations.finish_course(runtime(), learner(), course)
    if completed is None or completed.certificate is None:
        flash("The certificate is issued once every requirement of the course is met."
              if completed is None else "The certificate could not be issued just now. "
              "Try again in a moment.", "warning")
        return redirect(url_for("learning.course", slug=slug))
    return redirect(url_for("certificates.show", code=completed.certificate.display_code))


@bp.get("/courses/<slug>/images/<name>")
def image(slug: str, name: str):
    """An image a lesson shows. Its name changes with its content, so it is cached for good;
    its type was checked from its bytes at upload, and browsers are told not to guess."""
    course = course_or_404(slug)
    found = queries.course_image(course.id, name)
    if found is None:
        abort(404)
    return found.data, 200, {"Content-Type": found.content_type,
                             "X-Content-Type-Options": "nosniff",
                             "Content-Disposition": "inline",
                             "Cache-Control": "public, max-age=31536000, immutable"}


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    """A lesson: its objectives and body, a read mark and the way to its quiz."""
    place = lesson_or_404(slug, lesson_slug)
    # The time it was opened travels signed in the form: showing the page writes nothing.
    return render_template("learning/lesson.html", **vars(place), form=ActionForm(),
                           opened=open_token(f"lesson:{place.lesson.id}"))


@bp.post("/courses/<slug>/lessons/<lesson_slug>/read")
@login_required
def mark_read(slug: str, lesson_slug: str):
    """Mark a lesson as read, then go on to its quiz or the next lesson."""
    place = lesson_or_404(slug, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    subject = f"lesson:{place.lesson.id}"
    opened = posted_open_time(subject)
    try:
        completed = operations.mark_lesson_read(runtime(), learner(), place.lesson,
                                                place.course, opened_at=opened)
    except operations.CourseNotPublished as refused:
        flash(str(refused), "warning")
        return redirect(url_for("learning.course", slug=slug))
    except operations.ReadRefused as refused:
        flash(str(refused), "warning")
        # The same open time again (its clock runs on), or a fresh one for a bad token.
        return render_template("learning/lesson.html", **vars(place), form=ActionForm(),
                               opened=request.form[OPENED_FIELD] if opened else
                               open_token(subject)), 409
    if completed is not None and completed.certificate is not None:
        flash("Course complete: your certificate is ready.", "success")
        return redirect(url_for("certificates.show", code=completed.certificate.display_code))
    if request.form.get("then") == "quiz":
        return redirect(url_for("quizzes.take", slug=slug, lesson_slug=lesson_slug))
    flash(f"“{place.lesson.title}” is marked as read.", "success")
    if place.following is not None:
        return redirect(url_for("learning.lesson", slug=slug,
                                lesson_slug=place.following.slug))
    return redirect(url_for("learning.course", slug=slug))


@bp.route("/courses/<slug>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(slug: str):
    """The course evaluation, answered once every lesson is complete, before the certificate."""
    course, sent, lessons = evaluation_page_or_404(slug, current_user.id)
    progress = queries.progress_of(lessons, course, current_user)
    if sent:
        flash("You have already sent your evaluation of this course. Thank you.", "info")
        return redirect(url_for("learning.course", slug=slug))
    if not progress.lessons_complete:
        flash("The evaluation opens once every lesson is complete.", "warning")
        return redirect(url_for("learning.course", slug=slug))
    form = build_evaluation_form(lessons)
    if form.validate_on_submit():
        try:
            completed = operations.send_evaluation(
                runtime(), learner(), course, objectives_met=form.objectives_met(),
                ratings=form.ratings(), comment=form.comment.data or "")
        # Refused, or unpublished since this page read the course: told, nothing stored.
        except (operations.EvaluationRefused, operations.CourseNotPublished) as refused:
            flash(str(refused), "warning")
            return redirect(url_for("learning.course", slug=slug))
        if completed is not None and completed.certificate is not None:
            flash("Thank you for your evaluation. Course complete: your certificate is ready.",
                  "success")
            return redirect(url_for("certificates.show",
                                    code=completed.certificate.display_code))
        flash("Thank you for your evaluation.", "success")
        return redirect(url_for("learning.course", slug=slug))
    return render_template("learning/evaluation.html", course=course, form=form,
                           ratings=RATINGS), 422 if form.errors else 200


@bp.get("/dashboard")
@login_required
def dashboard():
    """The courses the learner's clinics assigned them (earliest due first), every other
    course they started, with progress; their certificates; the clinics they manage."""
    settings = runtime().settings
    clinics = my_clinics(current_user.id, settings, runtime().clock())
    assigned = {a.course.id for a in clinics.assigned}
    courses = [a.course for a in clinics.assigned] + [
        course for course in queries.started_courses(current_user.id)
        if course.id not in assigned]
    return render_template("learning/dashboard.html", courses=courses,
                           assigned={a.course.id: a for a in clinics.assigned},
                           managed=clinics.managed, evidence=clinics.evidence_notices,
                           today=settings.local_date(runtime().clock()),
                           progress=queries.progress_by_course(current_user, courses),
                           certificates=certificates_for(current_user.id))
