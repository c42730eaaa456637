"""The maintenance calendar (RFC 5545): `maintenance.ics`, one event per published maintenance.

A subscribed calendar must move an event when its window is rescheduled, never show a second one:
each event keeps one UID for its whole life (from the notice's id and the site's address), and its
SEQUENCE rises with every move and once more when it is cancelled. Nothing reads the clock: DTSTAMP
and LAST-MODIFIED are the notice's latest change, so the file is byte-identical for the same input
and `--now`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import partial
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from . import i18n, status
from .markup import to_html
from .model import Maintenance, MaintenanceState, Site, SiteConfig
from .reuse import digest, reused
from .views import NoticeView

if TYPE_CHECKING:
    from icalendar import Event, Timezone

CALENDAR = "maintenance.ics"
PRODID = "-//statuspress//maintenance calendar//EN"  # no version: output must not change with upgrades
END = b"END:VCALENDAR\r\n"
PAST = timedelta(days=365)  # how far back the calendar goes; the history pages keep everything
REFRESH = timedelta(hours=1)  # how often subscribers are asked to poll (REFRESH-INTERVAL, X-PUBLISHED-TTL)

BLOCKS = {"p", "ul", "ol", "li", "pre", "blockquote", "table", "tr", "h3", "h4", "h5", "h6", "hr", "br"}


class _Text(HTMLParser):
    """Turn the sanitised HTML of a notice into plain text: paragraphs, `- ` list items, `text (url)` links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.links: list[str | None] = []

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.flush()
        if tag == "li":
            self.current.append("- ")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.current.append("\0")  # marks where the link text starts

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href = self.links.pop()
            joined = "".join(self.current)
            start = joined.rfind("\0")
            label = joined[start + 1 :]
            shown = label if not href or href == label.strip() or href == "mailto:" + label.strip() else (
                f"{label} ({href})")
            self.current = [joined[:start], shown]
        elif tag in BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def plain_text(markdown: str) -> str:
    """Return a notice's Markdown as plain text, paragraphs separated by a blank line."""
    parser = _Text()
    parser.feed(to_html(markdown))
    parser.close()
    parser.flush()
    return "\n\n".join(block.replace("\0", "") for block in parser.blocks)


def webcal_url(config: SiteConfig) -> str:
    """Return the calendar's subscribe address: its URL with the `webcal` scheme, which calendar apps open."""
    parts = urlsplit(config.url + CALENDAR)
    return urlunsplit(("webcal", *parts[1:]))


def event_uid(config: SiteConfig, maintenance: Maintenance) -> str:
    """Return an event's permanent UID: `<id>@<host>`, with the site's path folded in for a site at a sub-path.

    The notice id never changes (front matter `id:` or derived from the file name), so neither
    does the UID: a move or a cancellation updates the subscriber's event in place.
    """
    parts = urlsplit(config.url)
    path = ".".join(p for p in parts.path.split("/") if p)
    return f"{maintenance.id}{'.' + path if path else ''}@{(parts.hostname or 'localhost').lower()}"


def sequence(maintenance: Maintenance, now: datetime) -> int:
    """Return the revision number: one per visible move of the window, and one more once cancelled."""
    cancelled = status.maintenance_state(maintenance, now) is MaintenanceState.CANCELLED
    return len(status.visible_moves(maintenance, now)) + (1 if cancelled else 0)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def description(config: SiteConfig, maintenance: Maintenance, now: datetime) -> str:
    """Return the event's text: the summary, what it affects, whether it was cancelled, and the page's URL."""
    lang = i18n.language(config.language)  # the fixed texts follow the site's language; the summary is as written
    parts = [plain_text(maintenance.summary)]
    parts.append(lang.gettext("Affects:") + "\n" + "\n".join(
        f"- {config.component(cid).name}: {lang.in_sentence(st)}" for cid, st in maintenance.components
    ))
    if status.maintenance_state(maintenance, now) is MaintenanceState.CANCELLED:
        parts.append(lang.gettext("This maintenance was cancelled."))
    parts.append(lang.gettext("Details and updates: %(url)s") % {"url": config.url + maintenance.url_path})
    return "\n\n".join(p for p in parts if p)


def maintenance_event(config: SiteConfig, maintenance: Maintenance, now: datetime) -> Event:
    """Return the VEVENT of one published maintenance as it stands at `now`."""
    from icalendar import Event  # loaded only when an event is made: most rebuilds reuse them all

    window = status.window_at(maintenance, now)
    changed = _utc(status.last_changed(maintenance, now))
    cancelled = status.maintenance_state(maintenance, now) is MaintenanceState.CANCELLED
    event = Event()
    event.add("uid", event_uid(config, maintenance))
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    if maintenance.announced is not None:
        event.add("created", _utc(maintenance.announced))
    event.add("sequence", sequence(maintenance, now))
    event.add("dtstart", _utc(window.start))
    event.add("dtend", _utc(window.end))
    event.add("summary", maintenance.title)
    event.add("description", description(config, maintenance, now))
    event.add("url", config.url + maintenance.url_path)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # someone else's maintenance does not make the subscriber busy
    event.add("categories", ["Maintenance"])
    return event


def _utc_zone() -> Timezone:
    """A VTIMEZONE for UTC: the one component of a calendar with no maintenance (RFC 5545 asks for one)."""
    from icalendar import Timezone, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "UTC")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - a VTIMEZONE's DTSTART is local time
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    zone.add_component(standard)
    return zone


def maintenance_calendar(config: SiteConfig, maintenance: list[Maintenance], now: datetime) -> bytes:
    """Render `maintenance.ics`: every maintenance published at `now` whose window ends after a year ago
    (`PAST`), by window: what is ahead and the past year, however long the history."""
    shown = [m for m in maintenance if status.is_published(m, now) and status.window_at(m, now).end > now - PAST]
    shown.sort(key=lambda m: (status.window_at(m, now).start, m.slug))
    if not shown:
        return _calendar(config, empty=True)
    # As `Calendar.to_ical` would write it with the events added, each event written apart: the head
    # depends on the configuration only, and a settled maintenance's event is made once; both are reused
    # by later builds (reuse.py), which then need not load icalendar at all.
    head: bytes = reused(("calendar-head",), partial(_calendar, config)).removesuffix(END)
    events = [reused(("event", digest(m), settled), partial(_event, config, m, settled))
              if (settled := status.settled_at(m, now)) else _event(config, m, now) for m in shown]
    return head + b"".join(events) + END


def _calendar(config: SiteConfig, empty: bool = False) -> bytes:
    """The calendar without events: with only a VTIMEZONE for UTC when it is `empty`."""
    from icalendar import Calendar, vDuration, vText

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    lang = i18n.language(config.language)
    name = lang.gettext("%(site)s: maintenance") % {"site": config.name}
    cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-caldesc", vText(lang.gettext("Scheduled maintenance announced on %(url)s") % {"url": config.url}))
    cal.add("name", vText(name))  # RFC 7986's NAME, what X-WR-CALNAME says
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    if empty:
        cal.add_component(_utc_zone())
    ical: bytes = cal.to_ical()
    return ical


def _event(config: SiteConfig, maintenance: Maintenance, now: datetime) -> bytes:
    ical: bytes = maintenance_event(config, maintenance, now).to_ical()
    return ical


def calendar_files(site: Site, views: list[NoticeView], now: datetime) -> dict[str, bytes]:
    """Return the calendar files of the site, keyed by path."""
    return {CALENDAR: maintenance_calendar(site.config, list(site.maintenance), now)}
