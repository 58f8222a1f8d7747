"""Catalogue, course overview, lessons and read marks."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import queries, services
from ..auth.forms import ActionForm
from ..models import Course, Lesson

bp = Blueprint("courses", __name__)


def course_or_404(slug: str):
    course = queries.visible_course(slug, current_user)
    if course is None:
        abort(404)
    return course


@dataclass(frozen=True)
class LessonPlace:
    """A lesson with where it sits in its course."""

    course: Course
    lesson: Lesson
    previous: Lesson | None
    following: Lesson | None
    number: int
    total: int


def lesson_or_404(slug: str, lesson_slug: str) -> LessonPlace:
    """The active lesson `lesson_slug` of the visible course `slug`, or a 404."""
    course = course_or_404(slug)
    lessons = queries.active_lessons(course.id)
    for index, lesson in enumerate(lessons):
        if lesson.slug == lesson_slug:
            return LessonPlace(course, lesson, lessons[index - 1] if index else None,
                               lessons[index + 1] if index + 1 < len(lessons) else None,
                               index + 1, len(lessons))
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
    place = lesson_or_404(slug, lesson_slug)
    quiz = queries.active_quiz(place.lesson.id)
    attempts, passed = queries.attempt_count(current_user.id, quiz.id) if quiz else (0, False)
    return render_template(
        "courses/lesson.html", **vars(place), quiz=quiz, passed=passed, attempts=attempts,
        read=queries.is_read(current_user.id, place.lesson.id), form=ActionForm())


@bp.post("/courses/<slug>/lessons/<lesson_slug>/read")
@login_required
def mark_read(slug: str, lesson_slug: str):
    """Mark a lesson as read, then go on to its quiz or the next lesson."""
    place = lesson_or_404(slug, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    certificate = services.mark_lesson_read(current_user, place.lesson)
    if certificate is not None:
        flash("Course complete: your certificate is ready.", "success")
        return redirect(url_for("certificates.show", code=certificate.display_code))
    if request.form.get("then") == "quiz":
        return redirect(url_for("quizzes.take", slug=slug, lesson_slug=lesson_slug))
    flash(f"“{place.lesson.title}” is marked as read.", "success")
    if place.following is not None:
        return redirect(url_for("courses.lesson", slug=slug,
                                lesson_slug=place.following.slug))
    return redirect(url_for("courses.course", slug=slug))
