"""YAML with line numbers: values plus a map from key paths to the lines they stand on.

PyYAML's parser is pure Python and slow; where PyYAML comes with libyaml, its C parser reads the
texts that it reads exactly as the pure one does (see `_UNSURE`), under the same composer and
constructor. Anything else, and any text that either cannot read, goes to the pure parser, so the
values, the lines and every error message are the same with or without libyaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

Path = tuple[str | int, ...]


class _AliasLines(Composer):
    """Notes the line of every alias (`*name`), so that aliases can be checked before any value is
    built from the nodes."""

    alias_lines: list[int]  # 0-based, in the text given
    # From the parser it is mixed with: PyYAML's pure `Parser` or libyaml's `CParser`.
    check_event: Callable[..., bool]
    peek_event: Callable[[], yaml.Event]

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self.alias_lines.append(event.start_mark.line if event.start_mark else 0)
        return super().compose_node(parent, index)


class _Loader(_AliasLines, yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (so `on:` is a key) that leaves timestamps as strings."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_lines = []


# `=` and `!` would resolve to tags SafeLoader cannot build: plain text is meant.
_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:value",
            "tag:yaml.org,2002:yaml")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# What libyaml reads otherwise than PyYAML's pure parser, which refuses some of it: tabs
# (libyaml takes them as spaces in places), line breaks other than LF, a byte order mark, a comment
# right after a block scalar's `|` or `>`, and tags (libyaml marks `!` as not implicit); and a `?`
# inside `[...]` or `{...}` (libyaml allows it in plain text there). Such a text goes to the pure parser.
_UNSURE = re.compile(r"[\t\r\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#|(?:^|[\s\[\]{},])!", re.MULTILINE)
# How deep libyaml's reading may nest: deeper text goes to the pure parser, which decides whether it
# is too deep for Python's recursion limit.
FAST_DEPTH = 50


class _Unsure(Exception):
    """The text goes to the pure parser."""


if yaml.__with_libyaml__:
    from yaml._yaml import CParser  # what yaml.cyaml's loaders are made of

    class _FastLoader(_AliasLines, CParser, SafeConstructor, Resolver):
        """libyaml's scanner and parser under PyYAML's composer (`_AliasLines` comes before `CParser`)
        and the constructor and resolvers of `_Loader`."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.alias_lines = []
            self.depth = 0
            self.last_line = stream.count("\n")  # 0-based

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            self.depth += 1
            if self.depth > FAST_DEPTH:
                raise _Unsure
            node = super().compose_node(parent, index)
            # An empty value at the very end of a text without a final line break (`? a`): libyaml
            # puts it on a line after the last one, the pure parser on the last.
            if node is not None and node.start_mark.line > self.last_line:
                raise _Unsure
            self.depth -= 1
            return node


def _fast(text: str) -> bool:
    """Whether libyaml reads `text` exactly as the pure parser does."""
    return (yaml.__with_libyaml__ and not _UNSURE.search(text)
            and not ("?" in text and ("[" in text or "{" in text)))


# The only tags a value may carry, written or implied: text, numbers, lists and mappings. Any other
# (`!!python/object:…`, `!!binary`, `!!set`, `!custom`) is refused before a value is built from it.
CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(CORE + name for name in ("str", "int", "float", "bool", "null", "seq", "map", "merge"))
# How many values aliases may repeat in all: far beyond any real file, far below an alias bomb
# (nine lists of nine aliases each stand for 387 million values).
MAX_REPEATED = 10_000


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
    if _fast(text):
        try:
            return _load(_FastLoader, text, first_line)
        except Exception:  # an error, or too deep: the pure parser decides, and words any error
            pass
    return _load(_Loader, text, first_line)


def _load(loader_class: type[_Loader | _FastLoader], text: str, first_line: int) -> Located:
    offset = first_line - 1
    try:
        # The pure reader rejects control characters as soon as the loader is made.
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: exc.position].count("\n")
        raise YamlError(line, f"the character U+{exc.character:04X} is not allowed here",
                        "delete it; it is usually invisible in an editor") from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node, loader.alias_lines, offset)  # before any value is built
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


def _nodes(root: yaml.Node) -> list[yaml.Node]:
    """Every distinct node below `root`, in document order (an alias's node once)."""
    found: list[yaml.Node] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        stack.extend(reversed(_children(node)))
    return found


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_nodes(root: yaml.Node, alias_lines: list[int], offset: int) -> None:
    """Refuse tags that would build other objects than text, numbers, lists and mappings, and aliases
    that refer to themselves or repeat too much: an alias bomb is a few lines that stand for millions
    of values. Runs on the composed nodes, which aliases share, so it costs one pass over the text."""
    nodes = _nodes(root)
    for node in nodes:
        if node.tag not in ALLOWED_TAGS:
            shown = "!!" + node.tag.removeprefix(CORE) if node.tag.startswith(CORE) else node.tag
            raise YamlError(offset + node.start_mark.line + 1, f"the YAML tag '{shown}' is not allowed",
                            "fields hold text, numbers, lists and mappings; remove the tag "
                            "(quote the value if it is text)")
    if not alias_lines:
        return
    first = offset + alias_lines[0] + 1
    size: dict[int, int] = {}  # how many values a node stands for, aliases expanded
    open_nodes: set[int] = set()  # on the path from the root to the node being sized
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # depth first, without recursion; each node is sized once, after its children
        node, children_done = stack.pop()
        if children_done:
            size[id(node)] = 1 + sum(size[id(child)] for child in _children(node))
            open_nodes.discard(id(node))
            continue
        if id(node) in size:
            continue
        if id(node) in open_nodes:  # e.g. `&a [*a]`: a value that contains itself
            raise YamlError(first, "a YAML alias refers to a value that contains it",
                            "write the values out instead of using '&' and '*'")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    if size[id(root)] - len(nodes) > MAX_REPEATED:
        raise YamlError(first, f"YAML aliases here repeat more than {MAX_REPEATED} values",
                        "write the values out instead of using '&' and '*'")


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
