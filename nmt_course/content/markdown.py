"""Markdown to sanitised HTML, read within the bounds of markdown_bounds (linear time)."""
from __future__ import annotations

import html
import re
import threading

import markdown
import nh3

from .markdown_bounds import BoundsExtension, bound_source

_EXTENSIONS = ["tables", "admonition", "fenced_code", "sane_lists", "smarty", "toc", "abbr",
               "def_list", "footnotes"]
_EXTENSION_CONFIG = {"toc": {"toc_depth": "2-4"}}

_BLOCK_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "div", "dl", "dt", "dd", "figure",
    "figcaption", "section",
}
_INLINE_TAGS = {"a", "strong", "em", "b", "i", "code", "sup", "sub", "abbr", "img", "span",
                "small", "mark", "s", "br"}
ADMONITION_KINDS = {"note", "tip", "warning", "caution", "important", "danger", "example",
                     "clinical"}
_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"}, "sup": {"id"},
}
# Classes are allowed by value only (ammonia refuses "class" in both lists).
_CLASSES = {
    "div": ADMONITION_KINDS | {"admonition", "footnote"},
    "p": {"admonition-title"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


_local = threading.local()


def _convert(text: str) -> str:
    # Building a Markdown instance costs far more than converting a prompt, so each thread
    # keeps one and resets it between documents (it is not safe to share across threads).
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(
            extensions=[*_EXTENSIONS, BoundsExtension()], extension_configs=_EXTENSION_CONFIG,
            output_format="html")
    try:
        return converter.reset().convert(bound_source(text))
    except RecursionError:
        # Lists or quotes nested hundreds deep: shown as written (docs/content.md).
        return "<p>" + html.escape(text).replace("\n", "<br>\n") + "</p>"


def sanitise(fragment: str, *, inline: bool = False) -> str:
    """Keep only the tags and attributes lesson content needs; strip everything else."""
    tags = _INLINE_TAGS if inline else _BLOCK_TAGS | _INLINE_TAGS
    return nh3.clean(fragment, tags=tags, attributes=_ATTRIBUTES, allowed_classes=_CLASSES,
                     url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer")


def render_block(text: str) -> str:
    """Render lesson bodies, descriptions and explanations."""
    return render_document(text)[0]


def render_document(text: str) -> tuple[str, bool]:
    """Render block Markdown; also say whether it used a level-1 heading (which is dropped:
    the page's own title is its only <h1>)."""
    if not text.strip():
        return "", False
    converted = _convert(text)
    return sanitise(converted), "<h1" in converted


class NotInline(ValueError):
    """The Markdown holds paragraphs, lists or headings where a single line is required."""


_SINGLE_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.S)


def render_inline(text: str) -> str:
    """Render a prompt, choice or title: one paragraph of inline Markdown, without the <p>."""
    if not text.strip():
        return ""
    converted = _convert(text).strip()
    match = _SINGLE_PARAGRAPH.match(converted)
    if not match or "<p>" in match.group(1):
        raise NotInline("use one paragraph of inline Markdown here (no lists, headings or "
                        "blank lines)")
    return sanitise(match.group(1), inline=True)


# What Markdown would read in plain text, and nothing more (so that imported text stays
# readable as Markdown source): code, links, escapes, entities, tags, joined dashes,
# asterisks not standing alone, and underscores at a word's edge (inside a word, or alone
# like a blank _____, they are text).
_MARKUP = re.compile(r"""`|\[|\\(?=[\\`*_{}\[\]()>#+\-.!'"|])|&(?=\#?\w+;)|<(?=[A-Za-z/!?])
    |(?<=-)-|(?<!\s)\*|\*(?!\s)|(?<![^\W_])_+(?=[^\W_])|(?<=[^\W_])_+(?![^\W_])""", re.X)
_MARKUP_OUT = {"&": "&amp;", "<": "&lt;"}
_LINE_START = re.compile(r"^(?:#|>|[-+*](?=\s|$)|\d+(?=[.)](?:\s|$))|([-*_])(?=(?:\s*\1){2,}\s*$))")


def escape_inline(text: str) -> str:
    """Markdown that shows `text` as written inside a line: no emphasis, code, link, tag or
    entity is read in it, and dashes are not joined."""
    return _MARKUP.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    found = match.group(0)
    return _MARKUP_OUT.get(found) or "".join("\\" + char for char in found)


def protect_line_start(markdown_line: str) -> str:
    """The line, with a backslash where its first characters would open a heading, quote or
    list (Markdown reads `1. First` as a list)."""
    start = _LINE_START.match(markdown_line)
    if start is None:
        return markdown_line
    if start.group(0).isdigit():
        return markdown_line[:start.end()] + "\\" + markdown_line[start.end():]
    return "\\" + markdown_line


def escape_markdown(text: str) -> str:
    """Markdown for one line that shows `text` as written (spacing collapsed)."""
    return protect_line_start(escape_inline(" ".join(text.split())))


_TAG = re.compile(r"<[^>]+>")


def shown_text(markdown_text: str) -> str:
    """One line of Markdown as a reader sees it (its source, if it is not one line)."""
    try:
        return " ".join(plain_text(render_inline(markdown_text)).split())
    except NotInline:
        return markdown_text


def plain_text(fragment: str) -> str:
    return html.unescape(_TAG.sub(" ", fragment))


def count_words(fragment: str) -> int:
    """Words a reader reads in rendered HTML."""
    return len(plain_text(fragment).split())


# What the CE-hours rule leaves out of a lesson's prose (docs/content.md): sections headed
# like these, down to the next heading of the same or a higher level; code; and image text
# (alt text is an attribute, so plain_text never counts it).
UNCOUNTED_SECTIONS = ("References", "Sources", "Further reading")
_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S)
_HEADING = re.compile(r"<h([2-6])\b[^>]*>(.*?)</h\1>", re.S)


def prose_words(fragment: str) -> int:
    """Words of a rendered lesson a reader reads as prose: count_words without code and
    without the sections the CE-hours rule leaves out."""
    text = _CODE.sub(" ", fragment)
    uncounted = {title.casefold() for title in UNCOUNTED_SECTIONS}
    words, start, skipping = 0, 0, None  # skipping: the level of the section left out
    for heading in _HEADING.finditer(text):
        if skipping is None:
            words += count_words(text[start:heading.start()])
        level = int(heading.group(1))
        if skipping is not None and level > skipping:
            continue
        title = " ".join(plain_text(heading.group(2)).split()).rstrip(":").casefold()
        skipping = level if title in uncounted else None
        if skipping is None:
            words += count_words(heading.group(0))
        start = heading.end()
    if skipping is None:
        words += count_words(text[start:])
    return words
