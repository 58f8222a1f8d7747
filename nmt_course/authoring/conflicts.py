"""An edit refused because someone saved the same part first: both versions side by side,
field by field, for the editor pages to show above the author's own form (kept as typed)."""
from __future__ import annotations

from dataclasses import dataclass

from .draft_operations import EditConflict, LessonText
from .revisions import QUESTION_FIELDS, field_text

Row = tuple[str, str, str]  # (field, the version saved meanwhile, the author's)


@dataclass(frozen=True)
class Conflict:
    saved_by: list[str]
    rows: list[Row]


def conflict_of(clash: EditConflict, form, rows: list[Row]) -> Conflict:
    """The conflict to show; the form is sent back at the newer revision, so saving it again
    (after merging by hand) replaces the other version knowingly."""
    form.revision.data = clash.revision
    form.revision.raw_data = [str(clash.revision)]
    return Conflict(clash.saved_by, rows)


def lesson_rows(theirs: LessonText | None, form) -> list[Row]:
    if theirs is None:
        return [("Lesson", "(removed from the draft)", form.body.data)]
    return [(label, str(mine or ""), str(other or "")) for label, mine, other in (
        ("Title", theirs.title, form.title.data), ("Address", theirs.slug, form.slug.data),
        ("Objectives", theirs.objectives, form.objectives.data),
        ("Least reading time", theirs.min_minutes, form.min_minutes.data),
        ("Lesson", theirs.body, form.body.data))]


def settings_rows(theirs: dict, form) -> list[Row]:
    return [(form[name].label.text, "" if theirs.get(name) is None else str(theirs[name]),
             "" if form[name].data is None else str(form[name].data))
            for name in ("pass_mark", "max_attempts", "draw", "review_after_fail")]


def course_rows(theirs: tuple[dict, str], form) -> list[Row]:
    meta, description = theirs
    rows = [(form[name].label.text, str(meta.get(name) if meta.get(name) is not None else ""),
             str(form[name].data if form[name].data is not None else ""))
            for name in ("title", "summary", "ce_hours", "course_type", "approval_number",
                         "requires_licence")]
    return rows + [("Description", description, form.description.data or "")]


def question_rows(theirs: dict, item: dict) -> list[Row]:
    if not theirs:
        return [("Question", "(removed from the quiz)", "")]
    return [(name.capitalize(), field_text(theirs, name) or "", field_text(item, name) or "")
            for name in ("id", *QUESTION_FIELDS)]
