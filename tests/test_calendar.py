"""maintenance.ics (RFC 5545): read by icalendar and by vobject's validating parser, with UIDs that never
change and a SEQUENCE that rises with every move, so a subscribed calendar moves the event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject

from conftest import NOW, NOW_TEXT, ROOT, Result
from statuspress.build import build_site
from statuspress.calendar import CALENDAR, maintenance_calendar, plain_text
from statuspress.model import Component, ComponentStatus, Kind, Maintenance, SiteConfig, Update, Window

DATABASE = "t4uadl9ywa7a@status.example.com"  # the UIDs of the example site: they must never change
BACKUPS = "8jy1ou8zsjpg@status.example.com"
NETWORK = "cm40djxgpnt8@status.example.com"

MAINTENANCE = """\
---
title: {title}
components: {{api: under_maintenance}}
window: {{start: 2026-12-01T09:00:00Z, end: 2026-12-01T10:00:00Z}}
announced: 2026-11-20T08:00:00Z
---
{summary}
"""


def parse(data: bytes) -> tuple[icalendar.Calendar, vobject.base.Component]:
    """Parse with both libraries; vobject's `validate=True` enforces RFC 5545's required properties."""
    text = data.decode("utf-8")
    return icalendar.Calendar.from_ical(data), vobject.readOne(text, validate=True)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(scope="module")
def ics(example_outputs: dict[str, bytes]) -> bytes:
    return example_outputs[CALENDAR]


def test_calendar_parses_and_validates(ics: bytes) -> None:
    cal, vcal = parse(ics)
    assert vcal.name == "VCALENDAR"
    assert len(vcal.contents["vevent"]) == 3
    assert cal.name == "VCALENDAR" and len(cal.walk("VEVENT")) == 3


def test_required_properties_of_rfc_5545_are_there(ics: bytes) -> None:
    cal, _ = parse(ics)
    # 3.6: a calendar has exactly one VERSION (2.0) and one PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//statuspress//maintenance calendar//EN"  # no version number: stable output
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "Example Cloud Status: maintenance"
    # subscribers are asked to poll hourly
    assert ics.count(b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n") == 1
    assert ics.count(b"\r\nX-PUBLISHED-TTL:PT1H\r\n") == 1
    for event in cal.walk("VEVENT"):
        # 3.6.1: UID and DTSTAMP are required; DTSTART is required when the calendar has no METHOD, and
        # a calendar app cannot place an event without it anyway
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS", "URL"):
            assert name in event, name
        for name in ("DTSTAMP", "DTSTART", "DTEND", "LAST-MODIFIED"):
            value = event.decoded(name)
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0), name  # all in UTC
    times = [line for line in ics.split(b"\r\n")
             if line.startswith((b"DTSTART", b"DTEND", b"DTSTAMP", b"LAST-MODIFIED", b"CREATED"))]
    assert len(times) == 3 * 5
    for line in times:
        assert b":" in line and b";" not in line.split(b":")[0] and line.endswith(b"Z"), line  # UTC, no TZID


def test_lines_are_crlf_and_folded_at_75_octets(ics: bytes) -> None:
    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75, line


def test_exact_events_of_the_example_site(ics: bytes) -> None:
    cal, _ = parse(ics)
    found = events(cal)
    assert list(found) == [NETWORK, BACKUPS, DATABASE]  # by window start, past and upcoming alike
    database = found[DATABASE]
    assert str(database["SUMMARY"]) == "Database upgrade"
    assert database.decoded("DTSTART") == utc("2026-12-02T08:00:00Z")  # 09:00 CET, the window after its move
    assert database.decoded("DTEND") == utc("2026-12-02T09:00:00Z")
    assert database.decoded("SEQUENCE") == 1  # moved once
    assert str(database["STATUS"]) == "CONFIRMED"
    assert database.decoded("DTSTAMP") == utc("2026-11-24T09:00:00Z")  # the move, not the clock
    assert database.decoded("LAST-MODIFIED") == utc("2026-11-24T09:00:00Z")
    assert database.decoded("CREATED") == utc("2026-11-18T14:00:00Z")
    assert str(database["URL"]) == "https://status.example.com/maintenance/2026-12-02-database-upgrade/"
    assert str(database["TRANSP"]) == "TRANSPARENT"
    assert str(database["DESCRIPTION"]) == (
        "We will upgrade our managed database clusters to a new major version. During the window the API will "
        "reject write requests for up to 10 minutes and the dashboard will be read-only. Read requests keep "
        "working. Queue writes in your client and retry after the window.\n\n"
        "Affects:\n- API: under maintenance\n- Dashboard: degraded performance\n\n"
        "Details and updates: https://status.example.com/maintenance/2026-12-02-database-upgrade/"
    )
    backups = found[BACKUPS]  # in progress at NOW
    assert str(backups["SUMMARY"]) == "Backup storage migration"
    assert (backups.decoded("DTSTART"), backups.decoded("DTEND")) == (
        utc("2026-11-24T11:00:00Z"), utc("2026-11-24T13:00:00Z"))
    assert backups.decoded("SEQUENCE") == 0 and str(backups["STATUS"]) == "CONFIRMED"
    assert backups.decoded("DTSTAMP") == utc("2026-11-24T11:02:00Z")  # its "In progress" update
    network = found[NETWORK]  # long over: still in the calendar
    assert str(network["SUMMARY"]) == "Network upgrade in the EU region"
    assert network.decoded("DTSTART") == utc("2026-11-10T05:00:00Z")
    assert network.decoded("SEQUENCE") == 0 and str(network["STATUS"]) == "CONFIRMED"


def test_vobject_reads_the_same_values(ics: bytes) -> None:
    _, vcal = parse(ics)
    database = next(e for e in vcal.vevent_list if e.uid.value == DATABASE)
    assert database.summary.value == "Database upgrade"
    assert database.dtstart.value == utc("2026-12-02T08:00:00Z")
    assert database.dtend.value == utc("2026-12-02T09:00:00Z")
    assert database.sequence.value == "1"
    assert database.description.value.startswith("We will upgrade our managed database clusters")


def test_output_is_deterministic_and_ignores_the_clock(ics: bytes) -> None:
    again, _ = build_site(ROOT, NOW)
    assert again is not None and again[CALENDAR] == ics
    # Time passing without a change to any maintenance leaves the file byte-identical (no clock in DTSTAMP),
    # though the backup migration turns from in progress to completed meanwhile.
    later, _ = build_site(ROOT, NOW + timedelta(hours=6))
    assert later is not None and later[CALENDAR] == ics


def test_a_move_keeps_the_uid_and_raises_the_sequence() -> None:
    before, _ = build_site(ROOT, NOW - timedelta(hours=4))  # 08:00 UTC, before the move at 09:00 UTC
    assert before is not None
    old, new = events(parse(before[CALENDAR])[0])[DATABASE], events(parse(build_site(ROOT, NOW)[0][CALENDAR])[0])
    assert list(new).count(DATABASE) == 1  # one event, moved: not a second one
    assert old.decoded("DTSTART") == utc("2026-11-25T21:00:00Z")
    assert old.decoded("SEQUENCE") == 0
    assert new[DATABASE].decoded("DTSTART") == utc("2026-12-02T08:00:00Z")
    assert new[DATABASE].decoded("SEQUENCE") == 1
    assert new[DATABASE].decoded("DTSTAMP") > old.decoded("DTSTAMP")


def build(run: Callable[..., Result], root: Path, out: Path, now: str) -> tuple[icalendar.Calendar, bytes]:
    result = run("build", "--site", str(root), "--out", str(out), "--now", now)
    assert result.code == 0, result.err
    data = (out / CALENDAR).read_bytes()
    return parse(data)[0], data


def test_move_and_cancel_with_the_commands_update_one_event(
    run: Callable[..., Result], site: Callable[..., Path], tmp_path: Path
) -> None:
    root = site({"maintenance/2026-12-01-upgrade.md": MAINTENANCE.format(title="Upgrade", summary="Writes pause.")})
    notice = str(root / "maintenance" / "2026-12-01-upgrade.md")
    first, _ = build(run, root, tmp_path / "a", NOW_TEXT)
    (uid,) = events(first)
    assert uid.endswith("@status.test.example")
    assert events(first)[uid].decoded("SEQUENCE") == 0

    moved = run("move", notice, "--site", str(root), "--to", "2026-12-03T09:00:00Z", "2026-12-03T11:00:00Z",
                "--reason", "A dependency is late.", "--now", "2026-11-25T10:00:00Z")
    assert moved.code == 0, moved.err
    second, _ = build(run, root, tmp_path / "b", "2026-11-25T10:30:00Z")
    assert list(events(second)) == [uid]
    event = events(second)[uid]
    assert event.decoded("SEQUENCE") == 1
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
        utc("2026-12-03T09:00:00Z"), utc("2026-12-03T11:00:00Z"))
    assert event.decoded("DTSTAMP") == utc("2026-11-25T10:00:00Z")

    moved = run("move", notice, "--site", str(root), "--to", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z",
                "--reason", "Again.", "--now", "2026-11-26T10:00:00Z")
    assert moved.code == 0, moved.err
    third, _ = build(run, root, tmp_path / "c", "2026-11-26T10:00:00Z")
    assert events(third)[uid].decoded("SEQUENCE") == 2

    cancelled = run("update", notice, "--site", str(root), "--status", "cancelled", "We no longer need it.",
                    "--now", "2026-11-27T10:00:00Z")
    assert cancelled.code == 0, cancelled.err
    fourth, data = build(run, root, tmp_path / "d", "2026-11-27T10:00:00Z")
    assert list(events(fourth)) == [uid]
    event = events(fourth)[uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3  # two moves, then the cancellation
    assert event.decoded("DTSTART") == utc("2026-12-04T09:00:00Z")  # still where it was, marked cancelled
    assert "This maintenance was cancelled." in str(event["DESCRIPTION"])
    vobject.readOne(data.decode(), validate=True)
    # Long after the window, the cancelled maintenance is still in the calendar, unchanged.
    _, later = build(run, root, tmp_path / "e", "2027-01-01T00:00:00Z")
    assert later == data


def test_cancelled_maintenance_is_cancelled(site: Callable[..., Path]) -> None:
    text = MAINTENANCE.format(title="Upgrade", summary="Writes pause.") + (
        "\n## Cancelled · 2026-11-22 10:00 UTC\nWe no longer need this.\n")
    root = site({"maintenance/2026-12-01-upgrade.md": text})
    before, _ = build_site(root, datetime(2026, 11, 21, tzinfo=UTC))
    after, _ = build_site(root, NOW)
    assert before is not None and after is not None
    (old,), (new,) = parse(before[CALENDAR])[0].walk("VEVENT"), parse(after[CALENDAR])[0].walk("VEVENT")
    assert (str(old["STATUS"]), old.decoded("SEQUENCE")) == ("CONFIRMED", 0)
    assert (str(new["STATUS"]), new.decoded("SEQUENCE")) == ("CANCELLED", 1)
    assert old["UID"] == new["UID"]
    assert new.decoded("DTSTAMP") == utc("2026-11-22T10:00:00Z")


def test_time_travel_hides_maintenance_not_yet_announced(site: Callable[..., Path]) -> None:
    text = MAINTENANCE.format(title="Upgrade", summary="Writes pause.")
    root = site({"maintenance/2026-12-01-upgrade.md": text})
    early, _ = build_site(root, datetime(2026, 11, 19, tzinfo=UTC))  # announced on 20 Nov
    late, _ = build_site(root, NOW)
    assert early is not None and late is not None
    assert parse(early[CALENDAR])[0].walk("VEVENT") == []
    assert b"Upgrade" not in early[CALENDAR]
    assert [str(e["SUMMARY"]) for e in parse(late[CALENDAR])[0].walk("VEVENT")] == ["Upgrade"]


def test_an_empty_calendar_is_still_valid(site: Callable[..., Path]) -> None:
    outputs, _ = build_site(site(), NOW)
    assert outputs is not None
    cal, vcal = parse(outputs[CALENDAR])
    assert cal.walk("VEVENT") == []
    # RFC 5545 wants at least one component: a calendar without maintenance carries UTC's VTIMEZONE
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"]
    assert str(cal["X-WR-CALNAME"]) == "Test Status: maintenance"


INJECTIONS = [
    "Upgrade; DTSTART:19700101T000000Z, SEQUENCE:99",
    'Upgrade "quoted" \\ back\\;slash, comma: colon',
    "Upgrade: END:VEVENT BEGIN:VEVENT UID:evil@x",
]


@pytest.mark.parametrize("title", INJECTIONS)
def test_injection_in_title_and_summary_stays_inside_its_property(title: str, site: Callable[..., Path]) -> None:
    summary = "First line; with, separators\r\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@example.com\n\nSTATUS:CANCELLED"
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    root = site({"maintenance/2026-12-01-upgrade.md": MAINTENANCE.format(title=f'"{quoted}"', summary=summary)})
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, [str(p) for p in problems]
    data = outputs[CALENDAR]
    cal, vcal = parse(data)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert event.decoded("SEQUENCE") == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == utc("2026-12-01T09:00:00Z")
    assert str(event["UID"]) != "evil@example.com"
    description = str(event["DESCRIPTION"])
    assert description.startswith("First line; with, separators END:VEVENT BEGIN:VEVENT UID:evil@example.com")
    assert "STATUS:CANCELLED" in description
    assert len(vcal.vevent_list) == 1 and vcal.vevent.summary.value == title
    assert data.count(b"\r\nBEGIN:VEVENT\r\n") == 1 and data.count(b"\r\nEND:VEVENT\r\n") == 1


def test_control_characters_given_directly_are_escaped() -> None:
    # The loader folds a title's whitespace; the calendar must be safe even without that.
    config = SiteConfig(name="Evil\r\nX-INJECTED:1", url="https://status.test.example/",
                        components=(Component("api", "API,\nname"),))
    notice = Maintenance(
        kind=Kind.MAINTENANCE, slug="2026-12-01-x", path="maintenance/2026-12-01-x.md",
        title="Title\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil",
        components=(("api", ComponentStatus.UNDER_MAINTENANCE),), summary="Text",
        updates=(Update("update", NOW, "Body", 10),), id="abcd1234",
        window=Window(NOW, NOW + timedelta(hours=1)),
    )
    data = maintenance_calendar(config, [notice], NOW)
    cal, vcal = parse(data)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Title\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil"  # escaped as \n, read back
    assert str(event["UID"]) == "abcd1234@status.test.example"
    assert "X-INJECTED" not in cal and str(cal["X-WR-CALNAME"]).startswith("Evil")
    assert data.count(b"\r\nBEGIN:VEVENT\r\n") == 1
    assert not any(line.startswith((b"UID:evil", b"X-INJECTED")) for line in data.split(b"\r\n"))


def test_uid_includes_the_path_of_a_site_at_a_sub_path(site: Callable[..., Path]) -> None:
    config = (ROOT / "site.yaml").read_text().replace("https://status.example.com/", "https://Example.github.io/status/")
    root = site({"maintenance/2026-12-01-upgrade.md": MAINTENANCE.format(title="Upgrade", summary="x")},
                config=config)
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    (event,) = parse(outputs[CALENDAR])[0].walk("VEVENT")
    assert str(event["UID"]).endswith(".status@example.github.io")
    assert b'href="webcal://Example.github.io/status/maintenance.ics"' in outputs["index.html"]


def test_the_home_page_offers_webcal_and_https(example_outputs: dict[str, bytes]) -> None:
    home = example_outputs["index.html"].decode()
    assert '<a href="webcal://status.example.com/maintenance.ics">' in home
    assert '<a href="maintenance.ics">https://status.example.com/maintenance.ics</a>' in home
    assert '<link rel="alternate" type="text/calendar"' in home
    page = example_outputs["maintenance/2026-12-02-database-upgrade/index.html"].decode()
    assert ('type="text/calendar" title="Example Cloud Status: maintenance calendar" '
            'href="../../maintenance.ics"') in page


def test_plain_text_of_markdown() -> None:
    text = "A *first* paragraph\nwrapped, with [a link](https://example.com/x) and `code`.\n\n- one\n- two\n"
    assert plain_text(text) == (
        "A first paragraph wrapped, with a link (https://example.com/x) and code.\n\n- one\n\n- two")
    assert plain_text("See <https://example.com/>.") == "See https://example.com/."
    assert plain_text("") == ""


def test_long_non_ascii_text_folds_without_splitting_characters(site: Callable[..., Path]) -> None:
    title = "Manutenzione più lunga del previsto, è necessario aggiornare ogni nodo — 数据库升级 " * 2
    root = site({"maintenance/2026-12-01-upgrade.md": MAINTENANCE.format(title=title.strip(), summary="Già fatto.")})
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    data = outputs[CALENDAR]
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # each folded line is whole characters
    (event,) = parse(data)[0].walk("VEVENT")
    assert str(event["SUMMARY"]) == title.strip()


def test_the_calendar_keeps_a_year_of_past_maintenance(site: Callable[..., Path]) -> None:
    """However long the history, the calendar holds what is ahead and the past year (calendar.PAST)."""
    old = MAINTENANCE.format(title="Old upgrade", summary="Done.").replace("2026-12-01T", "2025-11-01T")
    root = site({"maintenance/2026-12-01-upgrade.md": MAINTENANCE.format(title="Upgrade", summary="Soon."),
                 "maintenance/2025-11-01-old.md": old.replace("announced: 2026-11-20", "announced: 2025-10-20")})
    for now, titles in ((NOW, ["Upgrade"]), (datetime(2026, 10, 31, tzinfo=UTC), ["Old upgrade"])):
        outputs, _ = build_site(root, now)
        assert outputs is not None
        assert [str(e["SUMMARY"]) for e in parse(outputs[CALENDAR])[0].walk("VEVENT")] == titles
        assert b"/maintenance/2025-11-01-old/" in outputs["history/index.html"]  # the history keeps it
