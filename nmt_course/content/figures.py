"""The images a lesson shows: each must be one its course keeps, and each needs alt text.
Pure; checked on the sanitised HTML, so Markdown images and HTML <img> tags alike count."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from html.parser import HTMLParser

from .model import CourseSource, Problem


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (src, alt) of every <img> with a src

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attrs = dict(attrs)
            if attrs.get("src"):
                self.found.append((attrs["src"], (attrs.get("alt") or "").strip()))


def images_in(html: str) -> list[tuple[str, str]]:
    parser = _Images()
    parser.feed(html)
    return parser.found


def check_lesson_images(course: CourseSource, kept: Collection[str] | None,
                        texts: Mapping[str, str]) -> list[Problem]:
    """Problems with the images the course's lessons show. `kept` names the images the
    course has (None: not known here, so only alt text is checked); `texts` holds each
    lesson file's text, to point at the line that names the image."""
    prefix = f"/courses/{course.slug}/images/"
    problems = []
    for lesson in course.lessons:
        for src, alt in images_in(lesson.body_html):
            name = src[len(prefix):] if src.startswith(prefix) else None
            line = _line_of(texts.get(lesson.path, ""), name or src)
            if name is None or "/" in name:
                problems.append(Problem(lesson.path, line, (
                    f"the image '{src}' is not one of the course's: lessons show images kept "
                    f"with the course, linked as {prefix}<name> (files in "
                    f"lessons/{course.slug}/images/, or uploaded in the Author area)"),
                    rule="image-missing"))
            elif kept is not None and name not in kept:
                problems.append(Problem(lesson.path, line, (
                    f"the image '{name}' does not exist: add it to lessons/{course.slug}/"
                    "images/ (or upload it in the Author area) and link it by the name it "
                    "is given"), rule="image-missing"))
            if not alt:
                problems.append(Problem(lesson.path, line, (
                    f"the image '{name or src}' has no alt text: write what it shows between "
                    "the brackets, ![like this](...), so learners who cannot see it get the "
                    "same information"), rule="image-alt"))
    return problems


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle and needle in line:
            return number
    return 1
