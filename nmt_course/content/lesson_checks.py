"""Mistakes in a lesson's Markdown that render without complaint but show learners something
broken: front matter pasted into the text, a broken table, an admonition box with no text or
of an unknown kind. Pure. Each message names what the
author wrote (a line's start), never a file or a document."""
from __future__ import annotations

import re

from .markdown import ADMONITION_KINDS

FRONT_MATTER_KEYS = frozenset({"title", "slug", "minutes", "objectives", "summary",
                               "ce_hours", "course_type", "status", "approval_number",
                               "requires_licence"})
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*):(?:\s|$)")
_TABLE_RULE = re.compile(r"^\s{0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_ADMONITION = re.compile(r"^!!!\s*(\S*)")


def _quote(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= 40 else line[:37] + "..."


def _outside_code(body: str) -> list[tuple[int, str]]:
    """(line number in the body, from 0, text) of each line not inside a fenced code block."""
    lines, fence = [], None
    for number, line in enumerate(body.split("\n")):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0]
        elif fence is not None and opening and opening.group(1)[0] == fence:
            fence = None
        elif fence is None:
            lines.append((number, line))
    return lines


def body_problems(body: str) -> list[tuple[int, str]]:
    """(line in the body, from 0, message) of each mistake in a lesson's Markdown."""
    lines = _outside_code(body)
    return sorted(_front_matter(lines) + _tables(lines) + _admonitions(lines))


def _front_matter(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    problems = []
    for index, (number, line) in enumerate(lines):
        if line.strip() != "---":
            continue
        keys = []
        for _, following in lines[index + 1:]:
            key = _KEY_LINE.match(following)
            if key is None and following.startswith((" ", "-")) and keys:
                continue  # a YAML list or continuation under the key before
            if key is None:
                break
            keys.append(key.group(1))
        if keys and FRONT_MATTER_KEYS & set(keys):
            problems.append((number, f"the text holds front matter pasted into it ('---' and "
                                     f"{', '.join(keys[:3])}: ...); learners would read it as "
                                     "text: remove it (the title, slug, minutes and objectives "
                                     "have their own fields)"))
    return problems


def _cells(row: str) -> int:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return len(re.split(r"(?<!\\)\|", row))


def _runs(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Runs of consecutive non-blank lines."""
    runs, current, last = [], [], None
    for number, line in lines:
        if not line.strip() or (last is not None and number != last + 1):
            if current:
                runs.append(current)
            current = [] if not line.strip() else [(number, line)]
        else:
            current.append((number, line))
        last = number
    if current:
        runs.append(current)
    return runs


def _tables(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    problems = []
    for run in _runs(lines):
        piped = [line.lstrip().startswith("|") for _, line in run]
        ruled = len(run) > 1 and _TABLE_RULE.match(run[1][1]) and "-" in run[1][1]
        if not ruled and not (len(run) > 1 and piped[0] and piped[1]):
            continue
        header, start = _cells(run[0][1]), f"'{_quote(run[0][1])}'"
        if not ruled:
            problems.append((run[0][0], f"the table starting {start} has no row of dashes "
                                        "under its header ('| --- | --- |'), so it shows as "
                                        "plain text with bars"))
            continue
        if _cells(run[1][1]) != header:
            problems.append((run[1][0], f"the table starting {start} has {header} columns in "
                                        f"its header but {_cells(run[1][1])} in the row of "
                                        "dashes under it"))
        for number, row in run[2:]:
            if _cells(row) != header:
                problems.append((number, f"the row '{_quote(row)}' has {_cells(row)} cells "
                                         f"where its table has {header} columns: extra "
                                         "cells are dropped, missing ones left empty"))
    return problems


def _admonitions(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    problems = []
    for index, (number, line) in enumerate(lines):
        opening = _ADMONITION.match(line)
        if opening is None:
            continue
        kind = opening.group(1).lower()
        if kind not in ADMONITION_KINDS:
            problems.append((number, f"the box '{_quote(line)}' is of an unknown kind: use "
                                     f"{', '.join(sorted(ADMONITION_KINDS))}"))
        body = next((text for _, text in lines[index + 1:] if text.strip()), "")
        if not body.startswith(("    ", "\t")):
            problems.append((number, f"the box '{_quote(line)}' has no text indented under "
                                     "it (by four spaces), so learners see an empty box"))
    return problems
