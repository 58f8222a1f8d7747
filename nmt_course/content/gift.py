"""Moodle's GIFT question format, read into questions of our quiz format. Pure.

Supported: multiple choice (one right answer; partial-credit choices import with a warning
that only the 100 % choice counts), multiple answer (every choice with a positive weight is
right), true/false, missing word (the blank is shown, the text after it kept), per-choice
feedback (#), general feedback (####) as the explanation, question names (::name::), text
formats ([markdown], [html], [plain], [moodle]) and the escapes \\= \\~ \\# \\{ \\} \\: \\\\.
Essay, matching, numerical and short-answer questions, and text with no answers, are listed
by line and skipped, never silently dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .markdown import NotInline, render_inline

_ESCAPES = {"\\=": "=", "\\~": "~", "\\#": "#", "\\{": "{", "\\}": "}", "\\:": ":",
            "\\n": "\n", "\\\\": "\\"}
_FORMAT = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.I)
_TITLE = re.compile(r"^\s*::(.*?)(?<!\\)::", re.S)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}
_STRAY_TAIL = re.compile(r"^[\s\"';`]*$")  # junk after the closing brace, not a sentence


@dataclass
class GiftResult:
    questions: list[dict] = field(default_factory=list)  # in our quiz file's format
    skipped: list[str] = field(default_factory=list)  # "line N: why", one per question
    warnings: list[str] = field(default_factory=list)


def _unescape(text: str) -> str:
    return re.sub(r"\\[=~#{}:n\\]", lambda m: _ESCAPES[m.group(0)], text)


def _find_unescaped(text: str, chars: str, start: int = 0) -> int:
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in chars:
            return index
        index += 1
    return -1


def _split_unescaped(text: str, separators: str) -> list[str]:
    """Split before each unescaped separator, keeping it at the start of its part."""
    parts, start, index = [], 0, 0
    while (index := _find_unescaped(text, separators, index)) != -1:
        parts.append(text[start:index])
        start, index = index, index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


def _clean(text: str) -> str:
    """One paragraph of text: format markers dropped, escapes undone, lines joined."""
    return " ".join(_unescape(_FORMAT.sub("", text)).split())


def _inline(text: str) -> str:
    """Text that renders as one paragraph (a leading # or > would make a block)."""
    try:
        render_inline(text)
    except NotInline:
        return "\\" + text
    return text


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each question: comment lines dropped, blank lines between."""
    blocks, current, first = [], [], 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((first, "\n".join(current)))
                current = []
            continue
        if not current:
            first = number
        current.append(line)
    if current:
        blocks.append((first, "\n".join(current)))
    return blocks


def same_prompt(prompt: str) -> str:
    """A prompt as compared for duplicates: case and spacing do not count."""
    return " ".join(prompt.casefold().split())


def parse_gift(text: str, taken_ids: set[str] | None = None,
               known_prompts: dict[str, str] | None = None) -> GiftResult:
    """`known_prompts`: same_prompt(prompt) -> id of the questions already in the quiz; a
    question asking the same (a file imported twice) is listed as skipped. Questions of the
    file itself may repeat a prompt (in another format, say): they are all kept."""
    result = GiftResult()
    taken = set(taken_ids or ())
    known = known_prompts or {}
    for line, block in _blocks(text):
        _parse_block(line, block, result, taken, known)
    return result


def _unique_id(name: str, line: int, taken: set[str]) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if len(words) > 40:  # cut at a word's end, not in the middle of one
        words = words[:41].rsplit("-", 1)[0]
    base = words or f"gift-line-{line}"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    taken.add(key)
    return key


def _parse_block(line: int, block: str, result: GiftResult, taken: set[str],
                 known: dict[str, str]) -> None:
    name = ""
    title = _TITLE.match(block)
    if title:
        name, block = _unescape(title.group(1)).strip(), block[title.end():]
    opening = _find_unescaped(block, "{")
    closing = _find_unescaped(block, "}", opening + 1) if opening != -1 else -1
    if opening == -1 or closing == -1:
        result.skipped.append(f"line {line}: no answers in braces, so not a question")
        return
    before, answers, after = block[:opening], block[opening + 1:closing], block[closing + 1:]
    label = f"line {line}" + (f" ({name})" if name else "")
    body = answers.strip()
    if not body:
        result.skipped.append(f"{label}: essay questions are not supported")
        return
    if body.startswith("#"):
        result.skipped.append(f"{label}: numerical questions are not supported")
        return
    general = ""
    general_at = body.find("####")
    if general_at != -1:
        body, general = body[:general_at], _clean(body[general_at + 4:])
    prompt = _clean(before)
    tail = _clean(after)
    if tail and not _STRAY_TAIL.match(tail):
        # A missing word: the blank stays in the sentence, with the text after it.
        joiner = "" if tail[0] in ".,;:!?)" else " "
        prompt = f"{prompt} _____{joiner}{tail}"
    if not prompt:
        result.skipped.append(f"{label}: no question text")
        return
    item = {"id": _unique_id(name or prompt, line, taken), "type": "single",
            "prompt": _inline(prompt)}
    pieces = _split_unescaped(body, "#")
    head = pieces[0].strip()
    if head.lower() in _TRUE_FALSE and _find_unescaped(body, "=~") == -1:
        item.update(type="true_false", answer=_TRUE_FALSE[head.lower()])
        # GIFT: {T#said to a wrong answer#said to the right one}. The explanation is shown
        # once the answer is revealed: the general feedback, then what the right answer says.
        feedback = [_clean(piece[1:]) for piece in pieces[1:]]
        right_says = feedback[-1] if feedback else ""
        if right_says and right_says != general:
            general = f"{general} {right_says}".strip()
    else:
        choices = _choices(body, label, result)
        if choices is None:
            taken.discard(item["id"])
            return
        right = [c for c in choices if c.get("correct")]
        item["type"] = "single" if len(right) == 1 else "multiple"
        if item["type"] == "multiple" and "choose all" not in prompt.lower():
            item["prompt"] = _inline(f"{prompt} Choose all that apply.")
        item["choices"] = choices
    if general:
        item["explanation"] = general
    same = known.get(same_prompt(item["prompt"]))
    if same is not None:
        taken.discard(item["id"])
        result.skipped.append(f"{label}: the quiz already has this question ('{same}')")
        return
    result.questions.append(item)


def _choices(body: str, label: str, result: GiftResult) -> list[dict] | None:
    parts = _split_unescaped(body, "=~")
    if any("->" in part for part in parts):
        result.skipped.append(f"{label}: matching questions are not supported")
        return None
    if not any(part.startswith("~") for part in parts):
        result.skipped.append(f"{label}: short-answer questions are not supported")
        return None
    choices, partial = [], False
    for number, part in enumerate(parts, start=1):
        marker, rest = part[0], part[1:].strip()
        weight_match = _WEIGHT.match(rest)
        weight = float(weight_match.group(1)) if weight_match else (100.0 if marker == "=" else 0)
        if weight_match:
            rest = rest[weight_match.end():]
        pieces = _split_unescaped(rest, "#")
        text = _clean(pieces[0]) if pieces and not pieces[0].startswith("#") else ""
        feedback = _clean(pieces[-1][1:]) if pieces and pieces[-1].startswith("#") else ""
        if not text:
            continue
        choice = {"id": f"c{number}", "text": _inline(text)}
        if (marker == "=" and weight == 100) or (marker == "~" and weight > 0):
            choice["correct"] = True
        if 0 < weight < 100:
            partial = True
        if feedback:
            choice["feedback"] = _inline(feedback)
        choices.append(choice)
    right = [c for c in choices if c.get("correct")]
    has_full = any(p.startswith("=") for p in parts)
    if has_full and len(right) > 1:
        # One 100 % answer and partial-credit ones: only the full answer is right here.
        for choice, part in zip(choices, parts):
            if part.startswith("~"):
                choice.pop("correct", None)
        right = [c for c in choices if c.get("correct")]
    if has_full and partial:
        result.warnings.append(f"{label}: partial credit is not kept; only the 100 % choice "
                               "counts as right")
    if len(choices) < 2 or not right:
        result.skipped.append(f"{label}: needs at least two choices and a right one")
        return None
    return choices
