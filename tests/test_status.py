"""Status computation as tables of cases at a fixed `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from statuspress import status
from statuspress.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Indicator,
    Kind,
    Maintenance,
    MaintenanceState,
    Reschedule,
    SiteConfig,
    Update,
    Window,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CONFIG = SiteConfig(
    name="T", url="https://t.example/", components=(Component("api", "API"), Component("web", "Web"))
)


def at(minutes: int) -> datetime:
    """NOW plus `minutes` (negative: in the past)."""
    return NOW + timedelta(minutes=minutes)


def incident(*updates: tuple[str, int], impact: Impact = Impact.MINOR,
             components: tuple[tuple[str, ComponentStatus], ...] = (("api", ComponentStatus.PARTIAL_OUTAGE),),
             started: datetime | None = None, slug: str = "i") -> Incident:
    ups = tuple(sorted((Update(label, at(m), "", n) for n, (label, m) in enumerate(updates)),
                       key=lambda u: u.at, reverse=True))
    return Incident(kind=Kind.INCIDENT, slug=slug, path=f"incidents/{slug}.md", title="t", components=components,
                    summary="", updates=ups, impact=impact, started=started)


def maintenance(start: int, end: int, *updates: tuple[str, int], announced: int | None = None,
                moves: tuple[Reschedule, ...] = (),
                components: tuple[tuple[str, ComponentStatus], ...] = (("web", ComponentStatus.UNDER_MAINTENANCE),),
                ) -> Maintenance:
    ups = tuple(sorted((Update(label, at(m), "", n) for n, (label, m) in enumerate(updates)),
                       key=lambda u: u.at, reverse=True))
    return Maintenance(kind=Kind.MAINTENANCE, slug="m", path="maintenance/m.md", title="m", components=components,
                       summary="", updates=ups, window=Window(at(start), at(end)), rescheduled=moves,
                       announced=None if announced is None else at(announced))


@pytest.mark.parametrize(
    ("updates", "expected"),
    [
        ((("investigating", -30),), IncidentStatus.INVESTIGATING),
        ((("investigating", -30), ("identified", -10)), IncidentStatus.IDENTIFIED),
        ((("investigating", -30), ("monitoring", -20), ("update", -5)), IncidentStatus.MONITORING),
        ((("investigating", -30), ("resolved", -5)), IncidentStatus.RESOLVED),
        # a later update reopens a resolved incident
        ((("investigating", -30), ("resolved", -20), ("update", -5)), IncidentStatus.INVESTIGATING),
        ((("identified", -30), ("resolved", -20), ("monitoring", -5)), IncidentStatus.MONITORING),
        # updates after now are not seen yet
        ((("investigating", -30), ("resolved", 10)), IncidentStatus.INVESTIGATING),
        ((("update", -30),), IncidentStatus.INVESTIGATING),
        # written in any order: the latest by time counts, not by position
        ((("resolved", -5), ("investigating", -30)), IncidentStatus.RESOLVED),
    ],
)
def test_incident_status(updates: tuple[tuple[str, int], ...], expected: IncidentStatus) -> None:
    assert status.incident_status(incident(*updates), NOW) is expected


@pytest.mark.parametrize(
    ("updates", "started", "published", "duration"),
    [
        ((("investigating", -30), ("resolved", -5)), None, True, timedelta(minutes=25)),
        ((("investigating", -30), ("resolved", -5)), at(-45), True, timedelta(minutes=40)),
        ((("investigating", -30),), None, True, timedelta(minutes=30)),  # ongoing: up to now
        ((("investigating", 30),), None, False, None),  # nothing due yet: not published
    ],
)
def test_incident_publication_and_duration(
    updates: tuple[tuple[str, int], ...], started: datetime | None, published: bool, duration: timedelta | None
) -> None:
    item = incident(*updates, started=started)
    assert status.is_published(item, NOW) is published
    if duration is not None:
        assert status.incident_duration(item, NOW) == duration


@pytest.mark.parametrize(
    ("start", "end", "updates", "expected"),
    [
        (60, 120, (), MaintenanceState.SCHEDULED),
        (-60, 60, (), MaintenanceState.IN_PROGRESS),
        (-120, -60, (), MaintenanceState.COMPLETED),
        (-120, 0, (), MaintenanceState.COMPLETED),  # the window's end is exclusive
        (0, 60, (), MaintenanceState.IN_PROGRESS),  # its start inclusive
        # a Completed update ends it early
        (-60, 60, (("in progress", -60), ("completed", -10)), MaintenanceState.COMPLETED),
        # In progress or Verifying keeps it open past the end until Completed
        (-120, -60, (("in progress", -120),), MaintenanceState.IN_PROGRESS),
        (-120, -60, (("in progress", -120), ("verifying", -50)), MaintenanceState.VERIFYING),
        (-120, -60, (("verifying", -50), ("completed", -5)), MaintenanceState.COMPLETED),
        # a Cancelled update cancels it whenever it comes
        (60, 120, (("cancelled", -10),), MaintenanceState.CANCELLED),
        (-60, 60, (("in progress", -60), ("cancelled", -30), ("in progress", -10)), MaintenanceState.CANCELLED),
        # an update dated after now is not seen yet
        (60, 120, (("cancelled", 10),), MaintenanceState.SCHEDULED),
        # an Update says nothing about the state: the clock decides
        (-60, 60, (("update", -10),), MaintenanceState.IN_PROGRESS),
    ],
)
def test_maintenance_state(
    start: int, end: int, updates: tuple[tuple[str, int], ...], expected: MaintenanceState
) -> None:
    assert status.maintenance_state(maintenance(start, end, *updates), NOW) is expected


def test_a_move_made_after_now_has_not_happened_yet() -> None:
    move = Reschedule(Window(at(-30), at(30)), at(60), "later")
    item = maintenance(24 * 60, 25 * 60, moves=(move,))
    assert status.window_at(item, NOW) == Window(at(-30), at(30))
    assert status.maintenance_state(item, NOW) is MaintenanceState.IN_PROGRESS
    assert status.visible_moves(item, NOW) == ()
    later = at(90)
    assert status.window_at(item, later) == item.window
    assert status.maintenance_state(item, later) is MaintenanceState.SCHEDULED
    assert status.visible_moves(item, later) == (move,)


@pytest.mark.parametrize(
    ("announced", "published"),
    [(None, True), (-60, True), (0, True), (60, False)],
)
def test_maintenance_is_published_once_announced(announced: int | None, published: bool) -> None:
    assert status.is_published(maintenance(120, 180, announced=announced), NOW) is published


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        # an open incident shows `now` (how long it has lasted): never settled
        (incident(("investigating", -30)), None),
        (incident(("investigating", -30), ("resolved", -5)), at(-5)),
        # an update written ahead of time, or a promised update still to come, can still change it
        (incident(("investigating", -30), ("resolved", -5), ("update", 10)), None),
        (incident(("investigating", -30), ("resolved", 10)), None),
        # a start given after the last update is still one of its moments
        (incident(("investigating", -30), ("resolved", -20), started=at(-10)), at(-10)),
        # maintenance: over at the end of its window, or at its Completed or Cancelled update
        (maintenance(-120, -60), at(-60)),
        (maintenance(-60, 60), None),
        (maintenance(60, 120), None),
        (maintenance(-120, -60, ("in progress", -120)), None),  # In progress keeps it open past its end
        (maintenance(-120, 60, ("completed", -30)), None),  # the end of the window is still ahead
        (maintenance(-120, -60, ("verifying", -70), ("completed", -30)), at(-30)),
        (maintenance(-120, -60, announced=-30), at(-30)),
        (maintenance(60, 120, ("cancelled", -10)), None),  # a cancelled window still to come: its moment ahead
        (maintenance(-60, -30, ("cancelled", -90)), at(-30)),
        (maintenance(-120, -60, moves=(Reschedule(Window(at(-300), at(-240)), at(-10), "moved"),)), at(-10)),
    ],
)
def test_settled_at(notice: Incident | Maintenance, expected: datetime | None) -> None:
    assert status.settled_at(notice, NOW) == expected
    if expected is not None:  # once settled, it stays settled at the same moment
        assert status.settled_at(notice, at(60 * 24 * 365)) == expected


OUTAGE = ComponentStatus.MAJOR_OUTAGE
PARTIAL = ComponentStatus.PARTIAL_OUTAGE
DEGRADED = ComponentStatus.DEGRADED_PERFORMANCE
MAINT = ComponentStatus.UNDER_MAINTENANCE
OK = ComponentStatus.OPERATIONAL


@pytest.mark.parametrize(
    ("incidents", "maint", "components", "indicator"),
    [
        ((), (), {"api": OK, "web": OK}, Indicator.NONE),
        # resolved incidents change nothing
        ((incident(("investigating", -60), ("resolved", -5), impact=Impact.CRITICAL),), (),
         {"api": OK, "web": OK}, Indicator.NONE),
        # the impact and the components' state: the worse wins
        ((incident(("investigating", -5), impact=Impact.MINOR, components=(("api", OUTAGE),)),), (),
         {"api": OUTAGE, "web": OK}, Indicator.CRITICAL),
        ((incident(("investigating", -5), impact=Impact.CRITICAL, components=(("api", DEGRADED),)),), (),
         {"api": DEGRADED, "web": OK}, Indicator.CRITICAL),
        ((incident(("investigating", -5), impact=Impact.NONE, components=(("api", PARTIAL),)),), (),
         {"api": PARTIAL, "web": OK}, Indicator.MAJOR),
        ((incident(("investigating", -5), impact=Impact.NONE, components=(("api", DEGRADED),)),), (),
         {"api": DEGRADED, "web": OK}, Indicator.MINOR),
        ((incident(("investigating", -5), impact=Impact.MINOR, components=(("api", DEGRADED),)),), (),
         {"api": DEGRADED, "web": OK}, Indicator.MINOR),
        # the worst of several incidents on one component
        ((incident(("investigating", -5), components=(("api", DEGRADED),), slug="a"),
          incident(("investigating", -5), components=(("api", PARTIAL),), slug="b")), (),
         {"api": PARTIAL, "web": OK}, Indicator.MAJOR),
        # maintenance in progress, and nothing else: maintenance
        ((), (maintenance(-10, 50),), {"api": OK, "web": MAINT}, Indicator.MAINTENANCE),
        ((), (maintenance(-10, 50, components=(("web", DEGRADED),)),),
         {"api": OK, "web": DEGRADED}, Indicator.MAINTENANCE),
        # scheduled or finished maintenance changes nothing
        ((), (maintenance(10, 50), maintenance(-60, -10)), {"api": OK, "web": OK}, Indicator.NONE),
        # an incident beside maintenance: the incident decides; the component takes the worst
        ((incident(("investigating", -5), impact=Impact.MINOR, components=(("web", DEGRADED),)),),
         (maintenance(-10, 50),), {"api": OK, "web": DEGRADED}, Indicator.MINOR),
        ((incident(("investigating", -5), impact=Impact.MINOR, components=(("api", DEGRADED),)),),
         (maintenance(-10, 50),), {"api": DEGRADED, "web": MAINT}, Indicator.MINOR),
        # not yet published: nothing
        ((incident(("investigating", 10), impact=Impact.CRITICAL),), (maintenance(-10, 50, announced=5),),
         {"api": OK, "web": OK}, Indicator.NONE),
    ],
)
def test_components_and_overall_status(
    incidents: tuple[Incident, ...], maint: tuple[Maintenance, ...],
    components: dict[str, ComponentStatus], indicator: Indicator,
) -> None:
    assert status.component_statuses(CONFIG, incidents, maint, NOW) == components
    assert status.overall_status(CONFIG, incidents, maint, NOW) is indicator


def test_indicator_words() -> None:
    assert [i.words for i in (Indicator.NONE, Indicator.MINOR, Indicator.MAJOR, Indicator.CRITICAL,
                              Indicator.MAINTENANCE)] == [
        "All systems operational", "Minor service disruption", "Partial system outage", "Major system outage",
        "Scheduled maintenance in progress"]


def test_recent_days_merges_quiet_stretches() -> None:
    from zoneinfo import ZoneInfo

    old = incident(("investigating", -3 * 24 * 60), ("resolved", -3 * 24 * 60 + 30), slug="old")
    today = incident(("investigating", -60), slug="today")
    groups = status.recent_days((old, today), NOW, ZoneInfo("Europe/Rome"), 7)
    shape = [(g.first.isoformat(), g.last.isoformat(), [i.slug for i in g.incidents]) for g in groups]
    assert shape == [
        ("2026-11-24", "2026-11-24", ["today"]),
        ("2026-11-22", "2026-11-23", []),
        ("2026-11-21", "2026-11-21", ["old"]),
        ("2026-11-18", "2026-11-20", []),
    ]


def test_last_changed_of_a_maintenance_counts_moves_and_announcement() -> None:
    move = Reschedule(Window(at(100), at(160)), at(-30), "why")
    item = maintenance(200, 260, ("update", -10), announced=-600, moves=(move,))
    assert status.last_changed(item, NOW) == at(-10)
    assert status.last_changed(maintenance(200, 260, announced=-600, moves=(move,)), NOW) == at(-30)
    assert status.last_changed(maintenance(200, 260, announced=-600), NOW) == at(-600)
