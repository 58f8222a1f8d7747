"""A course draft as the course's own files, edited piece by piece. Pure.

The browser editor reads and writes the same files an instructor keeps in `lessons/` and
`quizzes/`: a lesson is front matter and Markdown, a quiz is YAML. So a draft is checked,
published and exported exactly like a folder of files, and the file format stays the one
portable form of a course. (Comments in a quiz file do not survive an edit in the browser.)
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..content.source import ContentError, LineMap, parse_front_matter, parse_yaml

LESSON_FILE = re.compile(r"^(\d{2,3})-(.+)\.md$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# What a quiz written in the browser starts with; its settings form offers the same.
NEW_QUIZ = {"pass_mark": 80, "max_attempts": 3, "review_after_fail": "objectives"}
QUIZ_SETTINGS = ("pass_mark", "max_attempts", "draw", "review_after_fail")
OBJECTIVE_LINE = re.compile(r"^\[([A-Za-z0-9][A-Za-z0-9_-]{0,99})\]\s*(.*)$")


class DraftError(ValueError):
    """An edit the draft cannot take; the message says why (and `field` names the form field
    it is about, when there is one)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def plain(data: Any) -> Any:
    """YAML-loaded data (LineMaps) as plain dicts and lists."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data


def dump_yaml(data: Mapping) -> str:
    return yaml.safe_dump(plain(data), sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)


def front_matter_file(meta: Mapping, body: str) -> str:
    return f"---\n{dump_yaml(meta)}---\n{body.strip()}\n"


def read_front_matter(text: str) -> tuple[dict, str]:
    try:
        document = parse_front_matter(text)
    except ContentError as error:
        raise DraftError(f"line {error.line}: {error.message}") from None
    return plain(document.meta), document.body.strip()


@dataclass(frozen=True)
class LessonEntry:
    number: int
    slug: str
    path: str


class Draft:
    """The files of one course ({"lessons/<course>/...": text}), with edits on them."""

    def __init__(self, course_slug: str, files: Mapping[str, str]):
        self.course = course_slug
        self.files = dict(files)

    @property
    def course_path(self) -> str:
        return f"lessons/{self.course}/course.md"

    def quiz_path(self, lesson_slug: str) -> str:
        return f"quizzes/{self.course}/{lesson_slug}.yaml"

    def part_of(self, path: str) -> tuple[str, str | None]:
        """What a file is: ("course", None), ("lesson", slug) or ("quiz", lesson slug)."""
        if path == self.course_path:
            return "course", None
        if path.startswith(f"quizzes/{self.course}/"):
            return "quiz", path.rsplit("/", 1)[1].removesuffix(".yaml")
        for entry in self.lessons():
            if entry.path == path:
                return "lesson", entry.slug
        return "course", None

    # --- the course -------------------------------------------------------------------------

    def course_settings(self) -> tuple[dict, str]:
        return read_front_matter(self.files.get(self.course_path, "---\n---\n"))

    def set_course_settings(self, meta: Mapping, description: str) -> None:
        self.files[self.course_path] = front_matter_file(meta, description)

    # --- lessons ----------------------------------------------------------------------------

    def lessons(self) -> list[LessonEntry]:
        """The lesson files in order (by their number), each with its slug."""
        entries = []
        prefix = f"lessons/{self.course}/"
        for path in self.files:
            name = path.removeprefix(prefix)
            match = LESSON_FILE.match(name) if path.startswith(prefix) else None
            if match and "/" not in name:
                entries.append(LessonEntry(int(match[1]), self._slug_of(path, match[2]), path))
        return sorted(entries, key=lambda entry: (entry.number, entry.path))

    def _slug_of(self, path: str, file_slug: str) -> str:
        try:
            meta, _ = read_front_matter(self.files[path])
        except DraftError:
            return file_slug
        return str(meta.get("slug") or file_slug)

    def lesson(self, slug: str) -> LessonEntry:
        for entry in self.lessons():
            if entry.slug == slug:
                return entry
        raise DraftError(f"the draft has no lesson '{slug}'")

    def lesson_title(self, entry: LessonEntry) -> str:
        try:
            meta, _ = read_front_matter(self.files[entry.path])
        except DraftError:
            return entry.slug
        return str(meta.get("title") or entry.slug)

    def read_lesson(self, slug: str) -> tuple[dict, str]:
        return read_front_matter(self.files[self.lesson(slug).path])

    # --- objectives, known by id --------------------------------------------------------------

    def objectives(self, slug: str) -> list[tuple[str, str]]:
        """(id, sentence) of the lesson's objectives. One written without an id gets the id
        it will be given when the lesson is next saved (o1, o2, ... by position, skipping
        ids in use), so the editor can show it now."""
        meta, _ = self.read_lesson(slug)
        written = []
        for item in meta.get("objectives") or []:
            if isinstance(item, dict):
                written.append((None if item.get("id") is None else str(item["id"]),
                                str(item.get("text") or "")))
            else:
                written.append((None, str(item)))
        taken = {key for key, _ in written if key} | self._named_objectives(slug)
        found = []
        for number, (key, text) in enumerate(written, start=1):
            if key is None:
                key = _free_id(f"o{number}", taken)
                taken.add(key)
            found.append((key, text))
        return found

    def _named_objectives(self, slug: str) -> set[str]:
        """Objective ids the questions of the lesson's quiz name (deleted ones too)."""
        try:
            quiz = self.read_quiz(slug) or {}
        except DraftError:
            return set()
        return {str(q["objective"]) for q in quiz.get("questions") or []
                if isinstance(q, dict) and isinstance(q.get("objective"), str)}

    def objective_of(self, slug: str, value) -> str | None:
        """The id a question's `objective:` names (a number is read by position)."""
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            ids = [key for key, _ in self.objectives(slug)]
            return ids[value - 1] if 0 < value <= len(ids) else str(value)
        return str(value)

    def stabilise_objectives(self, slug: str) -> None:
        """Write every objective of the lesson with its id, and every question of its quiz
        naming its objective by id, so that reordering or deleting objectives re-points no
        question."""
        meta, body = self.read_lesson(slug)
        objectives = self.objectives(slug)
        if meta.get("objectives"):
            meta["objectives"] = [{"id": key, "text": text} for key, text in objectives]
            self.files[self.lesson(slug).path] = front_matter_file(meta, body)
        try:
            quiz = self.read_quiz(slug)
        except DraftError:
            return  # a quiz file YAML cannot read is left for its author to fix
        if quiz and any(isinstance(q, dict) and isinstance(q.get("objective"), int)
                        for q in quiz.get("questions") or []):
            for question in quiz["questions"]:
                if isinstance(question, dict) and question.get("objective") is not None:
                    question["objective"] = self.objective_of(slug, question["objective"])
            self.write_quiz(slug, quiz)

    def objectives_from_lines(self, slug: str | None, text: str) -> list[dict]:
        """The editor's objectives, one a line, each kept with the [id] it is shown with; a
        line without one is a new objective and gets an id never used in this lesson."""
        taken = set()
        if slug is not None:
            taken = {key for key, _ in self.objectives(slug)} | self._named_objectives(slug)
        found: list[dict] = []
        for line in (line.strip() for line in text.splitlines()):
            match = OBJECTIVE_LINE.match(line)
            key, sentence = (match[1], match[2].strip()) if match else (None, line)
            if not sentence:
                continue
            if key is not None and key in {item["id"] for item in found}:
                raise DraftError(f"Two objectives are labelled [{key}]: keep the label on "
                                 "one of them only (a line without a label is a new "
                                 "objective).", "objectives")
            found.append({"id": key, "text": sentence})
        taken |= {item["id"] for item in found if item["id"]}
        if slug is not None:  # a line typed without its label, word for word, keeps its id
            free = {text: key for key, text in reversed(self.objectives(slug))
                    if key not in {item["id"] for item in found}}
            for item in found:
                if item["id"] is None and item["text"] in free:
                    item["id"] = free.pop(item["text"])
        for number, item in enumerate(found, start=1):
            if item["id"] is None:
                item["id"] = _free_id(f"o{number}", taken)
                taken.add(item["id"])
        return found

    def save_lesson(self, slug: str | None, new_slug: str, meta: Mapping, body: str) -> str:
        """Write a lesson (a new one when `slug` is None) and return its slug. Changing a
        lesson's slug renames its quiz with it."""
        if not SLUG.match(new_slug) or len(new_slug) > 100:
            raise DraftError("the address must be lower-case words joined by hyphens, such "
                             "as trigger-point-anatomy")
        taken = {entry.slug for entry in self.lessons()} - {slug}
        if new_slug in taken:
            raise DraftError(f"another lesson of this course already uses '{new_slug}'")
        meta = {key: value for key, value in meta.items() if key != "slug"}
        if slug is None:
            numbers = [entry.number for entry in self.lessons()]
            number = max(numbers, default=0) + 1
        else:
            old = self.lesson(slug)
            number = old.number
            del self.files[old.path]
            if new_slug != slug and self.quiz_path(slug) in self.files:
                self.files[self.quiz_path(new_slug)] = self.files.pop(self.quiz_path(slug))
        self.files[f"lessons/{self.course}/{number:02d}-{new_slug}.md"] = front_matter_file(
            meta, body)
        return new_slug

    def remove_lesson(self, slug: str) -> None:
        del self.files[self.lesson(slug).path]
        self.files.pop(self.quiz_path(slug), None)
        self.reorder([entry.slug for entry in self.lessons()])

    def move_lesson(self, slug: str, offset: int) -> None:
        order = [entry.slug for entry in self.lessons()]
        index = order.index(self.lesson(slug).slug)
        target = min(max(index + offset, 0), len(order) - 1)
        order.insert(target, order.pop(index))
        self.reorder(order)

    def reorder(self, order: list[str]) -> None:
        """Name the lesson files 01-..., 02-... in `order` (slugs, hence records, stay)."""
        entries = {entry.slug: entry for entry in self.lessons()}
        texts = {slug: self.files.pop(entries[slug].path) for slug in order}
        for number, slug in enumerate(order, start=1):
            file_slug = LESSON_FILE.match(entries[slug].path.rsplit("/", 1)[1])[2]
            self.files[f"lessons/{self.course}/{number:02d}-{file_slug}.md"] = texts[slug]

    # --- quizzes ----------------------------------------------------------------------------

    def read_quiz(self, lesson_slug: str) -> dict | None:
        text = self.files.get(self.quiz_path(lesson_slug))
        if text is None:
            return None
        try:
            data = parse_yaml(text)
        except ContentError as error:
            raise DraftError(f"line {error.line}: {error.message}") from None
        return plain(data) if isinstance(data, dict) else {}

    def write_quiz(self, lesson_slug: str, quiz: Mapping | None) -> None:
        self.lesson(lesson_slug)
        if quiz is None:
            self.files.pop(self.quiz_path(lesson_slug), None)
        else:
            self.files[self.quiz_path(lesson_slug)] = dump_yaml(quiz)

    def quiz_or_new(self, lesson_slug: str) -> dict:
        """The lesson's quiz, or a new one with the editor's defaults."""
        return self.read_quiz(lesson_slug) or {**NEW_QUIZ, "questions": []}

    def quiz_settings(self, lesson_slug: str) -> dict:
        """The quiz's settings with the defaults filled in, as its settings form shows them."""
        try:
            quiz = self.read_quiz(lesson_slug) or {}
        except DraftError:
            quiz = {}
        return {**NEW_QUIZ, "draw": None,
                **{key: quiz[key] for key in QUIZ_SETTINGS if key in quiz}}

    def set_quiz_settings(self, lesson_slug: str, settings: Mapping) -> None:
        quiz = self.quiz_or_new(lesson_slug)
        bank = len(quiz.get("questions") or [])
        if settings.get("draw") and settings["draw"] > bank:
            raise DraftError(f"The bank holds {bank} question{'' if bank == 1 else 's'}: show "
                             "at most that many per attempt, or add questions first.", "draw")
        quiz.update({key: settings.get(key) for key in QUIZ_SETTINGS})
        self.write_quiz(lesson_slug, {key: quiz[key] for key in (*QUIZ_SETTINGS, "questions")
                                      if quiz.get(key) is not None})

    def questions(self, lesson_slug: str) -> list[dict]:
        try:
            return list((self.read_quiz(lesson_slug) or {}).get("questions") or [])
        except DraftError:
            return []

    def question(self, lesson_slug: str, key: str) -> dict | None:
        return next((q for q in self.questions(lesson_slug) if str(q.get("id")) == key), None)

    def save_question(self, lesson_slug: str, key: str | None, item: dict) -> None:
        """Write a question (a new one when `key` is None, or when it was removed meanwhile)
        at its place in the quiz."""
        self.lesson(lesson_slug)
        quiz = self.quiz_or_new(lesson_slug)
        items = list(quiz.get("questions") or [])
        keys = [str(q.get("id")) for q in items]
        if str(item["id"]) in set(keys) - {key}:
            raise DraftError("Another question of this quiz uses that id.", "key")
        if key in keys:
            items[keys.index(key)] = item
        else:
            items.append(item)
        quiz["questions"] = items
        self.write_quiz(lesson_slug, quiz)

    def move_question(self, lesson_slug: str, key: str, offset: int) -> None:
        quiz = self.read_quiz(lesson_slug) or {}
        items = list(quiz.get("questions") or [])
        keys = [str(q.get("id")) for q in items]
        if key not in keys:
            raise DraftError("no such question")
        index = keys.index(key)
        items.insert(min(max(index + offset, 0), len(items) - 1), items.pop(index))
        quiz["questions"] = items
        self.write_quiz(lesson_slug, quiz)

    def remove_question(self, lesson_slug: str, key: str) -> None:
        quiz = self.read_quiz(lesson_slug) or {}
        items = [q for q in quiz.get("questions") or [] if str(q.get("id")) != key]
        if len(items) == len(quiz.get("questions") or []):
            raise DraftError("no such question")
        quiz["questions"] = items
        self.write_quiz(lesson_slug, quiz)

    def question_lines(self, lesson_slug: str) -> list[tuple[int, str]]:
        """(first line, id) of each question in the quiz file, to tie a problem to one."""
        text = self.files.get(self.quiz_path(lesson_slug))
        try:
            data = parse_yaml(text) if text else None
        except ContentError:
            return []
        items = data.get("questions") if isinstance(data, LineMap) else None
        return [(item.line, str(item.get("id"))) for item in items or []
                if isinstance(item, LineMap)]


def _free_id(wanted: str, taken: set[str]) -> str:
    """`wanted` (o<n>) if free, else the next o<n> that is."""
    if wanted not in taken:
        return wanted
    number = int(wanted[1:])
    while f"o{number}" in taken:
        number += 1
    return f"o{number}"
