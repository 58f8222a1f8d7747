"""How much Markdown is read, so that rendering stays linear in the text's length. Pure.

Python-Markdown does work in proportion to the rest of a paragraph for each `[` it tries as a
link and each `<` its HTML parser tries as a tag, in proportion to a whole block for each
heading, rule or definition it takes out of a block, and for each inline match in a
paragraph; text built of those (10,000 `[` took 37 s, 10,000 headings on consecutive lines
14 s) would hold a request for minutes. So, before and while rendering (the rules are
stated in docs/content.md, "How much Markdown is read"):

- a `<` with no `>` anywhere after it, a `[` that no `]` closes, and a `(` right after a `]`
  that no `)` closes are plain characters: Markdown could not make a tag or a link of them;
- after the first MAX_TAGS `<` that could open a tag, the first MAX_FENCES code fences
  (lines opening or closing a fenced code block) and the first MAX_FOOTNOTE_REFERENCES
  footnote references `[^...]`, further ones are plain;
- a document is read for its first MAX_BLOCKS blocks (paragraphs, headings, list items,
  quotes, counting those inside others); the rest is shown as written;
- inline Markdown is read in the first MAX_READ_ELEMENTS paragraphs, headings, list items
  and table cells, until MAX_MARKS marks (`*`, `_`, backticks, `[`, `<`, `&`, backslashes,
  quotes, `--`, line breaks) have been read; later ones are shown as written (the longest
  shipped lesson has 229 marks);
- brackets nested more than MAX_NESTING deep are plain, and so are the quote and list
  markers after the first MAX_NESTING that open a line (`> > > ...`, `- - - ...`);
- a run of more than MAX_BLOCK_LINES lines without a blank line is read as several blocks
  (a table's header is repeated at the top of each part);
- a paragraph, heading, list item or table cell longer than MAX_BLOCK_CHARS is shown as
  written, its Markdown not read;
- only the first MAX_ABBREVIATIONS abbreviation definitions (`*[NMT]: ...`) count;
- a link's text, or its address, longer than MAX_LINK_PART characters is not a link.

Plain characters travel through rendering as Unicode noncharacters (removed from the text
first, so text never holds them) and are put back in the HTML at the end.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import PrettifyTreeprocessor, Treeprocessor
from markdown.util import AtomicString

MAX_NESTING = 8
MAX_BLOCK_LINES = 100
MAX_BLOCK_CHARS = 20_000
MAX_BLOCKS = 2_000
MAX_READ_ELEMENTS = 5_000
MAX_MARKS = 10_000
MAX_ABBREVIATIONS = 100
MAX_FOOTNOTE_REFERENCES = 100
MAX_TAGS = 2_000
MAX_FENCES = 500
MAX_LINK_PART = 2_000

_PLAIN = {"<": "\ufdd0", "[": "\ufdd1", "]": "\ufdd2", "(": "\ufdd3", "`": "\ufdd4",
          "~": "\ufdd5"}
_PUT_BACK = {mark: ("&lt;" if char == "<" else char) for char, mark in _PLAIN.items()}
_NONCHARACTERS = {code: None for code in range(0xFDD0, 0xFDF0)}
_CONTAINER = re.compile(r"[ \t]*(?:>|[-+*]|\d{1,9}[.)])(?=[ \t]|$)")
_TABLE_RULE = re.compile(r"^[ ]{0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


_TAG_OPENING = re.compile(r"<(?=[/!?a-zA-Z])")
_MARK = re.compile(r"[*_`\[<&\\'\"]|--|  \n")
_FENCE = re.compile(r"^([ ]{0,3})(`{3,}|~{3,})", re.MULTILINE)


def bound_source(text: str) -> str:
    """The text with noncharacters removed, every `<` that nothing closes, the tag openings
    past MAX_TAGS and the code fences past MAX_FENCES made plain."""
    text = text.translate(_NONCHARACTERS)
    last_close = text.rfind(">")
    if text.find("<", last_close + 1) != -1:
        text = text[:last_close + 1] + text[last_close + 1:].replace("<", _PLAIN["<"])
    text = _past(_TAG_OPENING, MAX_TAGS, lambda match: _PLAIN["<"], text)
    return _past(_FENCE, MAX_FENCES,
                 lambda match: match[1] + _PLAIN[match[2][0]] * len(match[2]), text)


def _past(pattern: re.Pattern, allowed: int, replacement, text: str) -> str:
    """The text with each match of `pattern` after the first `allowed` replaced."""
    matches = pattern.finditer(text)
    for _ in zip(range(allowed), matches):
        pass
    past = next(matches, None)
    if past is None:
        return text
    return text[:past.start()] + pattern.sub(replacement, text[past.start():])


def plain_unclosed(text: str, budget: dict[str, int] | None = None) -> str:
    """The inline text with its unclosed and over-nested brackets made plain, leaving code
    spans and escaped characters alone (Markdown reads neither as a link), and footnote
    references past those the budget still allows. Linear."""
    code = _backtick_runs(text)
    plain: list[int] = []
    brackets: list[int] = []
    parens: list[int] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            closing = code.get(index)
            index = closing if closing is not None else _run_end(text, index)
            continue
        if char == "[":
            brackets.append(index)
            if budget is not None and text.startswith("^", index + 1):
                budget["footnotes"] -= 1
                if budget["footnotes"] < 0:
                    plain.append(index)
                    brackets.pop()
        elif char == "]" and brackets:
            opening = brackets.pop()
            if len(brackets) >= MAX_NESTING:
                plain += (opening, index)
        elif char == "(":
            parens.append(index)
        elif char == ")" and parens:
            parens.pop()
        index += 1
    plain += brackets
    plain += (position for position in parens if text[position - 1:position] == "]")
    if not plain:
        return text
    characters = list(text)
    for position in plain:
        characters[position] = _PLAIN[characters[position]]
    return "".join(characters)


def _run_end(text: str, index: int) -> int:
    while index < len(text) and text[index] == "`":
        index += 1
    return index


def _backtick_runs(text: str) -> dict[int, int]:
    """{start of an opening backtick run: end of its closing run}, as Markdown pairs them:
    a run closes at the next run of the same length. Linear: each length's runs are paired
    in one pass."""
    starts_by_length: dict[int, list[int]] = {}
    index = 0
    while (index := text.find("`", index)) != -1:
        end = _run_end(text, index)
        escaped = index > 0 and text[index - 1] == "\\"
        if not escaped:
            starts_by_length.setdefault(end - index, []).append(index)
        index = end
    spans: dict[int, int] = {}
    for length, starts in starts_by_length.items():
        for opening, closing in zip(starts[::2], starts[1::2]):
            spans[opening] = closing + length
    # Pairing each length's runs in order can miss a span Markdown sees (when a run sat inside
    # a span of another length) but never invents one: a bracket in code may be counted,
    # which only makes it plain (it looks the same), never one outside code skipped.
    return spans


class _ShortBlocks(Preprocessor):
    """Blank lines into runs of more than MAX_BLOCK_LINES lines, and abbreviation definitions
    past MAX_ABBREVIATIONS escaped (after code blocks and raw HTML are set aside, so
    neither is touched)."""

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        run: list[str] = []
        abbreviations = 0
        for line in lines + [""]:
            line = _shallow(line)
            if line.startswith("*["):
                abbreviations += 1
                if abbreviations > MAX_ABBREVIATIONS:
                    line = "\\" + line
            if line.strip():
                run.append(line)
                continue
            result += _split_run(run)
            result.append(line)
            run = []
        return result[:-1]


def _shallow(line: str) -> str:
    """The line with the container markers it opens after MAX_NESTING made plain."""
    position = 0
    for _ in range(MAX_NESTING):
        marker = _CONTAINER.match(line, position)
        if marker is None:
            return line
        position = marker.end()
    marker = _CONTAINER.match(line, position)
    if marker is None:
        return line
    start = len(line) - len(line[position:].lstrip(" \t"))
    return line[:start] + "\\" + line[start:]


def _split_run(run: list[str]) -> list[str]:
    if len(run) <= MAX_BLOCK_LINES:
        return run
    header = run[:2] if len(run) > 2 and "|" in run[0] and _TABLE_RULE.match(run[1]) else []
    step = MAX_BLOCK_LINES - len(header)
    parts = [run[:MAX_BLOCK_LINES]]
    parts += [header + run[start:start + step]
              for start in range(MAX_BLOCK_LINES, len(run), step)]
    return [line for number, part in enumerate(parts)
            for line in ([""] if number else []) + part]


class _BlockBudget(BlockProcessor):
    """Tried before every other block processor: once MAX_BLOCKS blocks have been read, each
    further block becomes a paragraph shown as written."""

    def __init__(self, parser):
        super().__init__(parser)
        self.seen = 0

    def test(self, parent: etree.Element, block: str) -> bool:
        self.seen += 1
        return self.seen > MAX_BLOCKS

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        if block.strip():
            etree.SubElement(parent, "p").text = AtomicString(block)


class _InlineBounds(Treeprocessor):
    """Before inline Markdown is read: blocks past MAX_BLOCKS and overlong ones as written,
    unclosed brackets plain, and the blank tails between blocks dropped (Python-Markdown
    looks each tail's element up among all its siblings; the prettifier puts them back)."""

    def run(self, root: etree.Element) -> None:
        _drop_blank_tails(self.md, root)
        budget = {"elements": MAX_READ_ELEMENTS, "marks": MAX_MARKS,
                  "footnotes": MAX_FOOTNOTE_REFERENCES}
        for element in root.iter():
            if element.tag in ("code", "pre") or not element.text:
                continue
            budget["elements"] -= 1
            element.text = _bounded(element.text, budget)
            element.tail = _bounded(element.tail, budget)


def _drop_blank_tails(md: Markdown, root: etree.Element) -> None:
    """Only between blocks: a space between two inline elements is text."""
    for element in root.iter():
        if (element.tail is not None and not element.tail.strip()
                and md.is_block_level(element.tag)):
            element.tail = None


class _DropBlankTails(Treeprocessor):
    """Before smartypants' own pass over the inline text, which looks tails up likewise."""

    def run(self, root: etree.Element) -> None:
        _drop_blank_tails(self.md, root)


def _bounded(text: str | None, budget: dict[str, int]) -> str | None:
    if not text or isinstance(text, AtomicString):
        return text
    budget["marks"] -= len(_MARK.findall(text))
    if len(text) > MAX_BLOCK_CHARS or budget["elements"] < 0 or budget["marks"] < 0:
        return AtomicString(text)
    return plain_unclosed(text, budget)


class _BoundedLinkParts:
    """A link processor that reads a link's text and address only so far."""

    def getText(self, data: str, index: int):  # noqa: N802 - Python-Markdown's name
        return super().getText(data[:index + MAX_LINK_PART], index)

    def getLink(self, data: str, index: int):  # noqa: N802
        return super().getLink(data[:index + MAX_LINK_PART], index)


class _PutBackPlain(Postprocessor):
    def run(self, text: str) -> str:
        for mark, char in _PUT_BACK.items():
            text = text.replace(mark, char)
        return text


class BoundsExtension(Extension):
    def reset(self) -> None:
        self.budget.seen = 0

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        self.budget = _BlockBudget(md.parser)
        md.parser.blockprocessors.register(self.budget, "block_budget", 1000)
        md.preprocessors.register(_ShortBlocks(md), "short_blocks", 10)
        md.treeprocessors.register(_InlineBounds(md), "inline_bounds", 25)
        md.treeprocessors.register(_DropBlankTails(md), "drop_blank_tails", 8)
        md.treeprocessors.register(PrettifyTreeprocessor(md), "prettify_again", 1)
        md.postprocessors.register(_PutBackPlain(md), "put_back_plain", 5)
        for processor in md.inlinePatterns:
            if isinstance(processor, LinkInlineProcessor):
                kind = type(processor)
                processor.__class__ = type(f"Bounded{kind.__name__}",
                                           (_BoundedLinkParts, kind), {})
