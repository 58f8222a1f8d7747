"""The course page of the Author area (its settings, lessons, problems, images, maintainers),
shown again with a form's errors by every route whose form lives on it."""
from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from ..content import Severity
from ..content.images import MAX_BYTES
from ..web import ActionForm
from . import operations, queries
from .drafts import Draft
from .forms import (CourseSettingsForm, DuplicateCourseForm, ImageForm, MaintainerForm,
                    ReplaceImageForm)
from .lookups import current_draft
from .permissions import may_manage_maintainers
from .revisions import parts


def _settings_form(draft: Draft, revision: int) -> CourseSettingsForm:
    meta, description = draft.course_settings()
    return CourseSettingsForm(data={
        "title": meta.get("title", ""), "summary": meta.get("summary", ""),
        "ce_hours": meta.get("ce_hours"), "course_type": meta.get("course_type"),
        "approval_number": meta.get("approval_number", ""),
        "requires_licence": bool(meta.get("requires_licence")),
        "description": description, "revision": revision})


def located(problems, draft: Draft, titles: dict[str, str]) -> list[tuple[str, str, str]]:
    """Each problem as (where, link to fix it, message), in the author's terms, not files."""
    found = []
    for problem in problems:
        part, lesson = draft.part_of(problem.path)
        slug = draft.course
        if part == "lesson":
            where = f"Lesson “{titles.get(lesson, lesson)}”"
            link = url_for("lesson_editor.edit", slug=slug, lesson=lesson)
        elif part == "quiz" and lesson in titles:
            where = f"Quiz of “{titles[lesson]}”"
            link = url_for("lesson_editor.quiz", slug=slug, lesson=lesson) + (
                f"#q-{problem.question}" if problem.question else "")
        else:
            where, link = "Course settings", url_for("authoring.course", slug=slug) + (
                "#settings-heading")
        found.append((where, link, problem.message))
    return found


def workspace(course, *, settings=None, image_form=None, replace=None, maintainer_form=None,
              duplicate_form=None, conflict=None, status: int = 200):
    """The course page; `replace` is (image id, its replace form) sent back with errors."""
    draft_row = queries.draft_of(course.id)
    revision = queries.latest_revision(course.id)
    draft = current_draft(course)
    published = parts(course.slug, course.source_files or {})
    drafted = parts(course.slug, draft.files)
    problems, _ = operations.check_draft(course, draft.files)
    titles = {entry.slug: draft.lesson_title(entry) for entry in draft.lessons()}
    errors = located([p for p in problems if p.severity is Severity.ERROR], draft, titles)
    warnings = located([p for p in problems if p.severity is Severity.WARNING], draft,
                        titles)
    return render_template(
        "authoring/course.html", course=course, draft=draft, draft_row=draft_row,
        lessons=[(entry, titles[entry.slug]) for entry in draft.lessons()],
        quizzes={e.slug for e in draft.lessons() if draft.quiz_path(e.slug) in draft.files},
        errors=errors, warnings=warnings, flags=queries.flag_counts(course.id),
        settings=settings or _settings_form(draft, revision), conflict=conflict,
        changed_parts={k for k in set(published) | set(drafted)
                       if published.get(k) != drafted.get(k)},
        published_parts=set(published),
        image_form=image_form or ImageForm(), images=queries.images_of(course.id),
        image_markdown=lambda image: operations.image_markdown(course, image.name, image.alt),
        replace_form=lambda image: replace[1] if replace and replace[0] == image.id
        else ReplaceImageForm(formdata=None, prefix=f"replace-{image.id}"),
        max_image_bytes=MAX_BYTES,
        maintainers=queries.maintainers(course.id),
        maintainer_form=maintainer_form or MaintainerForm(),
        duplicate_form=duplicate_form or DuplicateCourseForm(
            formdata=None, prefix="copy", data={"title": f"{course.title} (copy)"}),
        may_manage=may_manage_maintainers(current_user, course.owner_id),
        action_form=ActionForm()), status
