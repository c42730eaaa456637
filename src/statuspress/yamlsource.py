"""YAML with line numbers: values plus a map from key paths to the lines they stand on."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    try:
        # The reader rejects control characters as soon as the loader is made.
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: exc.position].count("\n")
        raise YamlError(line, f"the character U+{exc.character:04X} is not allowed here",
                        "delete it; it is usually invisible in an editor") from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "end of stream" in problem and exc.context_mark:
            # An unclosed quote runs to the end: point at where it was opened, not at the end.
            mark = exc.context_mark
            problem = f"{exc.context}, {problem}"
        elif exc.context == "while scanning a simple key" and exc.context_mark:
            mark = exc.context_mark  # the line without its ':', not the one after it
        elif problem.startswith("but ") and exc.context:
            problem = f"{exc.context} {problem}"  # "expected a single document … but found another"
        line = offset + (mark.line + 1 if mark else 1)
        raise YamlError(line, f"YAML syntax error: {problem}", _yaml_hint(problem)) from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlError(first_line, "YAML syntax error: the values are nested too deeply",
                        "look for an unclosed '[' or '{'") from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines, offset, set())
    return Located(data, lines, first_line)


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], offset: int, seen: set[int]) -> None:
    # An alias repeats a node: walk it once, so that `&a [*a]` or nested aliases cannot recurse
    # forever; paths below a repeat fall back to the line of the alias.
    if id(node) in seen:
        return
    seen.add(id(node))
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
            _walk(value, child, lines, offset, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = offset + item.start_mark.line + 1
            _walk(item, (*path, index), lines, offset, seen)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. title: \"API: errors\""
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "every field is written 'name: value'"
    if "quoted scalar" in problem:
        return "the quote opened on this line is not closed"
    if "another document" in problem:
        return "keep one '---' block; a second one starts on this line"
    return "check the indentation and quoting on this line or the one before"
