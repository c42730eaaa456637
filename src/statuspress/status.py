"""Pure functions of (notices, now): what is published, each notice's state, and the page's status."""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction

from .model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Indicator,
    Maintenance,
    MaintenanceState,
    Notice,
    Postmortem,
    Reschedule,
    Site,
    SiteConfig,
    Update,
    Window,
)

IMPACT_INDICATOR = {
    Impact.NONE: Indicator.NONE,
    Impact.MINOR: Indicator.MINOR,
    Impact.MAJOR: Indicator.MAJOR,
    Impact.CRITICAL: Indicator.CRITICAL,
}
COMPONENT_INDICATOR = {
    ComponentStatus.OPERATIONAL: Indicator.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Indicator.MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE: Indicator.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Indicator.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Indicator.CRITICAL,
}
MAINTENANCE_LABEL_STATE = {
    "in progress": MaintenanceState.IN_PROGRESS,
    "verifying": MaintenanceState.VERIFYING,
    "completed": MaintenanceState.COMPLETED,
    "cancelled": MaintenanceState.CANCELLED,
}
OPEN_MAINTENANCE = (MaintenanceState.IN_PROGRESS, MaintenanceState.VERIFYING)


def visible_updates(notice: Notice, now: datetime) -> tuple[Update, ...]:
    """Return the updates dated at or before `now`, newest first."""
    if notice.updates and notice.updates[0].at <= now:  # the newest is due, and so are all
        return notice.updates
    return tuple(u for u in notice.updates if u.at <= now)


def is_published(notice: Notice, now: datetime) -> bool:
    """Tell whether a notice exists at `now`: an incident once an update is due, maintenance once announced."""
    if isinstance(notice, Maintenance):
        return notice.announced is None or notice.announced <= now
    return bool(notice.updates) and notice.updates[-1].at <= now  # the earliest update is due


def published(notices: Iterable[Notice], now: datetime) -> list[Notice]:
    return [n for n in notices if is_published(n, now)]


# Incidents


def incident_status(incident: Incident, now: datetime) -> IncidentStatus:
    """Return the status of the latest update that sets one; resolved only if the latest is Resolved."""
    updates = visible_updates(incident, now)
    if updates and updates[0].label == "resolved":
        return IncidentStatus.RESOLVED
    for update in updates:
        if update.label not in ("update", "resolved"):
            return IncidentStatus(update.label)
    return IncidentStatus.INVESTIGATING


def is_resolved(incident: Incident, now: datetime) -> bool:
    return incident_status(incident, now) is IncidentStatus.RESOLVED


def started_at(incident: Incident) -> datetime:
    """Return when customers were first affected: `started`, else the earliest update."""
    return incident.started or incident.updates[-1].at


def resolved_at(incident: Incident, now: datetime) -> datetime | None:
    updates = visible_updates(incident, now)
    return updates[0].at if updates and updates[0].label == "resolved" else None


def visible_postmortem(incident: Incident, now: datetime) -> Postmortem | None:
    """Return the postmortem unless it is dated after `now`."""
    postmortem = incident.postmortem
    return postmortem if postmortem and (postmortem.at is None or postmortem.at <= now) else None


def incident_duration(incident: Incident, now: datetime) -> timedelta:
    """Return how long the incident lasted, or has lasted so far."""
    return (resolved_at(incident, now) or now) - started_at(incident)


# Maintenance


def visible_moves(maintenance: Maintenance, now: datetime) -> tuple[Reschedule, ...]:
    return tuple(m for m in maintenance.rescheduled if m.on <= now)


def window_at(maintenance: Maintenance, now: datetime) -> Window:
    """Return the window as announced at `now`: a move made later has not happened yet."""
    for move in maintenance.rescheduled:
        if move.on > now:
            return move.window
    return maintenance.window


def maintenance_state(maintenance: Maintenance, now: datetime) -> MaintenanceState:
    """Follow the clock through the window, unless the latest state update says otherwise."""
    updates = visible_updates(maintenance, now)
    if any(u.label == "cancelled" for u in updates):
        return MaintenanceState.CANCELLED
    for update in updates:
        if update.label in MAINTENANCE_LABEL_STATE:
            return MAINTENANCE_LABEL_STATE[update.label]
    window = window_at(maintenance, now)
    if now < window.start:
        return MaintenanceState.SCHEDULED
    if now < window.end:
        return MaintenanceState.IN_PROGRESS
    return MaintenanceState.COMPLETED


def is_open(maintenance: Maintenance, now: datetime) -> bool:
    return maintenance_state(maintenance, now) in OPEN_MAINTENANCE


def is_upcoming(maintenance: Maintenance, now: datetime) -> bool:
    return maintenance_state(maintenance, now) is MaintenanceState.SCHEDULED


def notice_time(notice: Notice, now: datetime) -> datetime:
    """Return the moment a notice is filed under: an incident's start, a maintenance's window start."""
    if isinstance(notice, Maintenance):
        return window_at(notice, now).start
    assert isinstance(notice, Incident)
    return started_at(notice)


def last_changed(notice: Notice, now: datetime) -> datetime:
    """Return the time of the latest visible change: an update, a move, or the announcement."""
    times = [u.at for u in visible_updates(notice, now)]
    if isinstance(notice, Maintenance):
        times += [m.on for m in visible_moves(notice, now)]
        if notice.announced is not None:
            times.append(notice.announced)
        if not times:  # never announced nor updated: the window itself is the news
            times.append(window_at(notice, now).start)
    if not times:  # an incident none of whose updates is due yet: it will first change then
        return notice.updates[-1].at
    return max(times)


def settled_at(notice: Notice, now: datetime) -> datetime | None:
    """Return the moment from which nothing a notice shows changes any more, once it has come by `now`.

    That is its latest moment (an update, the postmortem, a promised update, a window's edge, a move,
    the announcement), when it is past and the notice is closed: a resolved incident, a completed or
    cancelled maintenance. None while the notice is open or a moment of it lies ahead: what it shows
    then depends on `now`. A settled notice shows at any later `now` what it showed at that moment."""
    if isinstance(notice, Incident):
        updates = notice.updates  # newest first
        if not updates or updates[0].at > now or updates[0].label != "resolved":
            return None  # open, or an update lies ahead
        latest = updates[0].at
        for moment in (notice.next_update, notice.started, notice.detected, notice.created,
                       notice.postmortem.at if notice.postmortem is not None else None):
            if moment is not None and moment > latest:
                latest = moment
        return latest if latest <= now else None
    assert isinstance(notice, Maintenance)
    if maintenance_state(notice, now) not in (MaintenanceState.COMPLETED, MaintenanceState.CANCELLED):
        return None
    windows = [notice.window, *(move.window for move in notice.rescheduled)]
    moments = [u.at for u in notice.updates]
    moments += [t for w in windows for t in (w.start, w.end)]
    moments += [move.on for move in notice.rescheduled]
    if notice.announced is not None:
        moments.append(notice.announced)
    latest = max(moments)
    return latest if latest <= now else None


# The page


@dataclass(frozen=True)
class SiteState:
    """What the notices amount to at one `now`: the published ones, the open ones and the statuses."""

    incidents: tuple[Incident, ...]  # published, in the order given
    maintenance: tuple[Maintenance, ...]  # published, in the order given
    unresolved: tuple[Incident, ...]
    open_maintenance: tuple[Maintenance, ...]  # in progress or verifying
    statuses: dict[str, ComponentStatus]  # each component's worst status among the open notices
    indicator: Indicator  # the page's overall status


def site_state(
    config: SiteConfig, incidents: Sequence[Incident], maintenance: Sequence[Maintenance], now: datetime
) -> SiteState:
    """Compute the `SiteState` at `now`, looking at each notice once."""
    shown = tuple(i for i in incidents if is_published(i, now))
    unresolved = tuple(i for i in shown if not is_resolved(i, now))
    planned = tuple(m for m in maintenance if is_published(m, now))
    ongoing = tuple(m for m in planned if is_open(m, now))
    statuses = {c.id: ComponentStatus.OPERATIONAL for c in config.components}
    for notice in (*unresolved, *ongoing):
        for cid, status in notice.components:
            if status.severity > statuses[cid].severity:
                statuses[cid] = status
    if not unresolved and ongoing:
        indicator = Indicator.MAINTENANCE
    else:
        indicator = Indicator.NONE
        candidates = [IMPACT_INDICATOR[i.impact] for i in unresolved]
        candidates += [COMPONENT_INDICATOR[s] for s in statuses.values()]
        for candidate in candidates:
            if candidate is not Indicator.MAINTENANCE and candidate.severity > indicator.severity:
                indicator = candidate
    return SiteState(shown, planned, unresolved, ongoing, statuses, indicator)


_last_state: tuple[Site, datetime, SiteState] | None = None


def state_of(site: Site, now: datetime) -> SiteState:
    """`site_state` of a site's notices, made once for all the outputs of a build (the last one is kept)."""
    global _last_state
    last = _last_state
    if last is None or last[0] is not site or last[1] != now:
        last = _last_state = (site, now, site_state(site.config, site.incidents, site.maintenance, now))
    return last[2]


def forget() -> None:
    """Let go of the last site `state_of` kept."""
    global _last_state
    _last_state = None


def component_statuses(
    config: SiteConfig, incidents: Sequence[Incident], maintenance: Sequence[Maintenance], now: datetime
) -> dict[str, ComponentStatus]:
    """Return each component's worst status among unresolved incidents and open maintenance."""
    return site_state(config, incidents, maintenance, now).statuses


def overall_status(
    config: SiteConfig, incidents: Sequence[Incident], maintenance: Sequence[Maintenance], now: datetime
) -> Indicator:
    """Return the Statuspage indicator: the worse of open incidents' impact and components' state."""
    return site_state(config, incidents, maintenance, now).indicator


@dataclass(frozen=True)
class DayGroup:
    """Days `first` (the earliest) to `last` and the incidents that started in them; a quiet stretch is one group."""

    first: date
    last: date
    incidents: tuple[Incident, ...]


def recent_days(incidents: Sequence[Incident], now: datetime, zone: tzinfo, days: int) -> list[DayGroup]:
    """Group the incidents of the last `days` days by day, newest first, merging quiet days."""
    today = now.astimezone(zone).date()
    since = day_start(today - timedelta(days=days - 1), zone)  # earlier starts fall in none of the days
    by_day: dict[date, list[Incident]] = {}
    for incident in incidents:
        started = started_at(incident)
        if started >= since and is_published(incident, now):
            by_day.setdefault(started.astimezone(zone).date(), []).append(incident)
    groups: list[DayGroup] = []
    for back in range(days):
        current = today - timedelta(days=back)
        found = sorted(by_day.get(current, []), key=lambda i: (started_at(i), i.slug), reverse=True)
        if not found and groups and not groups[-1].incidents:
            groups[-1] = DayGroup(current, groups[-1].last, ())
        else:
            groups.append(DayGroup(current, current, tuple(found)))
    return groups


# Uptime: the bar of the last days and the availability, per component


# How much of a moment counts as downtime, by the status a notice gives the component. Degraded
# performance and maintenance never count (issue 5); a partial outage counts `partial_outage`.
def downtime_weight(component_status: ComponentStatus, partial_outage: Fraction) -> Fraction:
    if component_status is ComponentStatus.MAJOR_OUTAGE:
        return Fraction(1)
    if component_status is ComponentStatus.PARTIAL_OUTAGE:
        return partial_outage
    return Fraction(0)


@dataclass(frozen=True)
class Span:
    """A stretch of time during which a notice gave a component a status."""

    start: datetime
    end: datetime  # equal to `start` for an incident opened and resolved at once
    status: ComponentStatus
    notice: Notice

    def touches(self, start: datetime, end: datetime) -> bool:
        """Tell whether the span overlaps [start, end); an instant counts where it falls."""
        return self.start < end and (self.end > start or self.start >= start)


def incident_span(incident: Incident, now: datetime) -> tuple[datetime, datetime] | None:
    """Return when a published incident affected customers: from its start to its resolution, or `now`."""
    if not is_published(incident, now):
        return None
    start = min(started_at(incident), now)
    return start, max(start, min(resolved_at(incident, now) or now, now))


def maintenance_span(maintenance: Maintenance, now: datetime) -> tuple[datetime, datetime] | None:
    """Return when a maintenance took place, up to `now`; None if it has not started or was cancelled."""
    if not is_published(maintenance, now):
        return None
    state = maintenance_state(maintenance, now)
    if state in (MaintenanceState.SCHEDULED, MaintenanceState.CANCELLED):
        return None
    updates = visible_updates(maintenance, now)
    window = window_at(maintenance, now)
    start = min([window.start, *(u.at for u in updates if u.label in ("in progress", "verifying"))])
    # open: until now; completed: at its Completed update, else by the clock at the end of the window
    completed = next((u.at for u in updates if u.label == "completed"), window.end)
    end = now if state in OPEN_MAINTENANCE else completed
    start = min(start, now)
    return start, max(start, min(end, now))


def component_spans(
    component_id: str, incidents: Sequence[Incident], maintenance: Sequence[Maintenance], now: datetime,
    since: datetime | None = None,
) -> list[Span]:
    """Return every span of the published incidents and maintenance naming the component, by start;
    with `since`, only those that touch [since, now)."""
    spans: list[Span] = []
    for notice in (*incidents, *maintenance):
        if since is not None and isinstance(notice, Incident) and resolved_before(notice, since):
            continue
        found = None
        for cid, st in notice.components:
            if cid == component_id:
                found = st
                break
        if found is None:
            continue
        if isinstance(notice, Maintenance):
            span = maintenance_span(notice, now)
            found = ComponentStatus.UNDER_MAINTENANCE  # planned work: shown as maintenance, never downtime
        else:
            assert isinstance(notice, Incident)
            span = incident_span(notice, now)
        if span is None:
            continue
        start, end = span
        if since is None or (start < now and (end > since or start >= since)):  # as Span.touches(since, now)
            spans.append(Span(start, end, found, notice))
    spans.sort(key=lambda s: (s.start, s.notice.kind.value, s.notice.slug))
    return spans


def resolved_before(incident: Incident, moment: datetime) -> bool:
    """Tell whether an incident started, and was resolved by its last update, before `moment`: its span too."""
    updates = incident.updates
    return bool(updates) and updates[0].at < moment and updates[0].label == "resolved" and started_at(incident) < moment


def downtime(spans: Iterable[Span], start: datetime, end: datetime, partial_outage: Fraction) -> Fraction:
    """Return the weighted downtime in seconds within [start, end): at each moment the worst span counts, once."""
    clipped = [(max(s.start, start), min(s.end, end), downtime_weight(s.status, partial_outage)) for s in spans]
    clipped = [(a, b, w) for a, b, w in clipped if a < b and w > 0]
    moments = sorted({t for a, b, _ in clipped for t in (a, b)})
    total = Fraction(0)
    for left, right in zip(moments, moments[1:], strict=False):
        weight = max((w for a, b, w in clipped if a <= left and right <= b), default=Fraction(0))
        total += weight * _seconds(right - left)
    return total


def availability(spans: Iterable[Span], start: datetime, end: datetime, partial_outage: Fraction) -> Fraction | None:
    """Return the share of [start, end) that was not downtime, exactly; None for an empty stretch."""
    if end <= start:
        return None
    return 1 - downtime(spans, start, end, partial_outage) / _seconds(end - start)


def next_figure(history: Uptime) -> datetime | None:
    """When the availability's `percent` figure would next change if no downtime were added: it rises as the
    stretch it covers grows. None if it never would (no downtime, 99.99, no covered day)."""
    share = history.availability
    if share is None or share == 1 or math.floor(share * 10000) + 1 >= 10000:
        return None
    down = (1 - share) * _seconds(history.end - history.start)  # seconds of downtime, exactly
    # the next hundredth of a percent h: 1 - down / stretch >= h / 10000 once the stretch is this long
    stretch = down * 10000 / (10000 - math.floor(share * 10000) - 1)
    return history.start + timedelta(microseconds=math.floor(stretch * 1_000_000))


def percent(share: Fraction) -> str:
    """Format a share as a percentage with two decimals, rounded down: never better than it was."""
    hundredths = math.floor(share * 10000)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _seconds(delta: timedelta) -> Fraction:
    return Fraction(delta // timedelta(microseconds=1), 1_000_000)


def day_start(day: date, zone: tzinfo) -> datetime:
    """Return the moment a calendar day of `zone` begins, in UTC (days are 23 to 25 hours long)."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def first_day(now: datetime, zone: tzinfo, days: int) -> date:
    """Return the first day of a bar of the last `days` days, today included."""
    return now.astimezone(zone).date() - timedelta(days=days - 1)


@functools.lru_cache(maxsize=16)
def day_starts(first: date, days: int, zone: tzinfo) -> tuple[datetime, ...]:
    """Return when each of `days` days from `first` begins, and when the last one ends (`day_start`)."""
    return tuple(day_start(first + timedelta(days=n), zone) for n in range(days + 1))


@dataclass(frozen=True)
class Day:
    """One cell of the bar: a day of the site's zone, its worst status and the notices touching it."""

    day: date
    covered: bool  # False before the component's `since`: no data
    status: ComponentStatus  # the worst of the day; under_maintenance when only maintenance touched it
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Uptime:
    """A component's history over the last days: the cells, oldest first, and the availability."""

    days: tuple[Day, ...]
    start: datetime  # the covered stretch: from the first covered day (or `since`) …
    end: datetime  # … to now
    availability: Fraction | None  # None when no day is covered yet


def uptime(
    component: Component,
    incidents: Sequence[Incident],
    maintenance: Sequence[Maintenance],
    now: datetime,
    zone: tzinfo,
    days: int = 90,
    partial_outage: Fraction = Fraction(3, 10),
) -> Uptime:
    """Compute a component's bar of the last `days` days (today included) and its availability over them."""
    first = first_day(now, zone, days)
    covered_from = max(first, component.since) if component.since else first
    edges = day_starts(first, days, zone)
    spans = component_spans(component.id, incidents, maintenance, now, since=edges[0])
    on_day: list[list[Span]] = [[] for _ in range(days)]  # the spans touching each day, in their order
    for span in spans:
        index = max(bisect.bisect_right(edges, span.start) - 1, 0)  # the day it starts on, or the first
        while index < days and edges[index] <= span.end:  # no later day can be touched
            if span.touches(edges[index], min(edges[index + 1], now)):
                on_day[index].append(span)
            index += 1
    cells = []
    for index, touching in enumerate(on_day):
        current = first + timedelta(days=index)
        if current < covered_from:
            cells.append(Day(current, False, ComponentStatus.OPERATIONAL, ()))
            continue
        worst = max((s.status for s in touching), key=lambda st: st.severity, default=ComponentStatus.OPERATIONAL)
        notices = tuple(dict.fromkeys(s.notice for s in touching))
        cells.append(Day(current, True, worst, notices))
    start = day_start(covered_from, zone)
    return Uptime(tuple(cells), start, now, availability(spans, start, now, partial_outage))
