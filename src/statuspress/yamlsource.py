"""YAML with line numbers: values plus a map from key paths to the lines they stand on."""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any

import yaml

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (so `on:` is a key) that leaves timestamps as strings."""


_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlError(Exception):
    """A YAML text that cannot be read; `line` is 1-based in the file."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Located:
    """A parsed YAML document and the 1-based file line of every key and list item."""

    data: Any
    lines: dict[Path, int]
    first_line: int  # the line the document starts on

    def line(self, *path: str | int) -> int:
        """Return the line of the deepest known prefix of `path`."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


def load_yaml(text: str, first_line: int = 1) -> Located:
    """Parse one YAML document whose first line is line `first_line` of its file."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + (mark.line + 1 if mark else 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(line, f"YAML syntax error: {problem}", _yaml_hint(problem)) from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines, offset)
    return Located(data, lines, first_line)


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            child = (*path, name)
            if child in lines:
                raise YamlError(
                    offset + key.start_mark.line + 1,
                    f"duplicate key '{name}'",
                    f"it already stands on line {lines[child]}; keep one",
                )
            lines[child] = offset + key.start_mark.line + 1
            _walk(value, child, lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = offset + item.start_mark.line + 1
            _walk(item, (*path, index), lines, offset)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. title: \"API: errors\""
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "every field is written 'name: value'"
    return "check the indentation and quoting on this line or the one before"
