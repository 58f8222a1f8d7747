"""The images a course shows: each must be one its course keeps, and a lesson's needs alt
text. Pure; checked on the sanitised HTML, so Markdown images and HTML <img> tags alike count."""
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


def check_images(course: CourseSource, kept: Collection[str],
                 texts: Mapping[str, str]) -> list[Problem]:
    """Problems with the images a course shows. Anywhere (description, lessons, questions)
    an image must be one of `kept`, the images the course has; in a lesson it must also be
    linked as one of the course's and carry alt text. `texts` holds each file's text, to
    point at the line that names the image. Messages name what the author wrote, never a
    file, since the browser shows them beside the lesson or question."""
    prefix = f"/courses/{course.slug}/images/"
    shown_by = [(course.path, course.description_html, False)]
    for lesson in course.lessons:
        shown_by.append((lesson.path, lesson.body_html, True))
        if lesson.quiz is not None:
            html = "".join(q.prompt_html + q.explanation_html + "".join(
                c.text_html for c in q.choices) for q in lesson.quiz.questions)
            shown_by.append((lesson.quiz.path, html, False))
    problems = []
    for path, html, in_lesson in shown_by:
        for src, alt in images_in(html):
            name = src[len(prefix):] if src.startswith(prefix) else None
            line = _line_of(texts.get(path, ""), name or src)
            if name is None or "/" in name:
                # The site's own static files stay allowed (the older way of showing one);
                # anything from elsewhere is blocked by the pages' CSP, so it would not show.
                if in_lesson and not src.startswith("/static/"):
                    problems.append(Problem(path, line, (
                        f"the image '{src}' is not one of the course's: a lesson shows images "
                        f"kept with its course, linked as {prefix}<name>"), rule="image-missing"))
            elif name not in kept:
                problems.append(Problem(path, line, (
                    f"the image '{name}' is not among the course's images: upload it, or "
                    "correct its name"), rule="image-missing"))
            if in_lesson and not alt:
                problems.append(Problem(path, line, (
                    f"the image '{name or src}' has no alt text: write what it shows between "
                    "the brackets, ![like this](...), so learners who cannot see it get the "
                    "same information"), rule="image-alt"))
    return problems


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle and needle in line:
            return number
    return 1
