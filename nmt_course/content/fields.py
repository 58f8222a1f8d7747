"""Reading one content file's fields, recording a problem for each that is missing or wrong."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .markdown import NotInline, render_inline
from .model import Problem, Severity
from .source import ContentError, FrontMatterDocument, LineMap, decode_utf8, parse_front_matter


def content_hash(data: object) -> str:
    """A stable digest of plain data: equal content, equal hash."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class FieldChecker:
    """Reads one file's fields, recording a problem for each that is missing or wrong."""

    def __init__(self, problems: list[Problem], path: str):
        self.problems = problems
        self.path = path
        self.failed = False

    def error(self, line: int, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    def keys(self, mapping: LineMap, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.error(mapping.line_of(key),
                           f"unknown key '{key}' in {where}; allowed keys: {', '.join(allowed)}")

    def text(self, mapping: LineMap, key: str, *, required: bool = False,
             max_length: int | None = None) -> str:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(mapping.line_of(key), f"missing {key}")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(mapping.line_of(key), f"{key} must be text")
            return ""
        value = str(value).strip()
        if max_length and len(value) > max_length:
            self.error(mapping.line_of(key), f"{key} is longer than {max_length} characters")
        return value

    def whole_number(self, mapping: LineMap, key: str, default: int, low: int,
                     high: int | None = None) -> int:
        value = mapping.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (
                high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.error(mapping.line_of(key), f"{key} must be a whole number {bounds}, "
                                             f"not {value!r}")
            return default
        return value

    def flag(self, mapping: LineMap, key: str, default: bool) -> bool:
        value = mapping.get(key, default)
        if not isinstance(value, bool):
            self.error(mapping.line_of(key), f"{key} must be true or false, not {value!r}")
            return default
        return value

    def one_of(self, mapping: LineMap, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = mapping.get(key, default)
        if value not in allowed:
            self.error(mapping.line_of(key),
                       f"{key} must be one of: {', '.join(allowed)} (not {value!r})")
            return default
        return value

    def inline(self, source: str, line: int, what: str) -> str:
        try:
            return render_inline(source)
        except NotInline as error:
            self.error(line, f"{what}: {error}")
            return ""


def read_text(path: Path, check: FieldChecker) -> str | None:
    try:
        return decode_utf8(path.read_bytes())
    except ContentError as error:
        check.error(error.line, error.message)
        return None


def read_front_matter(path: Path, check: FieldChecker) -> FrontMatterDocument | None:
    text = read_text(path, check)
    if text is None:
        return None
    try:
        return parse_front_matter(text)
    except ContentError as error:
        check.error(error.line, error.message)
        return None
