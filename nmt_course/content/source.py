"""Reading content files: UTF-8 text, front matter, and YAML that remembers line numbers."""
from __future__ import annotations

from dataclasses import dataclass

import yaml


class ContentError(Exception):
    """A problem tied to a line of the file being read."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line


class LineMap(dict):
    """A YAML mapping that knows its own line and the line of each key."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[object, int] = {}

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.Node) -> LineMap:
    loader.flatten_mapping(node)
    mapping = LineMap(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# A date-like value stays the text it is: no field takes a date, and "2026-02-30" must read
# as a problem of its field, not break the reader.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp",
                            lambda loader, node: loader.construct_scalar(node))


def decode_utf8(data: bytes) -> str:
    """Decode strictly, naming the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ContentError(f"not valid UTF-8 (byte 0x{data[error.start]:02x}); "
                           "save the file as UTF-8", line) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def parse_yaml(text: str, first_line: int = 1) -> object:
    """Parse YAML; `first_line` is where `text` starts in its file."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        detail = " ".join(part for part in (error.context, error.problem) if part)
        raise ContentError(f"bad YAML: {detail or error}", line) from None
    except yaml.YAMLError as error:
        raise ContentError(f"bad YAML: {error}", first_line) from None
    except (ValueError, OverflowError, RecursionError) as error:  # what no YAML rule catches
        raise ContentError(f"bad YAML: {error}", first_line) from None
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    return data


def _shift_lines(data: object, offset: int) -> None:
    """Make line numbers count from the top of the file, not of the YAML block."""
    if isinstance(data, LineMap):
        data.line += offset
        data.key_lines = {key: line + offset for key, line in data.key_lines.items()}
        values = data.values()
    elif isinstance(data, list):
        values = data
    else:
        return
    for value in values:
        _shift_lines(value, offset)


@dataclass(frozen=True)
class FrontMatterDocument:
    meta: LineMap
    body: str
    body_line: int


def parse_front_matter(text: str) -> FrontMatterDocument:
    """Split `---` YAML front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError("the file must start with YAML front matter between '---' lines", 1)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            break
    else:
        raise ContentError("the front matter has no closing '---' line", 1)
    meta = parse_yaml("\n".join(lines[1:index]), first_line=2)
    if meta is None:
        meta = LineMap(2)
    if not isinstance(meta, LineMap):
        raise ContentError("the front matter must be a set of 'key: value' lines", 2)
    return FrontMatterDocument(meta, "\n".join(lines[index + 1:]), index + 2)
