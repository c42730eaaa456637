"""`statuspress new`: a ready-to-edit notice from the message templates, never overwriting a file."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .messages import message_environment, names, render_message
from .model import ComponentStatus, Impact, Kind, SiteConfig, Window
from .validate import CONTROL

FIRST_PROMISE = timedelta(minutes=30)


@dataclass(frozen=True)
class Draft:
    kind: Kind
    title: str
    components: tuple[tuple[str, ComponentStatus], ...] = ()  # empty: a flagged placeholder
    impact: Impact = Impact.MINOR
    window: Window | None = None


def clean_title(title: str) -> str:
    """Return the title on one line, without control characters, which no notice may carry."""
    return " ".join(CONTROL.sub(" ", title).split())


def file_slug(title: str, fallback: str) -> str:
    """Return an ASCII file-name slug for a title, or `fallback` when nothing is left of it."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return slug or fallback


def default_status(kind: Kind) -> ComponentStatus:
    """The status a component gets when none is given: degraded for an incident, under maintenance otherwise."""
    return ComponentStatus.DEGRADED_PERFORMANCE if kind is Kind.INCIDENT else ComponentStatus.UNDER_MAINTENANCE


def default_window(now: datetime) -> Window:
    """A one-hour window a week ahead, on the hour: a placeholder to replace with a chosen time."""
    start = (now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    return Window(start, start + timedelta(hours=1))


def render_draft(root: Path, draft: Draft, config: SiteConfig, now: datetime) -> str:
    """Return the text of a new notice file, from the `incident` or `maintenance` message template."""
    components = draft.components or ((config.components[0].id, default_status(draft.kind)),)
    return render_message(
        message_environment(root, config),
        draft.kind.value,
        title=clean_title(draft.title),
        impact=draft.impact.value,
        components=[(cid, status.value) for cid, status in components],
        placeholder=not draft.components,
        names=names(config, components),
        now=now,
        next_update=now + FIRST_PROMISE,
        window=draft.window or default_window(now),
        site=config,
    )


def new_notice_path(root: Path, draft: Draft, now: datetime) -> Path:
    """Return a path for the draft that no file has yet: `<folder>/<date>-<slug>.md`, numbered if taken."""
    if draft.kind is Kind.MAINTENANCE:
        day = (draft.window or default_window(now)).start.strftime("%Y-%m-%d")
    else:
        day = now.strftime("%Y-%m-%d")
    base = f"{day}-{file_slug(draft.title, draft.kind.value)}"
    folder = root / draft.kind.folder
    candidate = folder / f"{base}.md"
    number = 2
    while candidate.exists():
        candidate = folder / f"{base}-{number}.md"
        number += 1
    return candidate


def write_draft(root: Path, draft: Draft, config: SiteConfig, now: datetime) -> Path:
    """Write the draft to a new file, never replacing one, and return its path."""
    text = render_draft(root, draft, config, now)
    path = new_notice_path(root, draft, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path
