"""`statuspress preview`: changed notices as customers will read them, as Markdown for a PR summary."""

from __future__ import annotations

import html
from datetime import datetime

from . import times
from .model import Incident, Maintenance, Notice, Problem, Site
from .status import is_published
from .views import NoticeView, notice_view


def _quote(markdown: str) -> str:
    """Keep raw HTML visible as text, as the site shows it, inside a Markdown block quote."""
    text = html.escape(markdown, quote=False)
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _notice(site: Site, notice: Notice, now: datetime, problems: list[Problem]) -> list[str]:
    zone = site.config.zone
    published = is_published(notice, now)
    # An incident none of whose updates is due has no page yet: show it as it will first appear.
    shown = min(u.at for u in notice.updates) if isinstance(notice, Incident) and not published else now
    view: NoticeView = notice_view(notice, site.config, shown)
    kind = "Incident" if notice.kind.value == "incident" else "Maintenance"
    out = [f"### {kind}: {html.escape(notice.title)}", ""]
    facts = [f"**{view.state_words}**"]
    if view.impact is not None:
        facts.append(f"{view.impact.value.capitalize()} impact")
    if view.window is not None:
        facts.append(times.span(view.window.start, view.window.end, zone))
    if view.started is not None:
        facts.append(f"started {times.stamp(view.started, zone)}")
    if view.next_update is not None:
        facts.append(f"next update by {times.stamp(view.next_update, zone)}")
    out.append(" · ".join(facts))
    affected = ", ".join(f"{c.name} ({s.words.lower()})" for c, s in view.components)
    out += ["", f"Affected: {affected}", ""]
    if not published:
        announced = notice.announced if isinstance(notice, Maintenance) else None
        why = f"it is announced {times.stamp(announced, zone)}" if announced else "none of its updates is due"
        out += [f"*Not published yet at this time: {why}.*", ""]
    if notice.summary:
        out += [_quote(notice.summary), ""]
    if isinstance(notice, Maintenance):
        targets = [*(m.window for m in notice.rescheduled[1:]), notice.window]
        for move, to in zip(notice.rescheduled, targets, strict=False):
            why = f": {html.escape(move.reason)}" if move.reason else "."
            out += [f"Moved on {times.stamp(move.on, zone)} from {times.local_stamp(move.window.start, zone)}"
                    f" to {times.local_stamp(to.start, zone)}{why}", ""]
    for update in notice.updates:
        due = "" if update.at <= now else " *(not shown until then)*"
        out += [f"**{update.label.capitalize()}** · {times.stamp(update.at, zone)}{due}", "", _quote(update.body), ""]
    if isinstance(notice, Incident) and notice.postmortem is not None:  # the words legal reviews most closely
        written = notice.postmortem
        when = f" · {times.stamp(written.at, zone)}" if written.at else ""
        due = "" if written.at is None or written.at <= now else " *(not shown until then)*"
        out += [f"**Postmortem**{when}{due}", "", _quote(written.body), ""]
    if notice.author:
        out += [f"— {html.escape(notice.author)}", ""]
    mine = [p for p in problems if p.path == notice.path]
    if mine:
        out += ["<details><summary>Review warnings</summary>", ""]
        out += [f"- line {p.line}: {html.escape(p.message)}" + (f" [{p.rule}]" if p.rule else "") for p in mine]
        out += ["", "</details>", ""]
    out.append(f"<sub>{notice.path}</sub>")
    return out


def preview(site: Site, now: datetime, only: set[str] | None, problems: list[Problem]) -> str:
    """Return Markdown showing each notice (or those in `only`) as its page will read."""
    notices = [n for n in (*site.incidents, *site.maintenance) if only is None or n.path in only]
    lines = [f"## Status page preview: {len(notices)} notice{'s' * (len(notices) != 1)}", "",
             f"As customers will read it at {times.stamp(now, site.config.zone)}.", ""]
    if not notices:
        lines.append("No incident or maintenance notice is changed.")
    for notice in notices:
        lines += ["---", "", *_notice(site, notice, now, problems), ""]
    return "\n".join(lines).rstrip() + "\n"
