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


class DraftError(ValueError):
    """An edit the draft cannot take; the message says why."""


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
        self._renumber([entry.slug for entry in self.lessons()])

    def move_lesson(self, slug: str, offset: int) -> None:
        order = [entry.slug for entry in self.lessons()]
        index = order.index(self.lesson(slug).slug)
        target = min(max(index + offset, 0), len(order) - 1)
        order.insert(target, order.pop(index))
        self._renumber(order)

    def _renumber(self, order: list[str]) -> None:
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
