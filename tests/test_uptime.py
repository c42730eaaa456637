"""Uptime history (issue 5): the pure functions with a fixed `now`, the `uptime:` and `since:` settings,
and the bars of the example site."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from lxml import html

from statuspress import status
from statuspress.config import load_config
from statuspress.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    Kind,
    Maintenance,
    SiteConfig,
    Update,
    Window,
)
from statuspress.render import bar_cells
from statuspress.views import DayView, NoticeView

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ROME = ZoneInfo("Europe/Rome")
API = Component("api", "API")
HOUR = 3600
# The 90 days of the bar end today (24 Nov) and start on 27 Aug at midnight; in UTC the covered
# stretch is 89 days and 12 hours long.
COVERED = 89 * 86400 + 12 * HOUR
PARTIAL = Fraction(3, 10)

MAJOR = ComponentStatus.MAJOR_OUTAGE
PART = ComponentStatus.PARTIAL_OUTAGE
DEGRADED = ComponentStatus.DEGRADED_PERFORMANCE
MAINT = ComponentStatus.UNDER_MAINTENANCE
OK = ComponentStatus.OPERATIONAL


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def incident(start: str, end: str | None, component_status: ComponentStatus = MAJOR, component: str = "api",
             slug: str = "", posted: str | None = None) -> Incident:
    """An incident that affects `component` from `start` to `end` (still open when `end` is None)."""
    first = at(posted or start)
    updates = [Update("investigating", first, "Looking.", 1)]
    if end is not None:
        updates.insert(0, Update("resolved", at(end), "Fixed.", 2))
    return Incident(kind=Kind.INCIDENT, slug=slug or f"i-{start}-{component}", path="incidents/x.md",
                    title=f"Incident {slug or start}", components=((component, component_status),), summary="",
                    updates=tuple(updates), impact=Impact.MAJOR, started=at(start))


def maintenance(start: str, end: str, component_status: ComponentStatus = MAINT,
                labels: tuple[tuple[str, str], ...] = (), slug: str = "") -> Maintenance:
    updates = tuple(Update(label, at(when), "", 1) for label, when in labels)
    return Maintenance(kind=Kind.MAINTENANCE, slug=slug or f"m-{start}", path="maintenance/x.md",
                       title=f"Maintenance {slug or start}", components=(("api", component_status),), summary="",
                       updates=updates, window=Window(at(start), at(end)))


def avail(incidents: Sequence[Incident], maint: Sequence[Maintenance] = (), component: Component = API,
          weight: Fraction = PARTIAL) -> Fraction | None:
    """The availability over 90 days, with days of UTC."""
    return status.uptime(component, incidents, maint, NOW, UTC, 90, weight).availability


# --- availability: exact figures ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "incidents", "maint", "downtime"), [
    ("nothing happened", [], [], 0),
    ("a major outage counts fully", [incident("2026-11-20T10:00Z", "2026-11-20T11:00Z")], [], HOUR),
    ("a partial outage counts 30%",
     [incident("2026-11-20T10:00Z", "2026-11-20T11:00Z", PART)], [], Fraction(3, 10) * HOUR),
    ("degraded performance does not count",
     [incident("2026-11-20T10:00Z", "2026-11-20T11:00Z", DEGRADED)], [], 0),
    ("maintenance does not count, whatever it declares",
     [], [maintenance("2026-11-20T10:00Z", "2026-11-20T11:00Z", MAJOR)], 0),
    ("two major outages overlapping are not counted twice",
     [incident("2026-11-20T10:00Z", "2026-11-20T12:00Z", slug="a"),
      incident("2026-11-20T11:00Z", "2026-11-20T13:00Z", slug="b")], [], 3 * HOUR),
    ("a partial outage under a major one: the worst counts at each moment",
     [incident("2026-11-20T10:00Z", "2026-11-20T12:00Z", PART, slug="a"),
      incident("2026-11-20T11:00Z", "2026-11-20T13:00Z", MAJOR, slug="b")], [], Fraction(3, 10) * HOUR + 2 * HOUR),
    ("a partial outage inside a major one adds nothing",
     [incident("2026-11-20T09:00Z", "2026-11-20T13:00Z", MAJOR, slug="a"),
      incident("2026-11-20T10:00Z", "2026-11-20T11:00Z", PART, slug="b")], [], 4 * HOUR),
    ("an open incident counts until now",
     [incident("2026-11-24T10:30Z", None)], [], Fraction(3, 2) * HOUR),
    ("only what lies inside the 90 days counts",
     [incident("2026-08-26T23:00Z", "2026-08-27T02:00Z")], [], 2 * HOUR),
    ("older than the 90 days: nothing", [incident("2026-08-01T10:00Z", "2026-08-01T11:00Z")], [], 0),
    ("another component's outage does not count",
     [incident("2026-11-20T10:00Z", "2026-11-20T11:00Z", component="dashboard")], [], 0),
    ("an incident not yet published does not count",
     [incident("2026-11-24T12:30Z", "2026-11-24T13:00Z")], [], 0),
])
def test_availability_is_exact(name: str, incidents: list[Incident], maint: list[Maintenance],
                               downtime: Fraction | int) -> None:
    assert avail(incidents, maint) == 1 - Fraction(downtime) / COVERED, name


def test_a_configured_weight_for_partial_outages() -> None:
    two_hours = [incident("2026-11-20T10:00Z", "2026-11-20T12:00Z", PART)]
    assert avail(two_hours, weight=Fraction(1, 2)) == 1 - Fraction(HOUR, COVERED)
    assert avail(two_hours, weight=Fraction(0)) == 1
    assert avail(two_hours, weight=Fraction(1)) == 1 - Fraction(2 * HOUR, COVERED)


def test_since_hides_earlier_history_and_shortens_the_covered_stretch() -> None:
    since = Component("api", "API", since=date(2026, 11, 20))
    before = incident("2026-11-19T10:00Z", "2026-11-19T11:00Z", slug="before")
    after = incident("2026-11-21T10:00Z", "2026-11-21T11:00Z", slug="after")
    covered = 4 * 86400 + 12 * HOUR  # 20 Nov 00:00 to 24 Nov 12:00 UTC
    assert avail([before, after], component=since) == 1 - Fraction(HOUR, covered)
    result = status.uptime(since, [before, after], [], NOW, UTC)
    assert [d.covered for d in result.days].count(False) == 85
    assert result.days[84] == status.Day(date(2026, 11, 19), False, OK, ())  # no data, not even the incident
    assert result.days[86].notices == (after,)
    assert result.start == at("2026-11-20T00:00Z")


def test_since_in_the_future_gives_no_data_at_all() -> None:
    result = status.uptime(Component("api", "API", since=date(2026, 12, 1)), [], [], NOW, UTC)
    assert result.availability is None
    assert not any(d.covered for d in result.days)


@pytest.mark.parametrize(("share", "text"), [
    (Fraction(1), "100.00"),
    (Fraction(0), "0.00"),
    (Fraction(99995, 100000), "99.99"),  # rounded down: never shown better than it was
    (1 - Fraction(1, 10**9), "99.99"),
    (Fraction(9997, 10000), "99.97"),
    (Fraction(5, 100), "5.00"),
])
def test_percent_has_two_decimals_rounded_down(share: Fraction, text: str) -> None:
    assert status.percent(share) == text


# --- the cells: one per day of the site's zone ----------------------------------------------------

def cells(incidents: Sequence[Incident], maint: Sequence[Maintenance] = ()) -> dict[date, status.Day]:
    """The cells of 90 days of Rome, by day."""
    return {d.day: d for d in status.uptime(API, incidents, maint, NOW, ROME, 90).days}


def test_the_bar_has_one_cell_per_day_ending_today() -> None:
    for days in (1, 7, 90, 366):
        found = status.uptime(API, [], [], NOW, ROME, days).days
        assert len(found) == days
        assert found[-1].day == date(2026, 11, 24)
        assert found[0].day == date(2026, 11, 24) - timedelta(days=days - 1)
        assert all(b.day - a.day == timedelta(days=1) for a, b in zip(found, found[1:], strict=False))


@pytest.mark.parametrize(("name", "incidents", "maint", "expected"), [
    ("quiet", [], [], {}),
    ("the day of the site's zone: 23:30 UTC is already the next day in Rome",
     [incident("2026-11-17T23:30Z", "2026-11-17T23:50Z", slug="late")], [], {date(2026, 11, 18): MAJOR}),
    ("across midnight: both days",
     [incident("2026-11-19T22:30Z", "2026-11-20T00:30Z", PART, slug="night")], [],
     {date(2026, 11, 19): PART, date(2026, 11, 20): PART}),
    ("ending at midnight: not the next day",
     [incident("2026-11-19T20:00Z", "2026-11-19T23:00Z", slug="ends")], [], {date(2026, 11, 19): MAJOR}),
    ("opened and resolved at once: its day",
     [incident("2026-11-19T10:00Z", "2026-11-19T10:00Z", DEGRADED, slug="blip")], [], {date(2026, 11, 19): DEGRADED}),
    ("still open: every day until today",
     [incident("2026-11-22T10:00Z", None, DEGRADED, slug="open")], [],
     {date(2026, 11, 22): DEGRADED, date(2026, 11, 23): DEGRADED, date(2026, 11, 24): DEGRADED}),
    ("the worst status of the day wins",
     [incident("2026-11-19T08:00Z", "2026-11-19T09:00Z", DEGRADED, slug="a"),
      incident("2026-11-19T10:00Z", "2026-11-19T11:00Z", MAJOR, slug="b"),
      incident("2026-11-19T12:00Z", "2026-11-19T13:00Z", PART, slug="c")], [], {date(2026, 11, 19): MAJOR}),
    ("maintenance shows as maintenance, whatever it declares",
     [], [maintenance("2026-11-19T10:00Z", "2026-11-19T11:00Z", MAJOR)], {date(2026, 11, 19): MAINT}),
    ("degraded performance is worse than maintenance",
     [incident("2026-11-19T08:00Z", "2026-11-19T09:00Z", DEGRADED)],
     [maintenance("2026-11-19T10:00Z", "2026-11-19T11:00Z")], {date(2026, 11, 19): DEGRADED}),
    ("a cancelled maintenance never happened",
     [], [maintenance("2026-11-19T10:00Z", "2026-11-19T11:00Z", labels=(("cancelled", "2026-11-18T10:00Z"),))], {}),
    ("a scheduled maintenance has not happened yet",
     [], [maintenance("2026-11-25T10:00Z", "2026-11-25T11:00Z")], {}),
    ("a maintenance in progress shows today",
     [], [maintenance("2026-11-24T11:00Z", "2026-11-24T13:00Z")], {date(2026, 11, 24): MAINT}),
    ("a maintenance completed early ends then",
     [], [maintenance("2026-11-19T22:00Z", "2026-11-20T02:00Z", labels=(("completed", "2026-11-19T22:30Z"),))],
     {date(2026, 11, 19): MAINT}),
    ("a maintenance kept open past its window lasts until it is completed",
     [], [maintenance("2026-11-19T20:00Z", "2026-11-19T21:00Z",
                      labels=(("completed", "2026-11-20T01:00Z"), ("in progress", "2026-11-19T20:00Z")))],
     {date(2026, 11, 19): MAINT, date(2026, 11, 20): MAINT}),
])
def test_cells(name: str, incidents: list[Incident], maint: list[Maintenance],
               expected: dict[date, ComponentStatus]) -> None:
    found = cells(incidents, maint)
    coloured = {day: cell.status for day, cell in found.items() if cell.notices}
    assert coloured == expected, name
    assert all(cell.status is OK for cell in found.values() if not cell.notices), name


def test_a_cell_lists_every_notice_of_its_day_in_order() -> None:
    a = incident("2026-11-19T12:00Z", "2026-11-19T13:00Z", slug="a")
    b = incident("2026-11-19T08:00Z", "2026-11-19T09:00Z", DEGRADED, slug="b")
    m = maintenance("2026-11-19T10:00Z", "2026-11-19T11:00Z", slug="m")
    assert cells([a, b], [m])[date(2026, 11, 19)].notices == (b, m, a)


def test_days_follow_the_zone_across_a_change_of_clocks() -> None:
    # 25 Oct 2026 lasts 25 hours in Rome: 24 Oct 22:00 UTC to 25 Oct 23:00 UTC.
    assert status.day_start(date(2026, 10, 25), ROME) == at("2026-10-24T22:00Z")
    assert status.day_start(date(2026, 10, 26), ROME) == at("2026-10-25T23:00Z")
    late = incident("2026-10-25T22:30Z", "2026-10-25T22:40Z", slug="late")  # 23:30 CET on the 25th
    found = cells([late])
    assert found[date(2026, 10, 25)].notices == (late,)
    assert not found[date(2026, 10, 26)].notices


def test_maintenance_span_and_incident_span() -> None:
    assert status.incident_span(incident("2026-11-20T10:00Z", "2026-11-20T11:00Z"), NOW) == (
        at("2026-11-20T10:00Z"), at("2026-11-20T11:00Z"))
    assert status.incident_span(incident("2026-11-24T10:00Z", "2026-11-24T13:00Z"), NOW) == (
        at("2026-11-24T10:00Z"), NOW)  # resolved later: open until now
    assert status.maintenance_span(maintenance("2026-11-24T11:00Z", "2026-11-24T13:00Z"), NOW) == (
        at("2026-11-24T11:00Z"), NOW)
    # started early by an update; an "In progress" update keeps it open, past its window, until "Completed"
    early = maintenance("2026-11-20T10:00Z", "2026-11-20T11:00Z", labels=(("in progress", "2026-11-20T09:45Z"),))
    assert status.maintenance_span(early, NOW) == (at("2026-11-20T09:45Z"), NOW)
    done = maintenance("2026-11-20T10:00Z", "2026-11-20T11:00Z",
                       labels=(("completed", "2026-11-20T10:50Z"), ("in progress", "2026-11-20T09:45Z")))
    assert status.maintenance_span(done, NOW) == (at("2026-11-20T09:45Z"), at("2026-11-20T10:50Z"))
    by_clock = maintenance("2026-11-20T10:00Z", "2026-11-20T11:00Z")
    assert status.maintenance_span(by_clock, NOW) == (at("2026-11-20T10:00Z"), at("2026-11-20T11:00Z"))


# --- the bar's elements ---------------------------------------------------------------------------

def day_views(pattern: str) -> list[DayView]:
    """`.` quiet, `-` no data, `x` a day with a notice."""
    first = date(2026, 1, 1)
    notice = (cast(NoticeView, object()),)
    return [DayView(first + timedelta(days=i), ch != "-", MAJOR if ch == "x" else OK, notice if ch == "x" else ())
            for i, ch in enumerate(pattern)]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("", []),
    (".", ["1"]),
    ("." * 90, ["64", "16", "8", "2"]),
    ("-" * 3 + "." * 5 + "x" + "." * 2, ["n2", "n1", "4", "1", "x", "2"]),
    ("x" * 3, ["x", "x", "x"]),
])
def test_quiet_runs_become_few_elements(pattern: str, expected: list[str]) -> None:
    found = bar_cells(day_views(pattern))
    shown = ["x" if c.day else ("" if c.covered else "n") + str(c.days) for c in found]
    assert shown == expected
    assert sum(c.days for c in found) == len(pattern)
    for cell in found:
        assert cell.css == " ".join((["n"] if not cell.covered else []) + ([f"r{cell.days}"] if cell.days > 1 else []))


# --- settings in site.yaml ------------------------------------------------------------------------

SITE = """\
name: Test Status
url: https://status.test.example/
components:
  - {id: api, name: API%s}
%s"""


def config_of(site: Callable[..., Path], component: str = "", extra: str = "") -> tuple[SiteConfig | None, list[str]]:
    config, _, problems = load_config(site(config=SITE % (component, extra)))
    return config, [str(p) for p in problems]


def test_uptime_defaults(site: Callable[..., Path]) -> None:
    config, problems = config_of(site)
    assert config is not None and problems == []
    assert config.uptime.days == 90 and config.uptime.partial_outage == 0.3
    assert config.components[0].since is None


def test_uptime_settings_are_read(site: Callable[..., Path]) -> None:
    config, problems = config_of(site, ", since: 2026-10-05", "uptime: {days: 30, partial_outage: 0.5}\n")
    assert config is not None and problems == []
    assert (config.uptime.days, config.uptime.partial_outage) == (30, 0.5)
    assert config.components[0].since == date(2026, 10, 5)


@pytest.mark.parametrize(("component", "extra", "message"), [
    ("", "uptime: {days: 0}\n", "'uptime.days' must be a whole number above 0, not '0'"),
    ("", "uptime: {days: 400}\n", "'uptime.days' can be at most 366, not 400"),
    ("", "uptime: {partial_outage: 1.5}\n", "'uptime.partial_outage' must be a number from 0 to 1, not '1.5'"),
    ("", "uptime: {partial_outage: lots}\n", "'uptime.partial_outage' must be a number from 0 to 1, not 'lots'"),
    ("", "uptime: {partial_outage: true}\n", "'uptime.partial_outage' must be a number from 0 to 1, not 'True'"),
    ("", "uptime: {weight: 1}\n", "unknown field 'weight' in 'uptime'; expected one of: days, partial_outage"),
    ("", "uptime: 90\n", "'uptime'"),
    (", since: 2026-13-01", "", "'since' must be a day written YYYY-MM-DD, not '2026-13-01'"),
    (", since: yesterday", "", "'since' must be a day written YYYY-MM-DD, not 'yesterday'"),
    (", since: 2026-10-05T10:00Z", "", "'since' must be a day written YYYY-MM-DD"),
])
def test_wrong_settings_are_reported(site: Callable[..., Path], component: str, extra: str, message: str) -> None:
    config, problems = config_of(site, component, extra)
    assert config is None
    assert any(message in p for p in problems), problems
    assert all(p.startswith("site.yaml:") for p in problems)


# --- the example site's bars ----------------------------------------------------------------------

FIRST = date(2026, 8, 27)  # 24 Nov 2026 and the 89 days before it
EXPECTED = {  # component -> {day: status} of the cells with notices, from incidents/ and maintenance/
    "api": {date(2026, 11, 18): "partial_outage"},
    "dashboard": {date(2026, 10, 29): "degraded_performance", date(2026, 11, 18): "degraded_performance"},
    "auth": {date(2026, 11, 12): "partial_outage"},
    "webhooks": {date(2026, 11, 24): "degraded_performance"},
    "database": {},
    "backups": {date(2026, 11, 24): "under_maintenance"},
    "eu": {date(2026, 11, 10): "under_maintenance"},
    "us": {date(2026, 10, 29): "degraded_performance"},
}
AVAILABILITY = {"api": "99.97", "dashboard": "100.00", "auth": "99.99", "webhooks": "100.00",
                "database": "100.00", "backups": "100.00", "eu": "100.00", "us": "100.00"}
NAMES = {"api": "API", "dashboard": "Dashboard", "auth": "Sign-in", "webhooks": "Webhooks",
         "database": "Managed databases", "backups": "Backups", "eu": "EU (Frankfurt)", "us": "US (Virginia)"}


def expand(bar: html.HtmlElement) -> list[tuple[str, html.HtmlElement | None]]:
    """One entry per day: 'quiet', 'none' (no data) or the status class of a day's link."""
    days: list[tuple[str, html.HtmlElement | None]] = []
    for element in bar:
        classes = element.get("class", "").split()
        if element.tag == "a":
            days.append((classes[0], element))
            continue
        assert element.tag == "i" and not element.text_content(), html.tostring(element)
        size = next((int(c[1:]) for c in classes if re.fullmatch(r"r\d+", c)), 1)
        days += [("none" if "n" in classes else "quiet", None)] * size
    return days


def bars(page: bytes) -> dict[str, html.HtmlElement]:
    tree = html.fromstring(page)
    found = {}
    for bar in tree.find_class("bar"):
        name = bar.get("aria-label").removesuffix(": last 90 days")
        found[next(k for k, v in NAMES.items() if v == name)] = bar
    return found


@pytest.mark.parametrize("page", ["index.html", "components/{}/index.html"])
def test_the_example_bars(example_outputs: dict[str, bytes], page: str) -> None:
    home = page == "index.html"
    found = bars(example_outputs["index.html"]) if home else {
        cid: bars(example_outputs[page.format(cid)])[cid] for cid in NAMES}
    assert sorted(found) == sorted(NAMES)
    for cid, bar in found.items():
        days = expand(bar)
        assert len(days) == 90, cid
        coloured = {FIRST + timedelta(days=i): kind for i, (kind, _) in enumerate(days)
                    if kind not in ("quiet", "none")}
        assert coloured == EXPECTED[cid], cid
        nodata = [FIRST + timedelta(days=i) for i, (kind, _) in enumerate(days) if kind == "none"]
        assert nodata == ([FIRST + timedelta(days=i) for i in range(39)] if cid == "eu" else []), cid  # since 5 Oct
        base = page.format(cid)
        for i, (kind, link) in enumerate(days):
            if link is None:
                continue
            day = FIRST + timedelta(days=i)
            # the text alternative: the day, the worst status in words, the notices of that day
            text = link.text_content()
            (when,) = link.iter("time")
            assert when.get("datetime") == day.isoformat()
            assert text.startswith(f"{when.text}: {ComponentStatus(kind).words}. "), text
            target = posixpath.normpath(posixpath.join(posixpath.dirname(base), link.get("href")))
            target_page = example_outputs[target + "/index.html"]
            title = html.fromstring(target_page).findtext(".//h1")
            assert text.endswith(title), (text, title)


def test_the_example_availability(example_outputs: dict[str, bytes]) -> None:
    tree = html.fromstring(example_outputs["index.html"])
    shown = {}
    for bar in tree.find_class("bar"):
        meta = bar.getnext()
        name = bar.get("aria-label").removesuffix(": last 90 days")
        shown[next(k for k, v in NAMES.items() if v == name)] = " ".join(meta.text_content().split())
    for cid, figure in AVAILABILITY.items():
        since = " since 5 Oct" if cid == "eu" else ""
        assert shown[cid] == f"27 Aug {figure}% uptime{since} Today", cid
    api = html.fromstring(example_outputs["components/api/index.html"])
    assert " ".join(api.find_class("availability")[0].text_content().split()) == "99.97% available"
    eu = html.fromstring(example_outputs["components/eu/index.html"])
    assert " ".join(eu.find_class("availability")[0].text_content().split()) == (
        "100.00% available since Mon 5 Oct 2026 (no data before)")
