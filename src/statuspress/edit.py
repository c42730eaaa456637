"""`statuspress update` and `statuspress move`: edit a notice's text in place, keeping the rest as written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .messages import message_environment, names, render_message, yaml_scalar
from .model import Incident, Kind, Maintenance, Notice, SiteConfig, Window
from .sections import parse_body, split_front_matter
from .times import iso
from .validate import Reporter

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "update", "resolved", "postmortem")
MAINTENANCE_STATUSES = ("in_progress", "verifying", "completed", "cancelled", "update")
DEFAULT_PROMISE = timedelta(minutes=30)
_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?$")


class EditError(Exception):
    """An edit that cannot be made; the file is left as it was."""


@dataclass(frozen=True)
class Edited:
    text: str
    line: int  # where the new section starts


def parse_delay(text: str) -> timedelta:
    """Read `30m`, `1h`, `1h30m` or `90` (minutes)."""
    text = text.strip().lower()
    match = _DURATION.match(text)
    if text.isdigit():
        delay = timedelta(minutes=int(text))
    elif not match or not any(match.groups()):
        raise EditError(f"cannot read the delay '{text}'; write e.g. 30m, 1h or 1h30m")
    else:
        delay = timedelta(hours=int(match[1] or 0), minutes=int(match[2] or 0))
    if not delay:
        raise EditError(f"the delay '{text}' is zero; promise the next update in e.g. 30m")
    return delay


def normalise_status(kind: Kind, status: str) -> str:
    """Return the command's status word (`in_progress`, `identified`, …) or raise with the choices."""
    word = re.sub(r"[\s-]+", "_", status.strip().lower())
    allowed = INCIDENT_STATUSES if kind is Kind.INCIDENT else MAINTENANCE_STATUSES
    if word not in allowed:
        raise EditError(f"{'an' if kind is Kind.INCIDENT else 'a'} {kind.value} cannot get the status '{status}'; "
                        f"use one of: {', '.join(allowed)}")
    return word


def heading_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _front_end(lines: list[str]) -> int:
    """Return the index of the closing `---` of the front matter."""
    return next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))


def _set_field(lines: list[str], notice: Notice, name: str, value: str | None) -> list[str]:
    """Replace a one-line top-level field, add it before the closing `---`, or drop it (value None)."""
    lines = list(lines)
    lines_of = dict(notice.field_lines)
    if name in lines_of:
        index = lines_of[name] - 1
        if value is None:
            del lines[index]
        else:
            comment = re.search(r"\s+#.*$", lines[index])
            lines[index] = f"{name}: {value}" + (comment.group(0) if comment else "")
    elif value is not None:
        lines.insert(_front_end(lines), f"{name}: {value}")
    return lines


def _block(notice: Notice, lines: list[str], name: str) -> range:
    """Return the 0-based indexes of a top-level field and everything below it up to the next field.

    Blank lines and unindented comments at its end belong to what follows, and are not included.
    """
    tops = sorted(line for key, line in notice.field_lines if "." not in key)
    start = dict(notice.field_lines)[name]
    stop = next((line for line in tops if line > start), _front_end(lines) + 1)
    while stop - 1 > start and (not lines[stop - 2].strip() or lines[stop - 2].startswith("#")):
        stop -= 1
    return range(start - 1, stop - 1)


def insert_update(text: str, kind: Kind, label: str, body: str, now: datetime) -> Edited:
    """Insert an update section newest first, right after the summary (a postmortem goes last)."""
    report = Reporter("")
    split = split_front_matter(text, report)
    if split is None:
        raise EditError(str(report.problems[0]))
    parsed = parse_body(split.body, split.body_line, kind, report)
    lines = _lines(text.rstrip("\n"))
    section = [f"## {label} · {heading_time(now)}", *body.strip("\n").split("\n")]
    if label == "Postmortem":
        if parsed.postmortem is not None:
            raise EditError(f"the notice has a postmortem already, on line {parsed.postmortem.line}")
        at = len(lines) + 2
        lines += ["", *section]
    elif parsed.heading_lines:
        at = parsed.heading_lines[0]
        lines[at - 1 : at - 1] = [*section, ""]
    else:
        at = len(lines) + 2
        lines += ["", *section]
    return Edited("\n".join(lines) + "\n", at)


def update(root: Path, config: SiteConfig, notice: Notice, text: str, status: str, message: str | None,
           delay: timedelta | None, now: datetime) -> Edited:
    """Return the notice's text with a new update section and, for an incident, a moved `next_update`."""
    status = normalise_status(notice.kind, status)
    label = "In progress" if status == "in_progress" else status.capitalize()
    next_update: datetime | None = None
    lines = _lines(text)
    if isinstance(notice, Incident):
        if status not in ("resolved", "postmortem"):
            next_update = now + (delay or DEFAULT_PROMISE)
            lines = _set_field(lines, notice, "next_update", iso(next_update))
        elif delay is not None:
            raise EditError("a resolved incident promises no next update; drop --next-update")
        elif status == "resolved":
            lines = _set_field(lines, notice, "next_update", None)
    elif delay is not None:
        raise EditError("--next-update is for incidents; a maintenance follows its window")
    body = message
    if body is None:
        env = message_environment(root, config)
        body = render_message(env, status, **_context(config, notice, now, next_update))
    return insert_update("\n".join(lines), notice.kind, label, body, now)


def move(root: Path, config: SiteConfig, notice: Maintenance, text: str, window: Window, reason: str,
         now: datetime) -> Edited:
    """Return the text with the old window appended to `rescheduled`, the new one set, and an Update.

    Earlier moves written as a block list stay as written; the new one goes below them.
    """
    reason = reason.strip()
    if not reason:
        raise EditError("give the reason for the move with --reason; an unexplained move looks like another outage")
    lines = _lines(text)
    fields = dict(notice.field_lines)
    window_lines = _block(notice, lines, "window")
    dropped = set(window_lines)
    added = {window_lines.start: ["window:", f"  start: {iso(window.start)}", f"  end: {iso(window.end)}"]}
    if "rescheduled.0" in fields and re.match(r"^rescheduled:\s*(#.*)?$", lines[fields["rescheduled"] - 1]):
        first = lines[fields["rescheduled.0"] - 1]
        indent = first[: len(first) - len(first.lstrip())]
        after = _block(notice, lines, "rescheduled").stop
        added[after] = [*_move_entry(notice.window, now, reason, indent), *added.get(after, [])]
    else:  # none yet, or written in flow style: write the whole list below the window
        entries = []
        for old in notice.rescheduled:
            entries += _move_entry(old.window, old.on, old.reason)
        added[window_lines.start] += ["rescheduled:", *entries, *_move_entry(notice.window, now, reason)]
        if "rescheduled" in fields:
            dropped |= set(_block(notice, lines, "rescheduled"))
    edited: list[str] = []
    for index, line in enumerate(lines):
        edited += added.get(index, [])
        if index not in dropped:
            edited.append(line)
    env = message_environment(root, config)
    context = _context(config, notice, now, None) | {"old": notice.window, "window": window, "reason": reason}
    return insert_update("\n".join(edited), notice.kind, "Update", render_message(env, "moved", **context), now)


def _move_entry(window: Window, on: datetime, reason: str, indent: str = "  ") -> list[str]:
    entry = [f"{indent}- from: {{start: {iso(window.start)}, end: {iso(window.end)}}}", f"{indent}  on: {iso(on)}"]
    if reason:
        entry.append(f"{indent}  reason: {yaml_scalar(reason)}")
    return entry


def _context(config: SiteConfig, notice: Notice, now: datetime, next_update: datetime | None) -> dict[str, object]:
    context: dict[str, object] = {
        "site": config,
        "title": notice.title,
        "components": [(cid, status.value) for cid, status in notice.components],
        "names": names(config, notice.components),
        "now": now,
        "next_update": next_update,
        "reason": "",
        "kind": notice.kind.value,
    }
    if isinstance(notice, Maintenance):
        context["window"] = notice.window
    return context
