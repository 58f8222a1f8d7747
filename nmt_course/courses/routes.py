"""Catalogue, course overview, lessons and read marks."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import queries, services
from ..auth.forms import ActionForm

bp = Blueprint("courses", __name__)


def course_or_404(slug: str):
    course = queries.visible_course(slug, current_user)
    if course is None:
        abort(404)
    return course


def lesson_in(lessons, slug: str):
    """The lesson at `slug` among the course's lessons, with its neighbours."""
    for index, lesson in enumerate(lessons):
        if lesson.slug == slug:
            previous = lessons[index - 1] if index else None
            following = lessons[index + 1] if index + 1 < len(lessons) else None
            return lesson, previous, following, index + 1
    abort(404)


@bp.get("/")
def catalogue():
    """Published courses, with the learner's progress in each."""
    courses = queries.published_courses()
    progress = (queries.progress_by_course(current_user, courses)
                if current_user.is_authenticated else {})
    return render_template("courses/catalogue.html", courses=courses, progress=progress)


@bp.get("/courses/<slug>")
def course(slug: str):
    """A course's description and its lessons in order, with each one's state."""
    course = course_or_404(slug)
    lessons = queries.active_lessons(course.id, with_quiz=True)
    progress = certificate = None
    if current_user.is_authenticated:
        progress = queries.progress_by_course(current_user, [course])[course.id]
        certificate = queries.certificate_for(current_user.id, course.id)
    return render_template("courses/course.html", course=course, lessons=lessons,
                           progress=progress, certificate=certificate)


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    """A lesson: its objectives and body, a read mark and the way to its quiz."""
    course = course_or_404(slug)
    lessons = queries.active_lessons(course.id)
    lesson, previous, following, number = lesson_in(lessons, lesson_slug)
    quiz = queries.active_quiz(lesson.id)
    attempts, passed = queries.attempt_count(current_user.id, quiz.id) if quiz else (0, False)
    return render_template(
        "courses/lesson.html", course=course, lesson=lesson, previous=previous,
        following=following, number=number, total=len(lessons), quiz=quiz, passed=passed,
        attempts=attempts, read=queries.is_read(current_user.id, lesson.id), form=ActionForm())


@bp.post("/courses/<slug>/lessons/<lesson_slug>/read")
@login_required
def mark_read(slug: str, lesson_slug: str):
    """Mark a lesson as read, then go on to its quiz or the next lesson."""
    course = course_or_404(slug)
    lessons = queries.active_lessons(course.id)
    lesson, _, following, _ = lesson_in(lessons, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    certificate = services.mark_lesson_read(current_user, lesson)
    if certificate is not None:
        flash("Course complete: your certificate is ready.", "success")
        return redirect(url_for("certificates.show", code=certificate.display_code))
    if request.form.get("then") == "quiz":
        return redirect(url_for("quizzes.take", slug=slug, lesson_slug=lesson.slug))
    flash(f"“{lesson.title}” is marked as read.", "success")
    if following is not None:
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=following.slug))
    return redirect(url_for("courses.course", slug=slug))
