"""`statuspress new`: a ready-to-edit notice that passes `check` as written."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from .model import ComponentStatus, Impact, Kind, SiteConfig, Window
from .times import iso


@dataclass(frozen=True)
class Draft:
    kind: Kind
    title: str
    components: tuple[tuple[str, ComponentStatus], ...]
    impact: Impact = Impact.MINOR
    window: Window | None = None


def file_slug(title: str, fallback: str) -> str:
    """Return an ASCII file-name slug for a title, or `fallback` when nothing is left of it."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return slug or fallback


def default_components(config: SiteConfig, kind: Kind) -> tuple[tuple[str, ComponentStatus], ...]:
    return ((config.components[0].id, default_status(kind)),)


def default_status(kind: Kind) -> ComponentStatus:
    """The status a component gets when none is given: degraded for an incident, under maintenance otherwise."""
    return ComponentStatus.DEGRADED_PERFORMANCE if kind is Kind.INCIDENT else ComponentStatus.UNDER_MAINTENANCE


def default_window(now: datetime) -> Window:
    """A one-hour window a week ahead, on the hour: a placeholder to replace with a chosen time."""
    start = (now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    return Window(start, start + timedelta(hours=1))


def _scalar(value: str) -> str:
    """Quote a value for YAML, whatever characters it has."""
    text = yaml.safe_dump(value, allow_unicode=True, default_style='"', width=10_000)
    return text.strip().removesuffix("...").strip()


def render_draft(draft: Draft, config: SiteConfig, now: datetime) -> str:
    """Return the text of a new notice file."""
    names = ", ".join(config.component(cid).name for cid, _ in draft.components)
    components = "".join(f"  {cid}: {st.value}\n" for cid, st in draft.components)
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    if draft.kind is Kind.INCIDENT:
        return (
            "---\n"
            f"title: {_scalar(draft.title)}\n"
            f"impact: {draft.impact.value}                 # none | minor | major | critical\n"
            "components:                   # id: degraded_performance | partial_outage | major_outage\n"
            f"{components}"
            "author:                       # a person or named team, e.g. Giulia Rossi, Site Reliability\n"
            f"next_update: {iso(now + timedelta(minutes=30))}   # when customers will hear from you next\n"
            "---\n"
            f"We are investigating problems with {names}. Some requests may fail or be slow.\n"
            "Say here what customers experience and what it means for them; details go below.\n"
            "\n"
            f"## Investigating · {stamp}\n"
            f"We are investigating reports of problems with {names}. "
            "We will post an update within 30 minutes.\n"
        )
    window = draft.window or default_window(now)
    return (
        "---\n"
        f"title: {_scalar(draft.title)}\n"
        "components:                   # id: under_maintenance | degraded_performance | partial_outage | major_outage\n"
        f"{components}"
        "window:                       # start and end, with a time zone\n"
        f"  start: {iso(window.start)}\n"
        f"  end: {iso(window.end)}\n"
        "author:                       # a person or named team, e.g. Marco Bianchi, Platform team\n"
        f"announced: {iso(now)}\n"
        "---\n"
        f"During this window {names} will be unavailable or slower than usual.\n"
        "Say what customers will notice and what they can do meanwhile.\n"
    )


def new_notice_path(root: Path, draft: Draft, now: datetime) -> Path:
    """Return a path for the draft that no file has yet: `<folder>/<date>-<slug>.md`, numbered if taken."""
    day = (draft.window.start if draft.window else now).strftime("%Y-%m-%d")
    if draft.kind is Kind.MAINTENANCE and draft.window is None:
        day = default_window(now).start.strftime("%Y-%m-%d")
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
    path = new_notice_path(root, draft, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(render_draft(draft, config, now))
    return path
