"""`statuspress import statuspage`: a Statuspage export becomes notice files in our format.

Reading the export (`read_export`) and writing the result (`write_import`) are the only parts that
touch files; `convert` is a pure function from the export's JSON to (relative path, file text)
pairs, the components to add to `site.yaml`, and what was skipped and why.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markdownify import ATX, MarkdownConverter

from .config import COMPONENT_ID
from .load import NOTICE_ID, RESERVED_IDS, derived_id, load_notice, slug_for
from .messages import yaml_scalar
from .model import (
    CONFIG_FILE,
    INCIDENT_COMPONENT_STATUSES,
    MAINTENANCE_COMPONENT_STATUSES,
    Component,
    ComponentStatus,
    Kind,
    SiteConfig,
)
from .scaffold import file_slug
from .sections import FENCE
from .yamlsource import YamlError, load_yaml

IMPACT_LEVEL = {  # a component's status when the updates do not say: Statuspage's impact, inverted
    "none": ComponentStatus.DEGRADED_PERFORMANCE,
    "minor": ComponentStatus.DEGRADED_PERFORMANCE,
    "major": ComponentStatus.PARTIAL_OUTAGE,
    "critical": ComponentStatus.MAJOR_OUTAGE,
}
INCIDENT_HEADINGS = {"investigating": "Investigating", "identified": "Identified", "monitoring": "Monitoring",
                     "resolved": "Resolved"}
MAINTENANCE_HEADINGS = {"in_progress": "In progress", "verifying": "Verifying", "completed": "Completed",
                        "cancelled": "Cancelled"}  # "scheduled" (the announcement) becomes "Update"
DEFAULT_FALLBACK = "other"
FALLBACK_NAME = "Other"

HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
BLOCK_TAG = re.compile(r"</?(?:p|div|ul|ol|li|br|pre|table|blockquote|h[1-6]|hr|dl)\b", re.IGNORECASE)
ATX_LINE = re.compile(r"^( {0,3})#")  # Python-Markdown needs no space after the "#" of a heading
HEADING_OUT = re.compile(r"^#{3,6} \S")  # the headings markdownify writes (see _Converter)
UNDERLINE = re.compile(r"^( {0,3})([-=])\2*[ \t]*$")


class ImportFailure(Exception):
    """The import cannot go ahead at all (nothing is written); the message says why."""


@dataclass(frozen=True)
class Options:
    """What the command line sets: Statuspage component names mapped to ids or dropped, the author."""

    mapping: dict[str, str] = field(default_factory=dict)  # Statuspage name -> our component id
    drop: frozenset[str] = frozenset()  # Statuspage names left out of the notices
    author: str = ""  # the signature of notices that have none
    fallback: str = DEFAULT_FALLBACK  # the component of an incident that names none


@dataclass(frozen=True)
class Skipped:
    """Something not imported: `where` is a notice's path, or the input file for unusable input."""

    where: str
    reason: str
    problem: bool = True  # False when it is only already there: a re-run is not a failure

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Converted:
    """One notice ready to write."""

    kind: Kind
    id: str
    path: str  # relative to the site folder
    text: str
    components: tuple[str, ...]  # the component ids it names


@dataclass
class Conversion:
    notices: list[Converted] = field(default_factory=list)
    new_components: list[Component] = field(default_factory=list)  # not yet in site.yaml, first seen first
    mapping: dict[str, str] = field(default_factory=dict)  # every Statuspage name met -> its id ("" dropped)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    written: list[Converted] = field(default_factory=list)
    unchanged: list[Converted] = field(default_factory=list)  # already there, word for word
    added: list[Component] = field(default_factory=list)  # appended to site.yaml
    skipped: list[Skipped] = field(default_factory=list)


# Reading the export


Document = tuple[str, Any]  # (where it came from, its parsed JSON)


def read_export(path: Path) -> tuple[list[Document], list[Skipped]]:
    """Read a Statuspage JSON file, or every `.json` file below a folder (sorted by path)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise ImportFailure(f"{path}: no .json files in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise ImportFailure(f"{path}: no such file or folder")
    documents, skipped = [], []
    for file in files:
        try:
            documents.append((file.as_posix(), json.loads(file.read_bytes())))
        except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            skipped.append(Skipped(file.as_posix(), f"not readable as JSON: {exc}"))
    return documents, skipped


def _items(where: str, data: Any) -> Iterator[tuple[Any, Kind | None]]:
    """Yield each incident or maintenance of one document, with its kind when the document says it."""
    if isinstance(data, list):
        for item in data:
            yield from _items(where, item)
        return
    if not isinstance(data, dict):
        return
    if "incident_updates" in data:  # a bare incident or maintenance
        yield data, None
        return
    for key, kind in (("incidents", Kind.INCIDENT), ("scheduled_maintenances", Kind.MAINTENANCE)):
        for item in data.get(key) or ():
            yield item, kind
    for key, kind in (("incident", Kind.INCIDENT), ("scheduled_maintenance", Kind.MAINTENANCE)):
        if isinstance(data.get(key), dict):
            yield data[key], kind


# Converting


def convert(documents: Sequence[Document], config: SiteConfig, options: Options) -> Conversion:
    """Turn Statuspage documents into notice files, mapping component names to ids. Pure."""
    result = Conversion()
    components = _Components(config, options, _descriptions(documents))
    seen: dict[str, Converted] = {}
    for where, data in documents:
        found = False
        for item, kind in _items(where, data):
            found = True
            try:
                notice = _convert_one(item, kind, components, options, config)
            except _Unusable as exc:
                result.skipped.append(Skipped(where, str(exc)))
                continue
            if notice.id in seen:
                if seen[notice.id].text != notice.text:
                    result.skipped.append(Skipped(where, f"{notice.kind.value} {notice.id}: "
                                                         "appears twice in the input; the first one was used"))
                continue
            checked = replace(config, components=(*config.components, *components.new))
            loaded, problems = load_notice(notice.text.encode(), notice.path, notice.kind, checked)
            errors = [p for p in problems if p.is_error]
            if loaded is None or errors:
                first = errors[0] if errors else None
                why = f"line {first.line}: {first.message}" if first else "does not load"
                result.skipped.append(Skipped(notice.path, f"would not pass check ({why}); not written"))
                continue
            seen[notice.id] = notice
            result.notices.append(notice)
        if not found:
            result.skipped.append(Skipped(where, "holds no Statuspage incident or maintenance"))
    result.new_components = components.new
    result.mapping = components.mapping
    for name in sorted(set(options.mapping) - set(components.mapping)):
        result.notes.append(f"--map '{name}': no notice names this component")
    for name in sorted(options.drop - set(components.mapping)):
        result.notes.append(f"--drop '{name}': no notice names this component")
    if components.fallback_uses:
        result.notes.append(f"{components.fallback_uses} notice(s) named no component; they name "
                            f"'{options.fallback}' (choose another with --fallback ID)")
    return result


class _Unusable(Exception):
    """An incident or maintenance that cannot become a notice; the message says which and why."""


class _Components:
    """Statuspage component names -> our ids, collecting the components site.yaml lacks."""

    def __init__(self, config: SiteConfig, options: Options, descriptions: dict[str, str]) -> None:
        self.config = config
        self.options = options
        self.descriptions = descriptions
        self.ids = {c.id for c in config.components}
        self.by_name = {_fold(c.name): c.id for c in config.components}
        self.mapping: dict[str, str] = {}
        self.new: list[Component] = []
        self.fallback_uses = 0

    def id_for(self, name: str) -> str:
        """Return our id for a Statuspage name, or "" when it is dropped."""
        if name not in self.mapping:
            if name in self.options.drop:
                cid = ""
            elif name in self.options.mapping:
                cid = self.options.mapping[name]
            else:
                cid = self.by_name.get(_fold(name)) or component_id(name)
            if cid:
                self._ensure(cid, name, self.descriptions.get(name, ""))
            self.mapping[name] = cid
        return self.mapping[name]

    def fallback(self) -> str:
        self.fallback_uses += 1
        cid = self.options.fallback
        self._ensure(cid, FALLBACK_NAME if cid == DEFAULT_FALLBACK else cid, "")
        return cid

    def _ensure(self, cid: str, name: str, description: str) -> None:
        if cid not in self.ids:
            self.ids.add(cid)
            self.new.append(Component(cid, name, description))


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def component_id(name: str) -> str:
    """Return a component id for a Statuspage name: lower-case a-z, 0-9 and '-'."""
    fallback = "component-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return file_slug(name, fallback)


def _descriptions(documents: Sequence[Document]) -> dict[str, str]:
    """Return each component's Statuspage description, by name (the first one met)."""
    found: dict[str, str] = {}
    for where, data in documents:
        for item, _ in _items(where, data):
            for component in _list(item.get("components") if isinstance(item, dict) else None):
                name, text = _text(component.get("name")), _text(component.get("description"))
                if name and text:
                    found.setdefault(name, " ".join(text.split()))
    return found


def _convert_one(item: Any, kind: Kind | None, components: _Components, options: Options,
                 config: SiteConfig) -> Converted:
    if not isinstance(item, dict):
        raise _Unusable("an entry that is not a JSON object")
    sid = _text(item.get("id"))
    label = f"{(kind or Kind.INCIDENT).value} {sid or '(no id)'}"
    if not NOTICE_ID.match(sid) or sid in RESERVED_IDS:
        raise _Unusable(f"{label}: the id is not 4 to 32 lower-case letters and digits")
    if kind is None or kind is Kind.INCIDENT:
        is_maintenance = item.get("scheduled_for") not in (None, "") or item.get("impact") == "maintenance"
        kind = Kind.MAINTENANCE if is_maintenance else Kind.INCIDENT
        label = f"{kind.value} {sid}"
    title = " ".join(_text(item.get("name")).split())
    if not title:
        raise _Unusable(f"{label}: it has no name")
    updates = _updates(item, label)
    if not updates and kind is Kind.INCIDENT:
        raise _Unusable(f"{label}: it has no updates")
    named = _component_statuses(item, kind, components)
    if kind is Kind.INCIDENT:
        impact = _text(item.get("impact")) or "none"
        if impact not in IMPACT_LEVEL:
            raise _Unusable(f"{label}: unknown impact '{impact}'")
        default = IMPACT_LEVEL[impact]
    else:
        impact, default = "maintenance", ComponentStatus.UNDER_MAINTENANCE
    statuses = {cid: status or default for cid, status in named.items()}
    if not statuses:
        statuses = {components.fallback(): default}
    author = " ".join(_text(item.get("author")).split()) or options.author
    body = _body(item, kind, updates, statuses, config, components, label)
    if kind is Kind.INCIDENT:
        first = min(at for _, at, _ in updates)
        started = _time(item.get("started_at"), label, "started_at")
        started = min(started, first) if started else None
        created = _time(item.get("created_at"), label, "created_at")
        day = started or first
        fields = [f"impact: {impact}"]
        times = [("created", created), ("started", started)]
        window = ""
    else:
        start = _time(item.get("scheduled_for"), label, "scheduled_for")
        end = _time(item.get("scheduled_until"), label, "scheduled_until")
        if start is None or end is None:
            raise _Unusable(f"{label}: it has no scheduled_for and scheduled_until")
        if end <= start:
            raise _Unusable(f"{label}: its window ends before it starts")
        day, window = start, f"window: {{start: {_iso(start)}, end: {_iso(end)}}}"
        fields = []
        times = [("announced", _time(item.get("created_at"), label, "created_at"))]
    lines = ["---", f"id: {sid}", f"title: {yaml_scalar(title)}", *fields, "components:"]
    lines += [f"  {_plain(cid)}: {status.value}" for cid, status in statuses.items()]
    if kind is Kind.MAINTENANCE:
        lines.append(window)
    if author:
        lines.append(f"author: {yaml_scalar(author)}")
    lines += [f"{name}: {_iso(at)}" for name, at in times if at is not None]
    lines += ["---", body]
    path = f"{kind.folder}/{day:%Y-%m-%d}-{file_slug(title, kind.value)}-{sid}.md"
    return Converted(kind, sid, path, "\n".join(lines), tuple(statuses))


def _updates(item: dict[str, Any], label: str) -> list[tuple[str, datetime, str]]:
    """Return (status, display time, Markdown body) of every update, as listed (newest first)."""
    found = []
    for update in _list(item.get("incident_updates")):
        status = _text(update.get("status")).lower()
        at = _time(update.get("display_at") or update.get("created_at"), label, "an update's display_at")
        if at is None:
            raise _Unusable(f"{label}: an update has no time")
        found.append((status, at, to_markdown(_text(update.get("body")))))
    return found


def _component_statuses(item: dict[str, Any], kind: Kind, components: _Components
                        ) -> dict[str, ComponentStatus | None]:
    """Return each named component's worst status in the updates (None: the updates never say)."""
    allowed = INCIDENT_COMPONENT_STATUSES if kind is Kind.INCIDENT else MAINTENANCE_COMPONENT_STATUSES
    names_by_code = {_text(c.get("id")): _text(c.get("name")) for c in _list(item.get("components"))}
    found: dict[str, ComponentStatus | None] = {}
    affected = [(c, _text(c.get("new_status")))
                for update in reversed(_list(item.get("incident_updates")))
                for c in _list(update.get("affected_components"))]
    for entry, status in [(c, "") for c in _list(item.get("components"))] + affected:
        name = _text(entry.get("name")) or names_by_code.get(_text(entry.get("code")), "")
        cid = components.id_for(name) if name else ""
        if not cid:
            continue
        level = next((s for s in allowed if s.value == status), None)  # operational counts as nothing
        current = found.get(cid)
        if level is not None and (current is None or level.severity > current.severity):
            found[cid] = level
        else:
            found.setdefault(cid, None)
    return found


def _body(item: dict[str, Any], kind: Kind, updates: list[tuple[str, datetime, str]],
          statuses: dict[str, ComponentStatus], config: SiteConfig, components: _Components, label: str) -> str:
    names = {c.id: c.name for c in (*config.components, *components.new)}
    affected = ", ".join(f"{names[cid]} ({status.value.replace('_', ' ')})" for cid, status in statuses.items())
    parts = [f"Affected: {affected}.\n"]
    postmortem = to_markdown(_text(item.get("postmortem_body")))
    postmortem_at = _time(item.get("postmortem_published_at"), label, "postmortem_published_at")
    newest_status = updates[0][0] if updates else ""
    for index, (status, at, text) in enumerate(updates):
        if kind is Kind.INCIDENT:
            if status == "postmortem" and not postmortem:
                postmortem, postmortem_at = text, at
                continue
            heading = INCIDENT_HEADINGS.get(status, "Update")
        else:
            cancelled = index == 0 and newest_status == "completed" and re.search(r"(?i)\bcancel", text)
            heading = "Cancelled" if cancelled else MAINTENANCE_HEADINGS.get(status, "Update")
        parts.append(f"## {heading} · {_heading_time(at)}\n" + (f"{text}\n" if text else ""))
    if postmortem and kind is Kind.INCIDENT:
        when = f" · {_heading_time(postmortem_at)}" if postmortem_at else ""
        parts.append(f"## Postmortem{when}\n{postmortem}\n")
    return "\n".join(parts)


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any, label: str, what: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _Unusable(f"{label}: cannot read {what} '{value}'") from None
    if moment.tzinfo is None:
        raise _Unusable(f"{label}: {what} '{value}' has no time zone")
    return moment.astimezone(UTC)


def _fraction(moment: datetime) -> str:
    if not moment.microsecond:
        return ""
    return f".{moment.microsecond // 1000:03d}" if moment.microsecond % 1000 == 0 else f".{moment.microsecond:06d}"


def _iso(moment: datetime) -> str:
    """Format as `2023-10-06T01:12:26.084Z`: UTC, with the milliseconds Statuspage gave."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}{_fraction(moment)}Z"


def _heading_time(moment: datetime) -> str:
    """Format as `2023-10-06 01:12:26.084 UTC` for an update heading, keeping the exact time."""
    return f"{moment:%Y-%m-%d %H:%M:%S}{_fraction(moment)} UTC"


def _plain(value: str) -> str:
    """Return `value` as a plain YAML scalar when it reads back as itself, else quoted."""
    try:
        if load_yaml(f"k: {value}").data == {"k": value}:
            return value
    except YamlError:
        pass
    return yaml_scalar(value)


# Update bodies: Statuspage's HTML or plain text -> Markdown that reads the same


class _Converter(MarkdownConverter):
    """markdownify, with headings no higher than `###`: `##` starts an update in a notice."""

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: Any) -> str:  # noqa: N802 - markdownify's name
        base: Any = super()  # convert_hN is not in markdownify's type stubs
        return str(base.convert_hN(max(3, n), el, text, parent_tags))


_CONVERTER = _Converter(heading_style=ATX, bullets="-", autolinks=False)


def to_markdown(body: str) -> str:
    """Turn a Statuspage update body into Markdown: HTML converted, plain text kept as it is.

    Plain text changes only in its line ends (CRLF -> LF), surrounding blank space, and a backslash
    before what would otherwise start a heading or an unclosed code fence.
    """
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if HTML.search(text):
        if not BLOCK_TAG.search(text):  # text with some inline HTML: its line breaks are meant
            paragraphs = re.split(r"\n[ \t]*\n+", text)
            text = "".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs)
        text = _CONVERTER.convert(text)
        lines = (line if line.endswith("  ") else line.rstrip() for line in text.split("\n"))  # "  ": <br>
        return escape_structure(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), headings=True)
    return escape_structure(text)


def escape_structure(text: str, headings: bool = False) -> str:
    """Escape the lines that would become headings, or open a code fence that never closes.

    With `headings`, `###` to `######` headings are kept: markdownify wrote them from HTML headings.
    """
    lines = text.split("\n")
    opener = _unclosed_fence(lines)
    while opener is not None:
        lines[opener] = _escape_fence(lines[opener])
        opener = _unclosed_fence(lines)
    fence = ""
    previous = ""
    for index, line in enumerate(lines):
        marker = FENCE.match(line)
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
            previous = ""
            continue
        if marker:
            fence = marker.group(1)
            previous = ""
            continue
        if (match := ATX_LINE.match(line)) and not (headings and HEADING_OUT.match(line)):
            line = f"{match.group(1)}\\{line[match.end(1):]}"
        elif (match := UNDERLINE.match(line)) and previous.strip():
            rest = line[match.end(1):]
            line = match.group(1) + ("\\" + rest if rest[0] == "-" else "&#61;" + rest[1:])
        lines[index] = line
        previous = line
    return "\n".join(lines)


def _unclosed_fence(lines: list[str]) -> int | None:
    fence, opener = "", None
    for index, line in enumerate(lines):
        marker = FENCE.match(line)
        if not marker:
            continue
        if not fence:
            fence, opener = marker.group(1), index
        elif marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
            fence, opener = "", None
    return opener


def _escape_fence(line: str) -> str:
    indent = len(line) - len(line.lstrip(" "))
    rest = line[indent:]
    return line[:indent] + ("\\" + rest if rest[0] == "`" else "&#126;" + rest[1:])


# site.yaml: appending components to its list, leaving the rest of the text as it is


def add_components(text: str, components: Iterable[Component]) -> str:
    """Return site.yaml's text with the components appended to its `components:` list."""
    new = list(components)
    if not new:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"^components\s*:\s*(#.*)?$", line)), None)
    if start is None:
        raise ImportFailure(f"{CONFIG_FILE}: no block-style 'components:' list to add to; add by hand: "
                            + ", ".join(f"{c.id} ({c.name})" for c in new))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t-#"):
        end += 1
    block = range(start + 1, end)
    last = max((i for i in block if lines[i].strip() and not lines[i].startswith("#")), default=start)
    item = next((re.match(r"^(\s*)-(\s+)(.)", lines[i]) for i in block if re.match(r"^\s*-\s", lines[i])), None)
    dash = item.group(1) if item else "  "
    inner = dash + " " + (item.group(2) if item else " ")
    entries = []
    for component in new:
        if item and item.group(3) == "{":
            pairs = [f"id: {_plain(component.id)}", f"name: {yaml_scalar(component.name)}"]
            if component.description:
                pairs.append(f"description: {yaml_scalar(component.description)}")
            entries.append(f"{dash}- {{{', '.join(pairs)}}}")
            continue
        entries.append(f"{dash}-{inner[len(dash) + 1:]}id: {_plain(component.id)}")
        entries.append(f"{inner}name: {_plain(component.name)}")
        if component.description:
            entries.append(f"{inner}description: {_plain(component.description)}")
    lines[last + 1:last + 1] = entries
    result = "\n".join(lines)
    try:
        listed = load_yaml(result).data["components"]
        ids = [entry["id"] for entry in listed]
    except (YamlError, KeyError, TypeError):
        ids = []
    if ids[-len(new):] != [c.id for c in new]:
        raise ImportFailure(f"{CONFIG_FILE}: could not add the components to its list; add by hand: "
                            + ", ".join(f"{c.id} ({c.name})" for c in new))
    return result.replace("\n", newline)


# Writing: the one place that changes files


def existing_ids(root: Path) -> dict[str, str]:
    """Return the id of every notice in the site -> its path: `id:` in the front matter, or derived."""
    found: dict[str, str] = {}
    for kind in Kind:
        folder = root / kind.folder
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*.md") if p.is_file() and not p.name.startswith(".")):
            try:
                text = path.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            front = text.replace("\r\n", "\n").split("\n---", 1)[0]
            match = re.search(r"^id:\s*[\"']?([a-z0-9]+)[\"']?\s*(?:#.*)?$", front, re.MULTILINE)
            found[match.group(1) if match else derived_id(kind, slug_for(path.name))] = \
                path.relative_to(root).as_posix()
    return found


def write_import(root: Path, conversion: Conversion) -> Outcome:
    """Write the converted notices that are not there yet, and their new components into site.yaml.

    Never replaces a notice: one already there word for word counts as unchanged, any other file at
    that path or with that id is reported as skipped.
    """
    outcome = Outcome(skipped=list(conversion.skipped))
    ids = existing_ids(root)
    pending = []
    for notice in conversion.notices:
        target = root / notice.path
        if target.exists():
            same = target.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n") == notice.text
            if same:
                outcome.unchanged.append(notice)
            else:
                outcome.skipped.append(Skipped(notice.path, "a different file is already there; not overwritten",
                                               problem=False))
        elif notice.id in ids:
            outcome.skipped.append(Skipped(notice.path, f"{notice.kind.value} {notice.id} is already imported as "
                                                        f"{ids[notice.id]}; not written", problem=False))
        else:
            pending.append(notice)
    needed = {cid for notice in pending for cid in notice.components}
    outcome.added = [c for c in conversion.new_components if c.id in needed]
    if outcome.added:
        config = root / CONFIG_FILE
        _replace_text(config, add_components(config.read_bytes().decode("utf-8-sig"), outcome.added))
    for notice in pending:
        target = root / notice.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(notice.text)
        except FileExistsError:
            outcome.skipped.append(Skipped(notice.path, "a file appeared there meanwhile; not overwritten",
                                           problem=False))
            continue
        outcome.written.append(notice)
    return outcome


def _replace_text(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def parse_options(maps: Sequence[str], drops: Sequence[str], author: str, fallback: str) -> Options:
    """Read `--map NAME=ID`, `--drop NAME`, `--author` and `--fallback`; raise ValueError when wrong."""
    mapping = {}
    for spec in maps:
        name, sep, cid = spec.rpartition("=")
        name, cid = name.strip(), cid.strip()
        if not sep or not name:
            raise ValueError(f"--map '{spec}': write 'Statuspage name=component-id'")
        if not COMPONENT_ID.match(cid):
            raise ValueError(f"--map '{spec}': '{cid}' is not a component id (lower-case letters, digits, - and _)")
        mapping[name] = cid
    if not COMPONENT_ID.match(fallback):
        raise ValueError(f"--fallback '{fallback}' is not a component id (lower-case letters, digits, - and _)")
    author = " ".join(unicodedata.normalize("NFC", author).split())
    return Options(mapping, frozenset(d.strip() for d in drops), author, fallback)
