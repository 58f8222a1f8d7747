"""Copies an author starts from: a question, a lesson with its quiz, a whole course's files,
and a new order of lessons or questions. Pure: edits of a Draft's files."""
from __future__ import annotations

from collections.abc import Mapping

from ..text import address_of
from .drafts import Draft, DraftError


def _free(wanted: str, taken: set[str]) -> str:
    key, number = wanted, 2
    while key in taken:
        key, number = f"{wanted}-{number}", number + 1
    return key


def duplicate_question(draft: Draft, lesson: str, key: str) -> str:
    """A copy of the question just after it, with a new id (<id>-copy); return the id."""
    quiz = draft.read_quiz(lesson) or {}
    items = list(quiz.get("questions") or [])
    keys = [str(item.get("id")) for item in items]
    if key not in keys:
        raise DraftError("no such question")
    copy = dict(items[keys.index(key)])
    copy["id"] = _free(f"{key}-copy"[:100], set(keys))
    items.insert(keys.index(key) + 1, copy)
    quiz["questions"] = items
    draft.write_quiz(lesson, quiz)
    return copy["id"]


def duplicate_lesson(draft: Draft, lesson: str) -> str:
    """A copy of the lesson and its quiz just after it, titled "… (copy)" at a new address;
    return the new address."""
    meta, body = draft.read_lesson(lesson)
    order = [entry.slug for entry in draft.lessons()]
    new = _free(address_of(f"{lesson}-copy", 90), set(order))
    meta = {**meta, "title": f"{meta.get('title') or lesson} (copy)"}
    quiz = draft.files.get(draft.quiz_path(lesson))
    draft.save_lesson(None, new, meta, body)
    if quiz is not None:
        draft.files[draft.quiz_path(new)] = quiz
    order.insert(order.index(lesson) + 1, new)
    draft.reorder(order)
    return new


def reorder_lessons(draft: Draft, order: list[str]) -> None:
    """Put the lessons in `order`, which must name each lesson once (the list an author
    dragged may be out of date: then nothing moves)."""
    if sorted(order) != sorted(entry.slug for entry in draft.lessons()):
        raise DraftError("The lessons changed since this page was loaded: reload it and "
                         "move them again.")
    draft.reorder(order)


def reorder_questions(draft: Draft, lesson: str, order: list[str]) -> None:
    quiz = draft.read_quiz(lesson) or {}
    items = {str(item.get("id")): item for item in quiz.get("questions") or []}
    if len(order) != len(set(order)) or set(order) != set(items) or len(items) != len(
            quiz.get("questions") or []):
        raise DraftError("The questions changed since this page was loaded: reload it and "
                         "move them again.")
    quiz["questions"] = [items[key] for key in order]
    draft.write_quiz(lesson, quiz)


def course_copy(files: Mapping[str, str], old: str, new: str, title: str) -> dict[str, str]:
    """A course's files under another address: its folders renamed, its images linked at the
    new course, its title changed; its approval number left out (the board approved the
    original, not the copy)."""
    copied = {}
    for path, text in files.items():
        for folder in ("lessons", "quizzes"):
            if path.startswith(f"{folder}/{old}/"):
                path = f"{folder}/{new}/" + path.removeprefix(f"{folder}/{old}/")
        copied[path] = text.replace(f"/courses/{old}/images/", f"/courses/{new}/images/")
    draft = Draft(new, copied)
    meta, description = draft.course_settings()
    meta["title"] = title
    meta.pop("approval_number", None)
    draft.set_course_settings(meta, description)
    return draft.files
