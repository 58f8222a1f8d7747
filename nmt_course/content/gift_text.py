"""A GIFT text, in the Moodle format it names, as the one line of inline Markdown that a
prompt, choice, feedback or explanation holds here. Pure.

Moodle reads each text in a format: `[moodle]` (the default: text as typed, line breaks
kept, formatting tags such as <b> allowed), `[plain]` (text as typed), `[html]` and
`[markdown]`. Each becomes Markdown that shows what Moodle shows:

- moodle and plain text is escaped, so that nothing in it reads as Markdown (`__init__`
  stays `__init__`, `1.` and `<html>` show as typed); in moodle text, the formatting tags
  listed in FORMATTING_TAGS are HTML, and any other `<` is a plain character;
- HTML is sanitised (nh3) and converted: paragraphs, line breaks, headings, list items,
  table rows and code lines become line breaks (<br>), bold and italic `**` and `*`, code
  `` `...` ``, links `[...](...)`, images `![...](...)`; sub, sup, small, mark and s stay as
  inline HTML; other tags keep only their text. An image Moodle keeps in its own files
  (@@PLUGINFILE@@) cannot come along: its description stays, and a note says so;
- Markdown stays as written when it is one paragraph, and is otherwise rendered and
  converted like HTML.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

from .markdown import (NotInline, escape_inline, protect_line_start, render_block,
                       render_inline)

FORMATS = ("moodle", "html", "plain", "markdown")
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
           "table", "thead", "tbody", "blockquote", "hr", "pre", "dl", "dt", "dd"}
_KEPT_INLINE = {"sub", "sup", "small", "mark", "s"}
FORMATTING_TAGS = (_BLOCKS | _KEPT_INLINE | {"b", "strong", "i", "em", "u", "code", "tt",
                                             "kbd", "samp", "var", "a", "img", "span",
                                             "font", "td", "th"})
_BOLD, _ITALIC = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6"}, {"i", "em"}
_CODE = {"code", "tt", "kbd", "samp"}
_NOT_FORMATTING = re.compile(
    r"<(?!/?(?:" + "|".join(sorted(FORMATTING_TAGS, key=len, reverse=True)) + r")[\s/>])",
    re.I)
# No blank line, and no line that could open a block (heading, quote, list, code, table,
# rule, raw HTML, admonition, definition): Markdown reads it as one paragraph.
_ONE_PARAGRAPH = re.compile(r"\A(?!.*\n[ \t]*\n)(?!(?:.*\n)?[ \t]*(?:[#>*+|<:!=`~-]|\d+[.)]))",
                            re.S)
_BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")
_BREAK = object()  # a line break between two blocks of the text
_LINK_TARGET = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})


def to_markdown(text: str, text_format: str) -> tuple[str, list[str]]:
    """(one line of inline Markdown showing `text` as Moodle shows it, notes for the author
    on what could not come along)."""
    if text_format == "markdown":
        if _ONE_PARAGRAPH.match(text):  # rendered only when it may hold blocks
            return " ".join(text.split()), []
        try:
            render_inline(text)
        except NotInline:
            return _from_html(render_block(text))
        return " ".join(text.split()), []
    if text_format == "plain":
        return _from_html(html.escape(text).replace("\n", "<br>"))
    if text_format == "moodle":
        text = _NOT_FORMATTING.sub("&lt;", _BARE_AMPERSAND.sub("&amp;", text))
        text = text.replace("\n", "<br>")
        return _from_html(text)
    return _from_html(text)


def _from_html(fragment: str) -> tuple[str, list[str]]:
    # Sanitised first: the standard library's parser is slow on unclosed tags; nh3's output
    # has none, and holds only tags this converter knows.
    clean = nh3.clean(fragment, tags=FORMATTING_TAGS, attributes={"a": {"href"},
                                                                 "img": {"src", "alt"}},
                      url_schemes={"http", "https", "mailto"}, link_rel=None)
    converter = _InlineMarkdown()
    converter.feed(clean)
    converter.close()
    return converter.result(), converter.notes


class _InlineMarkdown(HTMLParser):
    """Sanitised HTML in, one line of Markdown out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict, list]] = [("", {}, [])]
        self.numbers: list[int | None] = []
        self.raw = 0  # inside code or pre: text is taken as it is
        self.code_in_code = 0  # <code> inside <pre>: one code block, not two
        self.notes: list[str] = []

    @property
    def parts(self) -> list:
        return self.stack[-1][2]

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _CODE and self.raw:
            self.code_in_code += 1
            return
        attributes = dict(attrs)
        if tag in ("ul", "ol"):
            self.numbers.append(1 if tag == "ol" else None)
        if tag in _BLOCKS:
            self.parts.append(_BREAK)
        if tag == "li":
            number = self.numbers[-1] if self.numbers else None
            self.parts.append("• " if number is None else f"{number}. ")
            if number is not None:
                self.numbers[-1] = number + 1
        elif tag in ("td", "th") and self.parts and self.parts[-1] is not _BREAK:
            self.parts.append(" | ")
        elif tag == "img":
            self._image(attributes)
        if tag in _CODE or tag == "pre":
            self.raw += 1
        if tag in _BOLD | _ITALIC | _CODE | _KEPT_INLINE | {"a", "pre"}:
            self.stack.append((tag, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE and self.code_in_code:
            self.code_in_code -= 1
            return
        if tag in ("ul", "ol") and self.numbers:
            self.numbers.pop()
        if tag in _CODE or tag == "pre":
            self.raw = max(self.raw - 1, 0)
        if any(open_tag == tag for open_tag, _, _ in self.stack[1:]):
            while True:
                open_tag, attributes, inner = self.stack.pop()
                self.parts.append(_wrap(open_tag, attributes, inner))
                if open_tag == tag:
                    break
        if tag in _BLOCKS:
            self.parts.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.raw:
            self.parts.append(_Raw(data))
        else:
            self.parts.append(escape_inline(data))

    def _image(self, attributes: dict) -> None:
        alt, src = (attributes.get("alt") or "").strip(), attributes.get("src") or ""
        if src.startswith(("http://", "https://", "/")):
            self.parts.append(f"![{escape_inline(alt)}]({src.translate(_LINK_TARGET)})")
            return
        self.parts.append(escape_inline(alt))
        name = src.rsplit("/", 1)[-1] or "an image"
        self.notes.append(f"the image '{name}' is kept in Moodle's own files, so it did not "
                          "come along: upload it here and add it to the question")

    def close(self) -> None:
        super().close()
        while len(self.stack) > 1:
            open_tag, attributes, inner = self.stack.pop()
            self.parts.append(_wrap(open_tag, attributes, inner))

    def result(self) -> str:
        return protect_line_start(_joined(self.parts).strip())


class _Raw(str):
    """Text of code, taken as it is."""


def _joined(parts: list) -> str:
    """The parts as one line: breaks between blocks (never two in a row, none at either
    end), spacing collapsed outside code."""
    pieces: list[str] = []
    pending_break = False
    for part in parts:
        if part is _BREAK:
            pending_break = bool(pieces)
            continue
        text = part if isinstance(part, _Raw) else re.sub(r"\s+", " ", part)
        if not text.strip() and not isinstance(part, _Raw):
            if pieces and not pending_break and not pieces[-1].endswith(" "):
                pieces.append(" ")
            continue
        if pending_break:
            pieces.append("<br>")
            pending_break = False
            text = text.lstrip() if not isinstance(part, _Raw) else text
        pieces.append(text)
    line = "".join(pieces)
    return re.sub(r" *<br> *", "<br>", line)


def _wrap(tag: str, attributes: dict, inner: list) -> str:
    if tag in _CODE or tag == "pre":
        return _Raw(_code("".join(str(part) for part in inner if part is not _BREAK),
                          tag == "pre"))
    content = _joined(inner)
    core = content.strip()
    if not core:
        return content
    lead, trail = content[:len(content) - len(content.lstrip())], content[len(content.rstrip()):]
    if tag in _BOLD:
        wrapped = f"**{core}**"
    elif tag in _ITALIC:
        wrapped = f"*{core}*"
    elif tag == "a":
        href = (attributes.get("href") or "").translate(_LINK_TARGET)
        wrapped = f"[{core}]({href})" if href else core
    else:
        wrapped = f"<{tag}>{core}</{tag}>"
    return lead + wrapped + trail


def _code(text: str, block: bool) -> str:
    """Code as code spans: one line, or each line of a block (its indentation kept)."""
    lines = text.split("\n") if block else [" ".join(text.split())]
    spans = []
    for line in lines:
        if not line.strip():
            continue
        body = line.strip()
        indent = "\u00a0" * (len(line) - len(line.lstrip(" ")))  # a code span drops it
        fence = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
        padding = " " if body.startswith("`") or body.endswith("`") else ""
        spans.append(f"{indent}{fence}{padding}{body}{padding}{fence}")
    return "<br>".join(spans)
