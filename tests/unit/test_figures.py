"""The images a lesson shows are checked like the rest of the content: each one must be kept
with its course, and each needs alt text."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from nmt_course.config import PROJECT_ROOT

from nmt_course.content import Severity, load_content, load_files
from nmt_course.content.images import check_image
from tests.unit.test_content import tree, write  # noqa: F401 (the fixture)

HEADER = """
---
title: A Lesson
objectives:
  - Do a thing.
---
## Body

Some words here.

"""


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def kept_image(tree) -> str:
    image = check_image("neck.png", png())
    (tree[0] / "course-a" / "images").mkdir()
    (tree[0] / "course-a" / "images" / image.name).write_bytes(image.data)
    return image.name


def lesson_with(tree, line: str) -> None:
    write(tree[0] / "course-a" / "01-a-lesson.md", HEADER + line + "\n")


def errors(tree) -> list[str]:
    return [str(p) for p in load_content(*tree).problems if p.severity is Severity.ERROR]


def test_an_image_kept_with_the_course_and_described_passes(tree):
    name = kept_image(tree)
    lesson_with(tree, f"![The neck from the side](/courses/course-a/images/{name})")
    assert errors(tree) == []


def test_an_image_missing_from_the_course_is_an_error_naming_its_line(tree):
    lesson_with(tree, "![The neck](/courses/course-a/images/neck.0123456789.png)")
    (problem,) = errors(tree)
    assert problem.startswith("lessons/course-a/01-a-lesson.md:10: the image "
                              "'neck.0123456789.png' is not among the course's images")


def test_an_image_without_alt_text_is_an_error(tree):
    name = kept_image(tree)
    lesson_with(tree, f"![ ](/courses/course-a/images/{name})")
    (problem,) = errors(tree)
    assert f"lessons/course-a/01-a-lesson.md:10: the image '{name}' has no alt text" in problem


def test_an_html_image_is_checked_too(tree):
    name = kept_image(tree)
    lesson_with(tree, f'<img src="/courses/course-a/images/{name}">')
    (problem,) = errors(tree)
    assert f"the image '{name}' has no alt text" in problem


def test_an_image_from_elsewhere_is_an_error(tree):
    lesson_with(tree, "![A diagram](https://example.com/diagram.png)")
    (problem,) = errors(tree)
    assert "the image 'https://example.com/diagram.png' is not one of the course's" in problem


def test_a_draft_may_show_the_images_the_site_keeps_for_its_course(tree):
    lesson_with(tree, "![The neck](/courses/course-a/images/neck.0123456789.png)")
    files = load_content(*tree).courses[0].files
    assert load_files(files, {"neck.0123456789.png"}).errors == ()
    (missing,) = load_files(files, {"other.0123456789.png"}).errors
    assert "is not among the course's images" in missing.message
    lesson_with(tree, "![](/courses/course-a/images/neck.0123456789.png)")
    (no_alt,) = load_files(load_content(*tree).courses[0].files, {"neck.0123456789.png"}).errors
    assert "has no alt text" in no_alt.message


def _renderer():
    import importlib.util
    import sys
    spec = importlib.util.spec_from_file_location(
        "render_figures", PROJECT_ROOT / "tools" / "render_figures.py")
    renderer = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(renderer)
    return renderer


def test_each_shipped_figure_has_one_image_linked_with_a_caption():
    """Every figures/<course>/<name>.svg has one PNG <name>.<hash>.png among the course's
    images, and a lesson links it with a caption paragraph starting 'Figure:' after it."""
    sources = sorted((PROJECT_ROOT / "figures").glob("*/*.svg"))
    assert len(sources) >= 8
    shown = "".join(path.read_text() for path in (PROJECT_ROOT / "lessons").rglob("*.md"))
    for svg in sources:
        (png,) = (PROJECT_ROOT / "lessons" / svg.parent.name / "images").glob(f"{svg.stem}.*.png")
        link = f"/courses/{svg.parent.name}/images/{png.name})]"
        assert re.search(re.escape(link) + r"\([^)]+\)\n\n\*Figure: ", shown), png.name


@pytest.mark.slow
def test_the_shipped_images_are_what_tools_render_figures_makes_of_their_sources():
    renderer = _renderer()
    assert renderer.changes(renderer.figures(PROJECT_ROOT), PROJECT_ROOT) == {}
