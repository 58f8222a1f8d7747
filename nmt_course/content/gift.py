"""Moodle's GIFT question format, read as Moodle reads it, into questions of our quiz format.
Pure. The rules follow Moodle's own reader (question/format/gift/format.php):

- lines end in \\n, \\r\\n or \\r alone (old Mac files); a blank line ends a question; lines
  starting with // are comments; a `$CATEGORY:` line names a category, never text (even
  directly above a question);
- the escapes \\: \\# \\= \\{ \\} \\~ \\\\ and \\n (a line break) are honoured;
- `::name::` names a question; `[moodle]` (the default), `[html]`, `[plain]` or
  `[markdown]` at the start of a text gives its format (gift_text.py says how each reads);
  answers and feedback take the question's format unless they name their own;
- the answers lie between the first `{` and the first `}`; text after the `}` makes a
  missing-word question, its blank shown as _____; the last `####` starts the general
  feedback, which becomes the explanation;
- the type: nothing in the braces is an essay; `#` first, numerical; any `~`, multiple
  choice (even with `->` in an answer); `=` with `->`, matching; T, TRUE, F or FALSE,
  true/false; anything else, short answer.

Imported: multiple choice with `=` answers becomes a `single` question (Moodle makes every
`=` answer fully right; a single question has one key, so the first is the key and a warning
names the others; partial credit does not count); without `=`, a `multiple` question whose
right choices are those of positive weight; true/false, with what the file says to the right
answer after the general feedback. Everything else is listed by line with the reason:
essays, numerical, matching and short-answer questions, descriptions, a brace never closed,
a question with several sets of answers in braces (Moodle reads only the first and shows
the rest as text), and a question repeated in the file (imported once). Prompts are kept as
written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .gift_text import FORMATS, to_markdown

MAX_QUESTIONS = 1_000
MAX_LINE = 5_000

_ESCAPES = {"\\:": ":", "\\#": "#", "\\=": "=", "\\{": "{", "\\}": "}", "\\~": "~",
            "\\n": "\n", "\\\\": "\\"}
# Escaped characters travel as noncharacters (removed from the file first), so that every
# structural character left in the text is a real one.
_HIDDEN = {escape: chr(0xFDE0 + number) for number, escape in enumerate(_ESCAPES)}
_SHOWN = {hidden: _ESCAPES[escape] for escape, hidden in _HIDDEN.items()}
_ESCAPE = re.compile(r"\\[:#={}~n\\]")
_NONCHARACTERS = {code: None for code in range(0xFDD0, 0xFDF0)}
_FORMAT = re.compile(r"^\s*\[(" + "|".join(FORMATS) + r")\]", re.I)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_TAG = re.compile(r"<[^>]*>")
_STRAY_TAIL = re.compile(r"^[\s\"';`]*$")  # junk after the closing brace, not a sentence


class GiftRefused(ValueError):
    """The whole file is refused; the message names the limit it passes."""


@dataclass
class ParsedQuestion:
    line: int
    label: str  # "line 12 (name)", as the author finds it in the file
    name: str  # what the id is made from: the ::name::, or else the prompt
    item: dict  # the question in our quiz file's format, without its id


@dataclass
class GiftFile:
    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line N: why", one per question
    warnings: list[str] = field(default_factory=list)


@dataclass
class GiftResult:
    questions: list[dict] = field(default_factory=list)  # in our quiz file's format
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_gift(text: str, taken_ids: set[str] | None = None,
               known_prompts: dict[str, str] | None = None) -> GiftResult:
    """Read a file and give its questions ids not in `taken_ids`; `known_prompts` is
    same_prompt(prompt) -> id of the questions a quiz has already."""
    return merge_gift(read_gift(text), taken_ids or set(), known_prompts or {})


def read_gift(text: str) -> GiftFile:
    """Every question of a GIFT file, or GiftRefused past MAX_QUESTIONS or MAX_LINE. Linear
    in the file's length."""
    lines = text.translate(_NONCHARACTERS).replace("\r\n", "\n").replace("\r", "\n")
    lines = lines.split("\n")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise GiftRefused(f"Line {number} is {len(line):,} characters long; GIFT files "
                              f"may have lines of at most {MAX_LINE:,} characters.")
    blocks = _blocks(lines)
    if len(blocks) > MAX_QUESTIONS:
        raise GiftRefused(f"The file holds {len(blocks):,} questions; a GIFT file may hold "
                          f"at most {MAX_QUESTIONS:,}. Split it into smaller files.")
    result, seen = GiftFile(), {}
    for line, block in blocks:
        question = _question(line, block, result)
        if question is None:
            continue
        key = _same_question(question.item)
        if key in seen:
            result.skipped.append(f"{question.label}: repeats the question on line "
                                  f"{seen[key]}, imported once")
            continue
        seen[key] = line
        result.questions.append(question)
    return result


def same_prompt(prompt: str) -> str:
    """A prompt as compared for duplicates: case and spacing do not count."""
    return " ".join(prompt.casefold().split())


def _same_question(item: dict) -> tuple:
    choices = tuple((same_prompt(c["text"]), bool(c.get("correct")))
                    for c in item.get("choices", ()))
    return same_prompt(item["prompt"]), item["type"], item.get("answer"), choices


def merge_gift(gift: GiftFile, taken_ids: set[str], known_prompts: dict[str, str]) -> GiftResult:
    """The file's questions as they join a quiz: each with an id unique in it (made from its
    name, numbered when taken, in linear time), those the quiz has already listed as
    skipped."""
    result = GiftResult(skipped=list(gift.skipped), warnings=list(gift.warnings))
    taken, next_number = set(taken_ids), {}
    for question in gift.questions:
        same = known_prompts.get(same_prompt(question.item["prompt"]))
        if same is not None:
            result.skipped.append(f"{question.label}: the quiz already has this question "
                                  f"('{same}')")
            continue
        base = _id_words(question.name) or f"gift-line-{question.line}"
        key, number = base, next_number.get(base, 2)
        while key in taken:
            key, number = f"{base}-{number}", number + 1
        next_number[base] = number
        taken.add(key)
        result.questions.append({"id": key, **question.item})
    return result


def _id_words(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if len(words) > 40:  # cut at a word's end, not in the middle of one
        words = words[:41].rsplit("-", 1)[0]
    return words


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(first line, lines) of each question: blank lines between, comments and category
    lines dropped, each line trimmed (as Moodle trims them)."""
    blocks, current, first = [], [], 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            if current:
                blocks.append((first, current))
                current = []
            continue
        if line.startswith("//") or line.startswith("$CATEGORY:"):
            continue
        if not current:
            first = number
        current.append(line)
    if current:
        blocks.append((first, current))
    return blocks


def _hide_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda match: _HIDDEN[match.group(0)], text)


def _shown(text: str) -> str:
    for hidden, char in _SHOWN.items():
        text = text.replace(hidden, char)
    return text


def _question(line: int, lines: list[str], result: GiftFile) -> ParsedQuestion | None:
    text = _hide_escapes("\n".join(lines))
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end != -1:
            name, text = _shown(text[2:end]).strip(), text[end + 2:].strip()
    label = f"line {line}" + (f" ({name})" if name else "")
    opening, closing = text.find("{"), text.find("}")
    if opening == -1 and closing == -1:
        result.skipped.append(f"{label}: no answers in braces, so a description, not a "
                              "question")
        return None
    if closing == -1:
        result.skipped.append(f"{label}: the brace '{{' is never closed")
        return None
    if opening == -1 or closing < opening:
        result.skipped.append(f"{label}: a closing brace '}}' with no opening brace "
                              "before it")
        return None
    answers = text[opening + 1:closing].strip()
    before, after = text[:opening], text[closing + 1:]
    if "{" in after or "}" in after:
        result.skipped.append(f"{label}: more than one set of answers in braces (embedded "
                              "answers, as in a Cloze question) is not supported")
        return None
    question_text = before + ("" if _STRAY_TAIL.match(after) else "_____" + after)
    general = ""
    if (split := answers.rfind("####")) != -1:
        answers, general = answers[:split].strip(), answers[split + 4:]
    fmt, question_text = _format_of(question_text, "moodle")
    kind = _kind(answers)
    if kind != "choices" and kind != "true_false":
        result.skipped.append(f"{label}: {kind} questions are not supported")
        return None
    prompt = _text(question_text, fmt, label, result)
    if not prompt:
        result.skipped.append(f"{label}: no question text")
        return None
    item: dict = {"type": "single", "prompt": prompt}
    explanation = _text(general, fmt, label, result) if general else ""
    if kind == "true_false":
        feedback = [_text(piece, fmt, label, result) for piece in answers.split("#")[1:]]
        right_says = feedback[-1] if feedback else ""  # {T#to a wrong answer#to the right}
        if right_says and right_says != explanation:
            explanation = f"{explanation} {right_says}".strip()
        item.update(type="true_false", answer=_TRUE_FALSE[answers.split("#")[0].strip()])
    elif not _choices(answers, fmt, item, label, result):
        return None
    if explanation:
        item["explanation"] = explanation
    return ParsedQuestion(line, label, name or _TAG.sub(" ", _format_of(_shown(before), fmt)[1]),
                          item)


def _kind(answers: str) -> str:
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "choices"
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#")[0].strip() in _TRUE_FALSE:
        return "true_false"
    return "short-answer"


def _format_of(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT.match(text)
    if match is None:
        return default, text
    return match.group(1).lower(), text[match.end():]


def _text(raw: str, fmt: str, label: str, result: GiftFile) -> str:
    fmt, raw = _format_of(raw, fmt)
    markdown, notes = to_markdown(_shown(raw).strip(), fmt)
    result.warnings += [f"{label}: {note}" for note in notes]
    return markdown


def _choices(answers: str, fmt: str, item: dict, label: str, result: GiftFile) -> bool:
    single = any(part.strip().startswith("=") for part in answers.replace("=", "~=")
                 .split("~"))
    choices, full, partial = [], [], False
    for part in answers.replace("=", "~=").split("~"):
        part = part.strip()
        if not part:
            continue
        marker = part[0] if part[0] == "=" else "~"
        body = part[1:] if marker == "=" else part
        weight_match = _WEIGHT.match(body)
        weight = float(weight_match.group(1)) if weight_match else (100.0 if marker == "=" else 0)
        if weight_match:
            body = body[weight_match.end():]
        text, _, feedback = body.partition("#")
        choice = {"id": f"c{len(choices) + 1}", "text": _text(text, fmt, label, result)}
        if not choice["text"]:
            continue  # Moodle drops an empty answer too
        if marker == "=":
            full.append(choice)
        elif 0 < weight and not single:
            choice["correct"] = True
        elif 0 < weight:
            partial = True
        if feedback := _text(feedback, fmt, label, result) if feedback.strip() else "":
            choice["feedback"] = feedback
        choices.append(choice)
    if full:
        full[0]["correct"] = True
        if len(full) > 1:
            others = ", ".join(f"'{c['text']}'" for c in full[1:])
            result.warnings.append(
                f"{label}: Moodle counts {others} as fully right too, but a single-answer "
                f"question has one key here: '{full[0]['text']}' is the key and {others} "
                "count as wrong; reword them or make the question choose-all")
    if partial:
        result.warnings.append(f"{label}: partial credit is not kept; only the 100 % choice "
                               "counts as right")
    if len(choices) < 2 or not any(c.get("correct") for c in choices):
        result.skipped.append(f"{label}: needs at least two choices and a right one")
        return False
    item.update(type="single" if single else "multiple", choices=choices)
    return True
