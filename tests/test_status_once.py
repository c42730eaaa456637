"""What a build computes once (status.site_state, the uptime bar's spans, the API's component times) agrees
with the plain definitions it replaces, for any notices and `now`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from statuspress import status
from statuspress.api import INSTANT, Api, active
from statuspress.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    Indicator,
    Kind,
    Maintenance,
    Notice,
    Reschedule,
    Site,
    SiteConfig,
    Update,
    Window,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
COMPONENTS = ("api", "web", "db")
CONFIG = SiteConfig(name="T", url="https://t.example/", components=tuple(Component(c, c.upper()) for c in COMPONENTS))
SETTINGS = settings(max_examples=150, deadline=None)

HOURS = st.integers(min_value=-24 * 40, max_value=48).map(lambda h: NOW + timedelta(hours=h))
NAMED = st.lists(st.tuples(st.sampled_from(COMPONENTS), st.sampled_from(list(ComponentStatus))),
                 min_size=1, max_size=3, unique_by=lambda pair: pair[0]).map(tuple)


@st.composite
def incidents(draw: st.DrawFn, number: int) -> Incident:
    times = draw(st.lists(HOURS, min_size=1, max_size=4))
    labels = draw(st.lists(st.sampled_from(["investigating", "identified", "monitoring", "update", "resolved"]),
                           min_size=len(times), max_size=len(times)))
    updates = sorted((Update(label, at, "", n) for n, (label, at) in enumerate(zip(labels, times, strict=True))),
                     key=lambda u: u.at, reverse=True)
    return Incident(kind=Kind.INCIDENT, slug=f"i{number}", path=f"incidents/i{number}.md", title="t",
                    components=draw(NAMED), summary="", updates=tuple(updates), id=f"i{number}",
                    impact=draw(st.sampled_from(list(Impact))), started=draw(st.none() | HOURS))


@st.composite
def maintenance(draw: st.DrawFn, number: int) -> Maintenance:
    start = draw(HOURS)
    window = Window(start, start + timedelta(hours=draw(st.integers(min_value=1, max_value=30))))
    labels = draw(st.lists(st.sampled_from(["in progress", "verifying", "completed", "cancelled", "update"]),
                           max_size=3))
    updates = sorted((Update(label, draw(HOURS), "", n) for n, label in enumerate(labels)),
                     key=lambda u: u.at, reverse=True)
    moves = ()
    if draw(st.booleans()):
        moves = (Reschedule(Window(window.start - timedelta(days=2), window.end - timedelta(days=2)),
                            draw(HOURS), ""),)
    return Maintenance(kind=Kind.MAINTENANCE, slug=f"m{number}", path=f"maintenance/m{number}.md", title="m",
                       components=draw(NAMED), summary="", updates=tuple(updates), id=f"m{number}", window=window,
                       rescheduled=moves, announced=draw(st.none() | HOURS))


@st.composite
def sites(draw: st.DrawFn) -> Site:
    count = draw(st.integers(min_value=0, max_value=8))
    found = tuple(draw(incidents(n)) for n in range(count))
    planned = tuple(draw(maintenance(n)) for n in range(draw(st.integers(min_value=0, max_value=4))))
    return Site(root="", config=CONFIG, incidents=found, maintenance=planned)


NOWS = st.integers(min_value=-24 * 5, max_value=24).map(lambda h: NOW + timedelta(hours=h))


def plain_statuses(site: Site, now: datetime) -> tuple[dict[str, ComponentStatus], Indicator]:
    """component_statuses and overall_status as they were first written."""
    statuses = {c.id: ComponentStatus.OPERATIONAL for c in site.config.components}
    unresolved = [i for i in site.incidents if status.is_published(i, now) and not status.is_resolved(i, now)]
    ongoing = [m for m in site.maintenance if status.is_published(m, now) and status.is_open(m, now)]
    for notice in (*unresolved, *ongoing):
        for cid, st_ in notice.components:
            if st_.severity > statuses[cid].severity:
                statuses[cid] = st_
    if not unresolved and ongoing:
        return statuses, Indicator.MAINTENANCE
    worst = Indicator.NONE
    for indicator in [status.IMPACT_INDICATOR[i.impact] for i in unresolved] + [
            status.COMPONENT_INDICATOR[s] for s in statuses.values()]:
        if indicator is not Indicator.MAINTENANCE and indicator.severity > worst.severity:
            worst = indicator
    return statuses, worst


@SETTINGS
@given(sites(), NOWS)
def test_site_state_is_the_plain_statuses(site: Site, now: datetime) -> None:
    state = status.state_of(site, now)
    assert (state.statuses, state.indicator) == plain_statuses(site, now)
    assert state.incidents == tuple(i for i in site.incidents if status.is_published(i, now))
    assert state.open_maintenance == tuple(m for m in site.maintenance
                                           if status.is_published(m, now) and status.is_open(m, now))
    assert status.state_of(site, now) is state  # made once per site and `now`
    assert status.state_of(site, now + INSTANT) is not state


def plain_uptime(component: Component, incidents: Sequence[Incident], maintenance: Sequence[Maintenance],
                 now: datetime, zone: ZoneInfo, days: int) -> list[status.Day]:
    """The bar as it was first written: every span, each day looked at apart."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    spans = [s for s in status.component_spans(component.id, incidents, maintenance, now)
             if s.touches(status.day_start(first, zone), now)]
    cells = []
    for back in range(days - 1, -1, -1):
        current = today - timedelta(days=back)
        start = status.day_start(current, zone)
        end = min(status.day_start(current + timedelta(days=1), zone), now)
        touching = [s for s in spans if s.touches(start, end)]
        worst = max((s.status for s in touching), key=lambda x: x.severity, default=ComponentStatus.OPERATIONAL)
        cells.append(status.Day(current, True, worst, tuple(dict.fromkeys(s.notice for s in touching))))
    return cells


@SETTINGS
@given(sites(), NOWS, st.sampled_from([1, 7, 30]), st.sampled_from(["UTC", "Europe/Rome", "Pacific/Chatham"]))
def test_the_bar_is_the_plain_bar(site: Site, now: datetime, days: int, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    for component in CONFIG.components:
        found = status.uptime(component, site.incidents, site.maintenance, now, zone, days)
        assert list(found.days) == plain_uptime(component, site.incidents, site.maintenance, now, zone, days)
        since = status.day_start(status.first_day(now, zone, days), zone)
        assert status.component_spans(component.id, site.incidents, site.maintenance, now, since=since) == [
            s for s in status.component_spans(component.id, site.incidents, site.maintenance, now)
            if s.touches(since, now)]


def plain_component_updated(api: Api, component_id: str) -> datetime:
    """Api.component_updated as it was first written: every moment, every notice."""
    notices: list[Notice] = api.naming[component_id]

    def shown(at: datetime) -> ComponentStatus:
        worst = ComponentStatus.OPERATIONAL
        for notice in notices:
            if active(notice, at):
                named = dict(notice.components)[component_id]
                worst = named if named.severity > worst.severity else worst
        return worst

    for moment in sorted(set().union(*(api.events(n) for n in notices)), reverse=True):
        if shown(moment) != shown(moment - INSTANT):
            return max(moment, api.since)
    return api.since


@SETTINGS
@given(sites(), NOWS)
def test_component_updated_is_the_plain_one(site: Site, now: datetime) -> None:
    api = Api(site, now)
    for component_id in COMPONENTS:
        assert api.component_updated(component_id) == plain_component_updated(api, component_id)


@SETTINGS
@given(sites(), NOWS)
def test_settled_at_of_an_incident_is_its_latest_moment_once_resolved(site: Site, now: datetime) -> None:
    for incident in site.incidents:
        moments = [u.at for u in incident.updates] + [t for t in (incident.next_update, incident.started,
                                                                  incident.detected, incident.created) if t]
        latest = max(moments)
        expected = latest if status.is_resolved(incident, now) and latest <= now else None
        assert status.settled_at(incident, now) == expected
