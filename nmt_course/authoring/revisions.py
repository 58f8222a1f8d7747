"""What changed between two states of a course's files, in the author's terms. Pure.

A state is split into parts an author edits on their own (the course settings, each lesson,
each quiz, the order of the lessons); a revision's changes are the parts that differ from the
state before it. Text reads by line (difflib), a quiz by its settings and by question, each
question by field."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from .drafts import QUIZ_SETTINGS, Draft, DraftError, read_front_matter

CONTEXT_LINES = 2
MAX_DIFF_LINES = 5000  # past this, a text shows as replaced whole (difflib is quadratic)
QUESTION_FIELDS = ("type", "objective", "prompt", "answer", "choices", "explanation")


@dataclass(frozen=True)
class Line:
    tag: str  # "same", "removed" or "added"
    text: str
    old: int | None  # its number before, after (1-based)
    new: int | None


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str | None
    after: str | None
    hunks: tuple[tuple[Line, ...], ...] = ()  # for text read by line


@dataclass(frozen=True)
class PartChange:
    key: str  # "course", "order", "lesson:<slug>" or "quiz:<slug>"
    label: str
    status: str  # "added", "removed" or "changed"
    fields: tuple[FieldChange, ...] = field(default=())


def parts(course_slug: str, files: Mapping[str, str]) -> dict[str, str]:
    """{part key: its text} of one state of the files."""
    draft = Draft(course_slug, files)
    found = {"course": files.get(draft.course_path, "")}
    lessons = draft.lessons()
    if lessons:
        found["order"] = "\n".join(entry.slug for entry in lessons)
    for entry in lessons:
        found[f"lesson:{entry.slug}"] = files[entry.path]
        if draft.quiz_path(entry.slug) in files:
            found[f"quiz:{entry.slug}"] = files[draft.quiz_path(entry.slug)]
    return found


def titles(course_slug: str, *states: Mapping[str, str]) -> dict[str, str]:
    """{lesson slug: title} over the states (the later ones win)."""
    found: dict[str, str] = {}
    for files in states:
        draft = Draft(course_slug, files)
        found.update({entry.slug: draft.lesson_title(entry) for entry in draft.lessons()})
    return found


def label(key: str, lesson_titles: Mapping[str, str]) -> str:
    kind, _, slug = key.partition(":")
    title = lesson_titles.get(slug, slug)
    return {"course": "Course settings", "order": "Order of the lessons",
            "lesson": f"Lesson “{title}”", "quiz": f"Quiz of “{title}”"}[kind]


def changes(course_slug: str, before: Mapping[str, str],
            after: Mapping[str, str]) -> list[PartChange]:
    """The parts that differ between two states, each with what changed in it."""
    old, new = parts(course_slug, before), parts(course_slug, after)
    names = titles(course_slug, before, after)
    found = []
    for key in sorted(old.keys() | new.keys(), key=_part_order):
        if old.get(key) == new.get(key):
            continue
        status = ("added" if key not in old else "removed" if key not in new else "changed")
        found.append(PartChange(key, label(key, names), status,
                                tuple(_fields(key, old.get(key), new.get(key)))))
    return found


def _part_order(key: str) -> tuple:
    kind, _, slug = key.partition(":")
    return ({"course": 0, "order": 1}.get(kind, 2), slug, kind)


def _fields(key: str, before: str | None, after: str | None) -> list[FieldChange]:
    kind = key.partition(":")[0]
    if kind == "quiz":
        return _quiz_fields(before, after)
    if kind == "order":
        return [text_change("Lessons in order", before, after)]
    return _front_matter_fields(before, after, "Description" if kind == "course" else "Text")


def text_change(name: str, before: str | None, after: str | None) -> FieldChange:
    """A text field read by line: the changed lines with a little context around them."""
    old, new = (before or "").splitlines(), (after or "").splitlines()
    if len(old) + len(new) > MAX_DIFF_LINES:
        return FieldChange(name, before, after)
    # Blank lines, and in a text of 200 lines or more the lines repeated most, cannot anchor
    # a match: a 415-line lesson with 39 lines changed compares in about 25 ms instead of
    # 250, and 2 × 2,500 lines of a few repeated words in 50 ms instead of 7 s.
    matcher = difflib.SequenceMatcher(_blank, old, new)
    hunks = []
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        lines: list[Line] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line("same", old[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
                continue
            lines += [Line("removed", old[i], i + 1, None) for i in range(i1, i2)]
            lines += [Line("added", new[j], None, j + 1) for j in range(j1, j2)]
        hunks.append(tuple(lines))
    return FieldChange(name, before, after, tuple(hunks))


def _blank(line: str) -> bool:
    return not line.strip()


def _front_matter_fields(before: str | None, after: str | None,
                         body_name: str) -> list[FieldChange]:
    old_meta, old_body = _front_matter(before)
    new_meta, new_body = _front_matter(after)
    found = []
    for key in sorted(old_meta.keys() | new_meta.keys(), key=_meta_order):
        old_value, new_value = old_meta.get(key), new_meta.get(key)
        if old_value == new_value:
            continue
        if key == "objectives":
            found.append(text_change("Objectives", _objective_lines(old_value),
                                     _objective_lines(new_value)))
        else:
            found.append(FieldChange(key.replace("_", " ").capitalize(), _shown(old_value),
                                     _shown(new_value)))
    if old_body != new_body:
        found.append(text_change(body_name, old_body if before is not None else None,
                                 new_body if after is not None else None))
    return found


def _meta_order(key: str) -> tuple:
    known = ("title", "slug", "summary", "ce_hours", "course_type", "status",
             "approval_number", "requires_licence", "minutes", "objectives")
    return (known.index(key) if key in known else len(known), key)


def _front_matter(text: str | None) -> tuple[dict, str]:
    if text is None:
        return {}, ""
    try:
        return read_front_matter(text)
    except DraftError:
        return {}, text  # a file that does not parse still shows, as text


def _objective_lines(value) -> str:
    lines = []
    for item in value or []:
        if isinstance(item, dict):
            lines.append(f"[{item.get('id')}] {item.get('text')}")
        else:
            lines.append(str(item))
    return "\n".join(lines)


def _shown(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _quiz(text: str | None) -> dict:
    if text is None:
        return {}
    try:
        return Draft("x", {"quizzes/x/q.yaml": text}).read_quiz("q") or {}
    except DraftError:
        return {"unreadable": text}


def _quiz_fields(before: str | None, after: str | None) -> list[FieldChange]:
    old, new = _quiz(before), _quiz(after)
    found = [FieldChange(key.replace("_", " ").capitalize(), _shown(old.get(key)),
                         _shown(new.get(key)))
             for key in QUIZ_SETTINGS if old.get(key) != new.get(key)]
    old_items = {str(q.get("id")): q for q in old.get("questions") or [] if isinstance(q, dict)}
    new_items = {str(q.get("id")): q for q in new.get("questions") or [] if isinstance(q, dict)}
    for key in [*old_items, *(k for k in new_items if k not in old_items)]:
        a, b = old_items.get(key), new_items.get(key)
        if a == b:
            continue
        if a is None or b is None:
            found.append(FieldChange(f"Question {key}", question_text(a), question_text(b)))
            continue
        for name in QUESTION_FIELDS:
            if a.get(name) != b.get(name):
                found.append(text_change(f"Question {key}: {name}", field_text(a, name),
                                         field_text(b, name)))
    old_order = [k for k in old_items if k in new_items]
    new_order = [k for k in new_items if k in old_items]
    if old_order != new_order:
        found.append(text_change("Order of the questions", "\n".join(old_order),
                                 "\n".join(new_order)))
    if old.get("unreadable") != new.get("unreadable"):
        found.append(text_change("File", before, after))
    return found


def field_text(item: dict, name: str) -> str | None:
    value = item.get(name)
    if name == "choices":
        return "\n".join(
            f"{'✓' if c.get('correct') else '✗'} {c.get('text', '')}"
            + (f" (feedback: {c['feedback']})" if c.get("feedback") else "")
            for c in value or [] if isinstance(c, dict)) or None
    return _shown(value)


def question_text(item: dict | None) -> str | None:
    """A question as one readable text, field by field."""
    if item is None:
        return None
    lines = []
    for name in QUESTION_FIELDS:
        value = field_text(item, name)
        if value is not None:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)
