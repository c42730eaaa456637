"""Reading every notice of a site: files -> validated Incidents and Maintenance, or problems."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from .config import load_config
from .model import (
    INCIDENT_COMPONENT_STATUSES,
    MAINTENANCE_COMPONENT_STATUSES,
    ComponentStatus,
    Impact,
    Incident,
    Kind,
    Maintenance,
    Notice,
    Problem,
    Reschedule,
    Site,
    SiteConfig,
    Window,
)
from .sections import parse_body, split_front_matter
from .times import duration
from .validate import CONTROL, Reporter, suggest, visible
from .yamlsource import Located, YamlError, load_yaml

INCIDENT_FIELDS = (
    "title", "impact", "components", "author", "next_update", "started", "detected", "created", "id",
)
MAINTENANCE_FIELDS = ("title", "components", "window", "author", "rescheduled", "announced", "id")
NOTICE_ID = re.compile(r"^[a-z0-9]{4,32}$")
RESERVED_IDS = ("unresolved", "upcoming", "active")  # file names beside the ids in api/v2/
REQUIRED = {Kind.INCIDENT: ("title", "impact", "components"), Kind.MAINTENANCE: ("title", "components", "window")}
FUTURE_TOLERANCE = timedelta(minutes=5)
# A file name whose URL readers and writers would not guess: white space, letters beyond ASCII, or a
# leading dot (once a way to hide a file, which is now published).
UNCLEAN_NAME = re.compile(r"^\.|\s|[^\x00-\x7f]")
Reader = Callable[[bytes, str, Kind, SiteConfig], tuple[Notice | None, list[Problem]]]
Loaded = tuple[Notice | None, list[Problem]]


class Unread(NamedTuple):
    """A notice file to read: its path as found, its path relative to the site, and its kind."""

    path: str
    relative: str
    kind: Kind


ReadAll = Callable[[list[Unread], SiteConfig], list[Loaded | Problem]]


def slug_for(filename: str) -> str:
    """Return a notice's URL name: lower-cased, `.md` dropped, anything outside a-z 0-9 - as `-`."""
    stem = filename[:-3] if filename.lower().endswith(".md") else filename
    return re.sub(r"[^a-z0-9-]", "-", stem.lower())


class Known(Protocol):
    """What an earlier build read from files that have not changed since (cache.BuildCache is one)."""

    def unchanged(self, path: str, kind: Kind, config: SiteConfig, found: os.stat_result) -> Loaded | None:
        """The reading of the file at `path` (relative), when its `found` status shows it is the file read
        before; None when it must be read again."""
        ...


def load_site(root: Path, read: Reader | None = None, read_all: ReadAll | None = None, known: Known | None = None
              ) -> tuple[Site | None, list[Problem]]:
    """Read `site.yaml` and every notice below `root`; `read` stands for `load_notice` (the build cache's),
    `read_all` for reading a list of files with it (parallel.py's, in worker processes), and `known`
    answers for files that are as an earlier build read them, which are then not read again.

    The site holds every notice that loaded; it is None only when `site.yaml` is unusable. Callers
    that publish must refuse when any problem is an error.
    """
    config, config_lines, problems = load_config(root)
    if config is None:
        return None, problems
    notices: dict[Kind, list[Notice]] = {Kind.INCIDENT: [], Kind.MAINTENANCE: []}
    ids: dict[str, str] = {}
    for kind in Kind:
        seen: dict[str, str] = {}
        # in order: a file to read, what an earlier build read from it, or why it is not read
        files: list[Unread | Loaded | Problem] = []
        for path, relative, found in _notice_files(str(root), kind, problems):
            if found.st_size > config.limits.file_bytes:  # refused unread
                files.append(_too_large(relative, found.st_size, config))
                continue
            earlier = known.unchanged(relative, kind, config, found) if known is not None else None
            if earlier is not None:
                files.append(earlier)
                continue
            files.append(Unread(path, relative, kind))
        unread = [item for item in files if isinstance(item, Unread)]
        loaded = iter(read_all(unread, config) if read_all else [read_one(item, config, read) for item in unread])
        for item in files:
            if isinstance(item, Unread):
                item = next(loaded)
            if isinstance(item, Problem):
                problems.append(item)
                continue
            notice, found_problems = item
            problems.extend(found_problems)
            if notice is None:
                continue
            relative = notice.path
            if notice.slug in seen:
                problems.append(Problem(visible(relative), 1,
                                        f"gives the same URL {notice.url_path} as {visible(seen[notice.slug])}",
                                        "rename one of the two files"))
                continue
            if notice.id in ids:
                problems.append(Problem(
                    visible(relative), notice.line("id"), f"the id '{notice.id}' is used by {visible(ids[notice.id])}",
                    "ids are unique; remove 'id:' to get one from the file name"))
                continue
            seen[notice.slug] = relative
            ids[notice.id] = relative
            notices[kind].append(notice)
    incidents = tuple(n for n in notices[Kind.INCIDENT] if isinstance(n, Incident))
    maintenance = tuple(n for n in notices[Kind.MAINTENANCE] if isinstance(n, Maintenance))
    return Site(str(root), config, incidents, maintenance, config_lines), problems


def _notice_files(root: str, kind: Kind, problems: list[Problem]) -> list[tuple[str, str, os.stat_result]]:
    """The notice files below the kind's folder, each as its path, its path relative to `root` and its
    status; with a warning for every other file and every unclean name."""
    found: list[tuple[list[str], str, str, os.stat_result]] = []  # sorted by the relative path's parts
    folders = [(os.path.join(root, kind.folder), kind.folder)]
    while folders:
        folder, inside = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            relative = f"{inside}/{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):  # a link to a folder is not followed
                    folders.append((entry.path, relative))
                elif entry.is_file():  # not a link to nothing, nor a socket
                    found.append((relative.split("/"), entry.path, relative, entry.stat()))
            except OSError:
                continue
    files = []
    for _, path, relative, status in sorted(found, key=lambda item: item[0]):
        name = relative.rsplit("/", 1)[-1]
        if os.path.splitext(name)[1].lower() != ".md":
            problems.append(Problem(visible(relative), 1, "not a .md file; skipped",
                                    "notices are Markdown files ending in .md", "warning"))
            continue
        slug = slug_for(name)
        if UNCLEAN_NAME.search(name):
            clean = re.sub(r"-{2,}", "-", slug).strip("-")
            example = f", e.g. {clean}.md" if clean else ""
            problems.append(Problem(visible(relative), 1, f"the file name gives the URL {kind.folder}/{slug}/",
                                    f"name notice files with letters a-z, digits and '-' only{example}",
                                    "warning"))
        files.append((path, relative, status))
    return files


RAW = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # as open() sets: not inherited, no newline translation


def read_file(path: str) -> bytes:
    """The bytes of one notice file (tests make it fail), read with plain system calls: `open()` would
    also ask whether the file is a terminal, how large it is and where it stands, for every notice."""
    handle = os.open(path, os.O_RDONLY | RAW)
    try:
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(handle)


def read_one(file: Unread, config: SiteConfig, read: Reader | None = None) -> Loaded | Problem:
    """Read one notice file with `read` (`load_notice` by default); or why it cannot be read."""
    data = read_bytes(file)
    return data if isinstance(data, Problem) else (read or load_notice)(data, file.relative, file.kind, config)


def read_bytes(file: Unread) -> bytes | Problem:
    """The bytes of a notice file, or why they cannot be read."""
    try:
        return read_file(file.path)
    except OSError as exc:
        return Problem(visible(file.relative), 1, f"cannot read the file: {exc.strerror or exc}")


def _too_large(path: str, size: int, config: SiteConfig) -> Problem:
    limit = config.limits.file_bytes
    return Problem(visible(path), 1, f"the file is {size} bytes, more than the limit of {limit} bytes",
                   "a notice is a page of text: check that the right file was saved here, "
                   "or raise limits.file_bytes in site.yaml")


def load_notice(data: bytes, path: str, kind: Kind, config: SiteConfig) -> tuple[Notice | None, list[Problem]]:
    """Parse and validate one notice file; return it, or None with the errors.

    The cheap checks come first, so that a hostile file costs little: its size before decoding, its
    characters before YAML, YAML tags and aliases before values are built (yamlsource), and the
    shape of the text before Markdown reads it (sections).
    """
    report = Reporter(path)
    if len(data) > config.limits.file_bytes:
        return None, [_too_large(path, len(data), config)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.error(line, f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                     "save the file as UTF-8")
        return None, report.problems
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        report.error(1, "the file is empty",
                     "a notice starts with '---', its fields (title, …) and '---', then the text")
        return None, report.problems
    control = CONTROL.search(text)
    if control:  # feeds and calendars cannot carry it, and it is never meant
        report.error(text.count("\n", 0, control.start()) + 1,
                     f"the character U+{ord(control.group()):04X} is not allowed here",
                     "delete it; it is usually invisible in an editor")
        return None, report.problems
    split = split_front_matter(text, report)
    if split is None:
        return None, report.problems
    try:
        doc = load_yaml(split.front, split.front_line)
    except YamlError as exc:
        report.error(exc.line, exc.message, exc.hint)
        return None, report.problems
    doc = Located(doc.data, doc.lines, 1)  # errors about the whole front matter point at '---'
    fields = INCIDENT_FIELDS if kind is Kind.INCIDENT else MAINTENANCE_FIELDS
    meta = report.mapping(doc, (), doc.data, fields, REQUIRED[kind])
    before = len(report.problems)
    body = parse_body(split.body, split.body_line, kind, report)
    body_failed = any(p.is_error for p in report.problems[before:])
    if meta is None:
        return None, report.problems
    title = " ".join((report.text(doc, ("title",), meta.get("title")) or "").split())
    if len(title) > config.limits.title_chars:
        report.error(doc.line("title"),
                     f"the title is {len(title)} characters long, more than the limit of {config.limits.title_chars}",
                     "keep the detail for the summary below the front matter, or raise limits.title_chars in site.yaml")
    common: dict[str, Any] = {
        "kind": kind,
        "slug": slug_for(Path(path).name),
        "id": _notice_id(report, doc, meta.get("id"), kind, slug_for(Path(path).name)),
        "path": path,
        "title": title,
        "components": _components(report, doc, meta.get("components"), kind, config),
        "summary": body.summary,
        "updates": body.updates,
        "author": report.text(doc, ("author",), meta.get("author")) or "",
        "source": text,
        "summary_line": body.summary_line,
        "field_lines": tuple((".".join(map(str, key)), line) for key, line in doc.lines.items()),
    }
    notice: Notice
    if kind is Kind.INCIDENT:
        # An empty impact is already reported as missing.
        has_impact = meta.get("impact") not in (None, "")
        impact = report.choice(doc, ("impact",), meta["impact"], Impact) if has_impact else None
        started = report.time(doc, ("started",), meta.get("started"))
        # A heading that could not be read is reported already; it may have been meant as the update.
        if not body.updates and not body_failed:
            report.error(split.body_line, "an incident needs at least one update section",
                         "add e.g. '## Investigating · 2026-11-18 09:55 UTC' and a sentence below it")
        if started and body.updates and started > body.updates[-1].at:
            first = body.updates[-1].at
            report.error(doc.line("started"), "'started' is later than the first update",
                         f"the first update is at {first:%Y-%m-%d %H:%M} UTC; customers were affected before")
        notice = Incident(
            **common,
            impact=impact or Impact.NONE,
            next_update=report.time(doc, ("next_update",), meta.get("next_update")),
            started=started,
            detected=report.time(doc, ("detected",), meta.get("detected")),
            created=report.time(doc, ("created",), meta.get("created")),
            postmortem=body.postmortem,
        )
    else:
        # An empty window is reported as missing; any other value (`{}`, a list) must be checked.
        has_window = meta.get("window") not in (None, "")
        days = config.limits.window_days
        window = _window(report, doc, ("window",), meta["window"], days) if has_window else None
        rescheduled = _rescheduled(report, doc, meta.get("rescheduled"), days)
        announced = report.time(doc, ("announced",), meta.get("announced"))
        if window is None or report.failed:
            return None, report.problems
        notice = Maintenance(**common, window=window, rescheduled=rescheduled, announced=announced)
    return (None if report.failed else notice), report.problems


def stable_id(key: str) -> str:
    """Return a stable 12-character base-36 id for `key`, shaped like Statuspage's ids."""
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    digits = ""
    while len(digits) < 12:
        number, rest = divmod(number, 36)
        digits += "0123456789abcdefghijklmnopqrstuvwxyz"[rest]
    return digits


def derived_id(kind: Kind, slug: str) -> str:
    """Return a notice's id when its front matter gives none: from its kind and file name."""
    return stable_id(f"{kind.value}/{slug}")


def _notice_id(report: Reporter, doc: Located, value: Any, kind: Kind, slug: str) -> str:
    if value is None:
        return derived_id(kind, slug)
    text = str(value).strip()
    if not NOTICE_ID.match(text) or text in RESERVED_IDS:
        report.error(doc.line("id"), f"'id' cannot be '{text}'",
                     "use 4 to 32 lower-case letters and digits, as Statuspage ids, or remove it")
    return text


def _components(
    report: Reporter, doc: Located, value: Any, kind: Kind, config: SiteConfig
) -> tuple[tuple[str, ComponentStatus], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        report.error(doc.line("components"), "'components' must map component ids to their status",
                     "e.g. components: {api: partial_outage}")
        return ()
    allowed = INCIDENT_COMPONENT_STATUSES if kind is Kind.INCIDENT else MAINTENANCE_COMPONENT_STATUSES
    ids = [c.id for c in config.components]
    result = []
    for cid, status in value.items():
        if str(cid) not in ids:
            report.error(doc.line("components", str(cid)), f"unknown component '{cid}'",
                         suggest(str(cid), ids) + " (components are listed in site.yaml)")
            continue
        if str(status).lower() == "under_maintenance" and kind is Kind.INCIDENT:
            report.error(doc.line("components", str(cid)), "an incident cannot put a component under_maintenance",
                         "use degraded_performance, partial_outage or major_outage, or write a maintenance notice")
            continue
        choice = report.choice(doc, ("components", str(cid)), status, allowed)
        if choice is not None:
            result.append((str(cid), choice))
    return tuple(result)


def _window(report: Reporter, doc: Located, path: tuple[str | int, ...], value: Any, days: int) -> Window | None:
    data = report.mapping(doc, path, value, ("start", "end"), ("start", "end"))
    if data is None:
        return None
    start = report.time(doc, (*path, "start"), data.get("start"))
    end = report.time(doc, (*path, "end"), data.get("end"))
    if start is None or end is None:
        return None
    if end <= start:
        wording = "ends before it starts" if end < start else "ends when it starts"
        report.error(doc.line(*path), f"the window {wording}",
                     f"start {start:%Y-%m-%d %H:%M} UTC, end {end:%Y-%m-%d %H:%M} UTC")
        return None
    if end - start > timedelta(days=days):  # usually a typo in a date: a year-long maintenance
        length = duration(end - start)
        length = f"just over {length}" if length == f"{days} d" else length  # by seconds
        report.error(doc.line(*path),
                     f"the window lasts {length}, more than the limit of {days} day{'s' * (days != 1)}",
                     "split the work into several maintenance notices, or raise limits.window_days in site.yaml")
        return None
    return Window(start, end)


def _rescheduled(report: Reporter, doc: Located, value: Any, days: int) -> tuple[Reschedule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        report.error(doc.line("rescheduled"), "'rescheduled' must be a list of earlier windows",
                     "e.g. - {from: {start: …, end: …}, on: …, reason: …}")
        return ()
    moves = []
    for index, item in enumerate(value):
        path = ("rescheduled", index)
        entry = report.mapping(doc, path, item, ("from", "on", "reason"), ("from", "on"), f"move {index + 1}")
        if entry is None:
            continue
        # A missing 'from' is reported by mapping() already.
        has_from = entry.get("from") not in (None, "")
        window = _window(report, doc, (*path, "from"), entry["from"], days) if has_from else None
        on = report.time(doc, (*path, "on"), entry.get("on"))
        reason = report.text(doc, (*path, "reason"), entry.get("reason")) or ""
        if window and on:
            moves.append(Reschedule(window, on, reason))
    return tuple(moves)


def future_updates(site: Site, now: datetime) -> list[Problem]:
    """Warn about updates dated more than five minutes after `now`: usually a wrong time zone."""
    problems = []
    for notice in (*site.incidents, *site.maintenance):
        for update in notice.updates:
            if update.at > now + FUTURE_TOLERANCE:
                problems.append(Problem(
                    notice.path, update.line,
                    f"this update is dated {update.at:%Y-%m-%d %H:%M} UTC, after now; it stays hidden until then",
                    "check the time zone of its heading", "warning"))
    return problems
