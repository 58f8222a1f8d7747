"""How much Markdown is read (markdown_bounds.py): each stated rule, the attacks of issue 15
finishing in bounded time, and the shipped lessons rendering exactly as without the bounds."""
from __future__ import annotations

import time

import markdown
import pytest

from nmt_course.config import PROJECT_ROOT
from nmt_course.content.markdown import (_EXTENSION_CONFIG, _EXTENSIONS, render_block,
                                         render_inline, sanitise)
from nmt_course.content.markdown_bounds import (MAX_BLOCK_CHARS, MAX_BLOCK_LINES, MAX_BLOCKS,
                                                MAX_FOOTNOTE_REFERENCES, MAX_LINK_PART,
                                                MAX_MARKS, MAX_NESTING, MAX_TAGS,
                                                bound_source, plain_unclosed)
from nmt_course.content.source import parse_front_matter


def unbounded(text: str) -> str:
    """Python-Markdown as it was, without the bounds."""
    converter = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIG,
                                  output_format="html")
    return sanitise(converter.convert(text))


def test_the_shipped_lessons_render_exactly_as_without_the_bounds():
    lessons = sorted((PROJECT_ROOT / "lessons").glob("*/[0-9]*.md"))
    assert len(lessons) >= 10
    for path in lessons:
        body = parse_front_matter(path.read_text(encoding="utf-8")).body
        assert render_block(body) == unbounded(body), path.name


@pytest.mark.parametrize("text", [
    "A [link](https://example.org/a_(b)) and [a [nested] one](/x) and ![img](/i.png).",
    "Text with [^note] a footnote.\n\n[^note]: The note.",
    "A [reference][ref] and [ref].\n\n[ref]: https://example.org",
    "`code [with` a bracket` and <b>bold</b> & <!-- a comment --> x < y > z.",
    "| a | b |\n|---|---|\n| [x](/y) | **z** |",
    "Spaces **between** *inline* `elements` [stay](/x) <b>as</b> <i>written</i>.",
])
def test_ordinary_markdown_renders_as_without_the_bounds(text):
    assert render_block(text) == unbounded(text)


def test_brackets_and_angles_nothing_closes_are_plain():
    assert render_inline("see [this and <b that") == "see [this and &lt;b that"
    assert render_inline("[a](b") == "[a](b"
    assert render_inline("[" * 50) == "[" * 50


def test_the_characters_nothing_closes_are_the_ones_made_plain():
    """Before rendering: each bracket or angle nothing closes becomes a placeholder that is
    put back as the plain character (so Python-Markdown never scans the rest for it)."""
    plain = bound_source("<b>x</b> a <b and <c")
    assert plain.startswith("<b>x</b> a ") and "<" not in plain[len("<b>x</b> a "):]
    made = plain_unclosed("[a](/b) [c [d] `[e` (f [g](h")
    assert made == "[a](/b) \ufdd1c [d] `[e` (f [g]\ufdd3h"  # "[c" and the "(" after "[g]"
    assert render_inline("[a](/b) [c [d] `[e` (f [g](h") == (
        '<a href="/b" rel="noopener noreferrer">a</a> [c [d] <code>[e</code> (f [g](h')


def test_a_long_run_of_lines_is_read_in_parts_and_a_table_keeps_its_header():
    rows = "\n".join(f"| {n} | x |" for n in range(MAX_BLOCK_LINES + 20))
    html = render_block("| n | x |\n|---|---|\n" + rows)
    assert html.count("<table>") == 2 and html.count("<th>n</th>") == 2
    assert html.count("<td>") == 2 * (MAX_BLOCK_LINES + 20)


def test_brackets_nested_too_deep_are_plain():
    deep = "[" * (MAX_NESTING + 2) + "x" + "]" * (MAX_NESTING + 2)
    assert render_inline(deep + "(/y)") == unbounded(deep + "(/y)")[3:-4]  # shown the same
    assert render_inline("[" * 200 + "x" + "]" * 200) == "[" * 200 + "x" + "]" * 200


def test_quote_and_list_markers_after_the_first_few_on_a_line_are_plain():
    html = render_block("> " * (MAX_NESTING + 3) + "deep")
    assert html.count("<blockquote>") == MAX_NESTING
    assert "&gt; &gt; &gt; deep" in html


def test_a_paragraph_past_the_length_limit_is_shown_as_written():
    long = "**a** " + "x" * MAX_BLOCK_CHARS
    assert "<strong>" not in render_block(long) and "**a**" in render_block(long)
    assert "<strong>" in render_block(long[:MAX_BLOCK_CHARS - 10])


def test_inline_markdown_is_read_until_the_marks_budget_is_spent():
    paragraphs = ["*a* " * 100] * (MAX_MARKS // 200 + 2)
    html = render_block("\n\n".join(paragraphs))
    assert html.count("<em>a</em>") == MAX_MARKS // 2  # two marks each
    assert "<em>a</em> <em>a</em>" in html  # spacing between inline elements kept
    assert html.rstrip().endswith("*a* </p>")


def test_blocks_past_the_budget_are_shown_as_written():
    html = render_block("\n\n".join(["**b**"] * (MAX_BLOCKS + 2)))
    assert html.count("<strong>b</strong>") == MAX_BLOCKS
    assert html.endswith("<p>**b**</p>\n<p>**b**</p>")


def test_tags_and_footnote_references_past_their_budgets_are_plain():
    tags = render_block("<b>x</b> " * (MAX_TAGS // 2 + 5))
    assert tags.count("<b>") == MAX_TAGS // 2 and "&lt;b&gt;x&lt;/b&gt;" in tags
    notes = render_block("x[^a] " * (MAX_FOOTNOTE_REFERENCES + 5) + "\n\n[^a]: note")
    assert notes.count('class="footnote-ref"') <= MAX_FOOTNOTE_REFERENCES
    assert "[^a]" in notes


def test_a_link_address_past_the_limit_is_not_a_link():
    near = "/" + "a" * (MAX_LINK_PART - 50)
    assert "<a href" in render_inline(f"[x]({near})")
    assert "<a href" not in render_inline(f"[x](/{'a' * MAX_LINK_PART})")


def test_lists_nested_hundreds_deep_are_shown_as_written_not_a_crash():
    html = render_block("\n".join("    " * depth + "- item" for depth in range(400)))
    assert "item" in html



def test_markdown_too_deep_to_read_is_shown_as_written(monkeypatch):
    """Python-Markdown guards its own nesting; should a text still reach Python's recursion
    limit, it is shown as written instead of failing the page."""
    def too_deep(self, text):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(markdown.Markdown, "convert", too_deep)
    assert render_block("- a\n    - <b>") == "<p>- a<br>\n    - &lt;b&gt;</p>"


@pytest.mark.parametrize("attack", [
    "[" * 10_000,  # 37 s before
    "![" * 20_000,  # 153 s before
    "[a](" * 10_000,
    "<a " * 20_000,
    "# a\n" * 20_000,
    "- - - - - - - - - - a\n" * 5_000,
    "x[^a]\n\n[^a]: b\n\n" * 5_000,
    "*a* " * 20_000,
])
def test_each_attack_renders_in_bounded_time(attack):
    start = time.perf_counter()
    render_block(attack)
    assert time.perf_counter() - start < 20
