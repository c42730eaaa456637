"""The review-desk commands: `update`, `move`, `new` with message templates, `preview`, and
`check --format github --changed-since` in a git repository.

Edits are compared as whole files, so a section in the wrong place, a lost line or a stray change
elsewhere fails the test; every refused edit must leave the file byte for byte as it was.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import NOW_TEXT, SITE_YAML, Result
from statuspress.load import load_site
from statuspress.model import Reschedule, Window
from statuspress.times import parse_time

CONFIG = SITE_YAML + "contact:\n  email: support@test.example\n"

INC = "incidents/2026-11-24-api-errors.md"
INCIDENT = """\
---
title: Elevated error rates on the API
impact: major
components:
  api: partial_outage
author: Giulia Rossi, Site Reliability
next_update: 2026-11-24T12:15:00Z   # when customers hear from us next
---
About 30% of requests fail with HTTP 503 since 09:41 UTC.

## Identified · 2026-11-24 10:32 UTC
We traced the errors to a failed database node.

## Investigating · 2026-11-24 09:55 UTC
We are investigating elevated error rates.
"""
FIRST_UPDATE = "## Identified · 2026-11-24 10:32 UTC\n"

RES = "incidents/2026-11-10-sign-in.md"
RESOLVED = """\
---
title: Sign-in failures
impact: minor
components:
  dashboard: major_outage
author: Marco Bianchi, Identity team
---
Nobody could sign in to the dashboard for 40 minutes.

## Resolved · 2026-11-10 10:40 UTC
Signing in works again.

## Investigating · 2026-11-10 10:00 UTC
We are investigating failed sign-ins.
"""

MNT = "maintenance/2026-12-02-database-upgrade.md"
MAINTENANCE = """\
---
title: Database upgrade
components:
  db: under_maintenance
window:
  start: 2026-12-02T09:00:00+01:00
  end: 2026-12-02T10:00:00+01:00
author: Marco Bianchi, Platform team
announced: 2026-11-18T15:00:00+01:00
---
The database is read-only for up to an hour.
"""

BASE = {INC: INCIDENT, RES: RESOLVED, MNT: MAINTENANCE}


def edit(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once, so a case cannot silently stop applying."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture
def root(site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base site, and the current folder set to it: FILE arguments are relative to it."""
    folder = site(BASE, CONFIG)
    monkeypatch.chdir(folder)
    return folder


def check(run: Callable[..., Result], root: Path, *args: str) -> Result:
    return run("check", "--site", str(root), "--now", NOW_TEXT, *args)


def review_rules(result: Result) -> list[str]:
    return [line.rsplit(" [", 1)[1].rstrip("]") for line in result.err.splitlines() if line.endswith("]")]


# --- update: incidents --------------------------------------------------------------------------------------

INCIDENT_STAGES = [
    ("investigating", "Investigating", "We are investigating reports of problems with API.\n"
                                       "We will post an update by 12:30 UTC."),
    ("identified", "Identified", "We have identified the cause of the problems with API and are working on a fix.\n"
                                 "We will post an update by 12:30 UTC."),
    ("monitoring", "Monitoring", "A fix has been applied and API is recovering. We are monitoring the results.\n"
                                 "We will post an update by 12:30 UTC."),
    ("update", "Update", "We are still working on the problems with API.\nWe will post an update by 12:30 UTC."),
]


@pytest.mark.parametrize(("status", "label", "message"), INCIDENT_STAGES)
def test_update_an_incident(root: Path, run: Callable[..., Result], status: str, label: str, message: str) -> None:
    result = run("update", INC, "--status", status, "--site", ".", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    assert result.err == f"statuspress: added the update at line 11 of {INC} (0 errors, 0 warnings)\n"
    expected = edit(INCIDENT, FIRST_UPDATE, f"## {label} · 2026-11-24 12:00 UTC\n{message}\n\n{FIRST_UPDATE}")
    expected = edit(expected, "next_update: 2026-11-24T12:15:00Z", "next_update: 2026-11-24T12:30:00Z")
    assert (root / INC).read_text() == expected
    assert check(run, root).err.endswith(": 0 errors, 0 warnings\n")


def test_update_resolved_removes_the_promise(root: Path, run: Callable[..., Result]) -> None:
    result = run("update", INC, "--status", "resolved", "--site", ".", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    section = ("## Resolved · 2026-11-24 12:00 UTC\nThis incident has been resolved: API has been working normally "
               "since 12:00 UTC.\nWe are sorry for the disruption. If you still see problems, please contact us.\n\n")
    expected = edit(INCIDENT, FIRST_UPDATE, section + FIRST_UPDATE)
    expected = edit(expected, "next_update: 2026-11-24T12:15:00Z   # when customers hear from us next\n", "")
    assert (root / INC).read_text() == expected
    site, _ = load_site(root)
    assert site is not None
    assert next(n for n in site.incidents if n.path == INC).next_update is None
    assert check(run, root).err.endswith(": 0 errors, 0 warnings\n")


def test_update_adds_a_missing_next_update(root: Path, run: Callable[..., Result]) -> None:
    (root / INC).write_text(edit(INCIDENT, "next_update: 2026-11-24T12:15:00Z   # when customers hear from us next\n",
                                 ""))
    assert run("update", INC, "--status", "update", "Still on it.", "--now", NOW_TEXT).code == 0
    assert (root / INC).read_text().startswith(
        "---\ntitle: Elevated error rates on the API\nimpact: major\ncomponents:\n  api: partial_outage\n"
        "author: Giulia Rossi, Site Reliability\nnext_update: 2026-11-24T12:30:00Z\n---\n")


def test_update_postmortem_goes_last_and_passes_check(root: Path, run: Callable[..., Result]) -> None:
    result = run("update", RES, "--status", "postmortem", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    assert result.err == f"statuspress: added the update at line 16 of {RES} (0 errors, 0 warnings)\n"
    text = (root / RES).read_text()
    assert text.startswith(RESOLVED + "\n## Postmortem · 2026-11-24 12:00 UTC\n### What went wrong\nTODO: ")
    assert "next_update" not in text
    site, _ = load_site(root)
    assert site is not None
    postmortem = next(n for n in site.incidents if n.path == RES).postmortem
    assert postmortem is not None and postmortem.line == 16
    checked = check(run, root)
    assert checked.code == 0
    # It asks for the facts, and nothing else: the template's own words pass the review.
    assert set(review_rules(checked)) == {"placeholder"}, checked.err
    again = run("update", RES, "--status", "postmortem", "--now", NOW_TEXT)
    assert again.code == 2
    assert "statuspress: error: the notice has a postmortem already, on line 16" in again.err
    assert (root / RES).read_text() == text


def test_update_is_stamped_with_now_in_utc(root: Path, run: Callable[..., Result]) -> None:
    assert run("update", INC, "--status", "monitoring", "--now", "2026-11-24T13:05:42+01:00").code == 0
    text = (root / INC).read_text()
    assert "## Monitoring · 2026-11-24 12:05 UTC\n" in text
    assert "next_update: 2026-11-24T12:35:00Z   # when customers hear from us next\n" in text
    assert "We will post an update by 12:35 UTC." in text


@pytest.mark.parametrize(("delay", "at"), [("1h", "13:00"), ("45m", "12:45"), ("1h30m", "13:30"), ("90", "13:30")])
def test_update_next_update_moves_by_the_delay(root: Path, run: Callable[..., Result], delay: str, at: str) -> None:
    assert run("update", INC, "--status", "identified", "--next-update", delay, "--now", NOW_TEXT).code == 0
    text = (root / INC).read_text()
    assert f"next_update: 2026-11-24T{at}:00Z   # when customers hear from us next\n" in text
    assert f"We will post an update by {at} UTC." in text


@pytest.mark.parametrize("before", [True, False], ids=["text-before-status", "text-after-status"])
def test_update_with_text(root: Path, run: Callable[..., Result], before: bool) -> None:
    text = "We found the failing node and are replacing it: expect errors for 20 more minutes."
    args = [INC, text, "--status", "identified"] if before else [INC, "--status", "identified", text]
    result = run("update", *args, "--now", NOW_TEXT)
    assert result.code == 0, result.err
    expected = edit(INCIDENT, FIRST_UPDATE, f"## Identified · 2026-11-24 12:00 UTC\n{text}\n\n{FIRST_UPDATE}")
    expected = edit(expected, "next_update: 2026-11-24T12:15:00Z", "next_update: 2026-11-24T12:30:00Z")
    assert (root / INC).read_text() == expected


def test_update_uses_the_sites_message_template(root: Path, run: Callable[..., Result]) -> None:
    (root / "templates" / "messages").mkdir(parents=True)
    (root / "templates" / "messages" / "identified.md").write_text(
        "Approved: the cause of the trouble with {{ names }} ({{ title }}) is known. "
        "Next update by {{ next_update|clock }} UTC.\n")
    assert run("update", INC, "--status", "identified", "--now", NOW_TEXT).code == 0
    assert ("## Identified · 2026-11-24 12:00 UTC\nApproved: the cause of the trouble with API (Elevated error rates "
            "on the API) is known. Next update by 12:30 UTC.\n\n" + FIRST_UPDATE) in (root / INC).read_text()
    # the other stages keep the package's templates
    assert run("update", INC, "--status", "monitoring", "--now", NOW_TEXT).code == 0
    assert "A fix has been applied and API is recovering." in (root / INC).read_text()


def test_update_a_file_given_from_another_folder(root: Path, run: Callable[..., Result],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root / "incidents")
    result = run("update", Path(INC).name, "--status", "update", "Still on it.", "--site", "..", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    assert "## Update · 2026-11-24 12:00 UTC\nStill on it.\n" in (root / INC).read_text()


# --- update: maintenance ---------------------------------------------------------------------------------

MAINTENANCE_STAGES = [
    ("in_progress", "In progress", "The maintenance has started. Database may be unavailable or slower than usual "
                                   "until 09:00 UTC."),
    ("in progress", "In progress", "The maintenance has started. Database may be unavailable or slower than usual "
                                   "until 09:00 UTC."),
    ("verifying", "Verifying", "The maintenance work is done and we are verifying that Database works normally."),
    ("completed", "Completed", "The maintenance is complete and Database is working normally."),
    ("cancelled", "Cancelled", "This maintenance has been cancelled. Database will not be affected."),
    ("update", "Update", "The maintenance of Database continues as planned until 09:00 UTC."),
]


@pytest.mark.parametrize(("status", "label", "message"), MAINTENANCE_STAGES)
def test_update_a_maintenance(root: Path, run: Callable[..., Result], status: str, label: str, message: str) -> None:
    now = "2026-12-02T08:20:00Z"
    result = run("update", MNT, "--status", status, "--now", now)
    assert result.code == 0, result.err
    first = f"## {label} · 2026-12-02 08:20 UTC\n{message}\n"
    assert (root / MNT).read_text() == MAINTENANCE + "\n" + first
    # a later one goes above it, right after the summary
    assert run("update", MNT, "--status", "update", "Half done.", "--now", "2026-12-02T08:40:00Z").code == 0
    assert (root / MNT).read_text() == MAINTENANCE + "\n## Update · 2026-12-02 08:40 UTC\nHalf done.\n\n" + first
    assert run("check", "--site", str(root), "--now", "2026-12-02T08:40:00Z").code == 0


# --- update: refused ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((INC, "--status", "fixed"), "an incident cannot get the status 'fixed'; use one of: investigating, "
                                     "identified, monitoring, update, resolved, postmortem"),
        ((MNT, "--status", "identified"), "a maintenance cannot get the status 'identified'; use one of: "
                                          "in_progress, verifying, completed, cancelled, update"),
        ((INC, "--status", "resolved", "--next-update", "30m"),
         "a resolved incident promises no next update; drop --next-update"),
        ((RES, "--status", "postmortem", "--next-update", "1h"),
         "a resolved incident promises no next update; drop --next-update"),
        ((MNT, "--status", "update", "--next-update", "30m"),
         "--next-update is for incidents; a maintenance follows its window"),
        ((INC, "--status", "update", "--next-update", "soon"), "cannot read the delay 'soon'; write e.g. 30m, 1h"),
        ((INC, "--status", "update", "--next-update", "0m"), "the delay '0m' is zero"),
        (("<outside>", "--status", "update"), "<outside> is not inside the site folder .; pass --site"),
        (("notes/draft.md", "--status", "update"), "notes/draft.md is not in incidents/ or maintenance/"),
        (("incidents/nope.md", "--status", "update"), "incidents/nope.md: no such file"),
    ],
    ids=["unknown-status", "incident-status-on-maintenance", "next-update-on-resolved", "next-update-on-postmortem",
         "next-update-on-maintenance", "unreadable-delay", "zero-delay", "outside-the-site", "not-a-notice-folder",
         "no-such-file"],
)
def test_update_refusals(root: Path, run: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory,
                         args: tuple[str, ...], message: str) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "incidents" / "2026-11-24-api-errors.md"
    outside.parent.mkdir()
    outside.write_text(INCIDENT)
    (root / "notes").mkdir()
    (root / "notes" / "draft.md").write_text(INCIDENT)
    before = {path: path.read_bytes() for path in (root / INC, root / RES, root / MNT, outside)}
    result = run("update", *(str(outside) if arg == "<outside>" else arg for arg in args), "--now", NOW_TEXT)
    assert result.code == 2
    assert f"statuspress: error: {message.replace('<outside>', str(outside))}" in result.err
    assert {path: path.read_bytes() for path in before} == before


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (edit(INCIDENT, "  api: partial_outage", "  apii: partial_outage"),
         f"{INC}:5: error: unknown component 'apii'; did you mean 'api'?"),
        (INCIDENT.replace("---\nAbout", "About"), f"{INC}:1: error: the front matter is not closed"),
    ],
    ids=["unknown-component", "unclosed-front-matter"],
)
def test_update_refuses_a_broken_file(root: Path, run: Callable[..., Result], broken: str, problem: str) -> None:
    (root / INC).write_text(broken)
    result = run("update", INC, "--status", "update", "--now", NOW_TEXT)
    assert result.code == 2
    assert problem in result.err
    assert f"statuspress: error: {INC} has errors; fix them before adding to it" in result.err
    assert (root / INC).read_text() == broken


# --- move -----------------------------------------------------------------------------------------------

MOVED_SECTION = """
## Update · 2026-11-24 12:00 UTC
This maintenance has moved from Wed 2 Dec 09:00 CET to Wed 9 Dec 09:00 CET: The vendor's patch is late.
The window is now Wed 9 Dec 2026, 08:00–09:00 UTC (09:00–10:00 CET).
"""
NEW_WINDOW = "window:\n  start: 2026-12-09T08:00:00Z\n  end: 2026-12-09T09:00:00Z\n"
OLD_MOVE = ("  - from: {start: 2026-12-02T08:00:00Z, end: 2026-12-02T09:00:00Z}\n    on: 2026-11-24T12:00:00Z\n"
            "    reason: \"The vendor's patch is late.\"\n")
EARLIER = ("rescheduled:   # oldest first\n"
           "  - from: {start: 2026-11-25T22:00:00+01:00, end: 2026-11-25T23:00:00+01:00}\n"
           "    on: 2026-11-19T10:00:00+01:00\n    reason: A related change needs more verification.\n")


def move(run: Callable[..., Result], file: str = MNT, *extra: str) -> Result:
    return run("move", file, "--to", "2026-12-09T09:00:00+01:00", "2026-12-09 10:00 +01:00",
               "--reason", "  The vendor's patch is late. ", "--now", NOW_TEXT, *extra)


def moves(root: Path) -> tuple[Window, tuple[Reschedule, ...]]:
    site, _ = load_site(root)
    assert site is not None
    notice = next(n for n in site.maintenance if n.path == MNT)
    return notice.window, notice.rescheduled


def window(start: str, end: str) -> Window:
    return Window(parse_time(start), parse_time(end))


def test_move_a_window_for_the_first_time(root: Path, run: Callable[..., Result]) -> None:
    result = move(run)
    assert result.code == 0, result.err
    assert result.err == (f"statuspress: moved the window; added the update at line 17 of {MNT} "
                          "(0 errors, 0 warnings)\n")
    expected = edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                    NEW_WINDOW + "rescheduled:\n" + OLD_MOVE)
    assert (root / MNT).read_text() == expected + MOVED_SECTION
    new, rescheduled = moves(root)
    assert new == window("2026-12-09T08:00Z", "2026-12-09T09:00Z")
    assert rescheduled == (Reschedule(window("2026-12-02T08:00Z", "2026-12-02T09:00Z"), parse_time(NOW_TEXT),
                                      "The vendor's patch is late."),)
    checked = check(run, root, "--strict")
    assert checked.code == 0 and checked.err.endswith(": 0 errors, 0 warnings\n"), checked.err


def test_move_appends_to_rescheduled_keeping_it_as_written(root: Path, run: Callable[..., Result]) -> None:
    (root / MNT).write_text(edit(MAINTENANCE, "announced:", EARLIER + "announced:"))
    assert move(run).code == 0
    expected = edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                    NEW_WINDOW)
    expected = edit(expected, "announced:", EARLIER + OLD_MOVE + "announced:")
    assert (root / MNT).read_text() == expected + MOVED_SECTION
    _, rescheduled = moves(root)
    assert [m.on for m in rescheduled] == [parse_time("2026-11-19T09:00Z"), parse_time(NOW_TEXT)]
    assert check(run, root, "--strict").code == 0


def test_move_keeps_comments_between_fields(root: Path, run: Callable[..., Result]) -> None:
    commented = edit(MAINTENANCE, "author:", "\n# who wrote it\nauthor:")
    commented = edit(commented, "announced:", EARLIER + "# when it was first published\nannounced:")
    (root / MNT).write_text(commented)
    assert move(run).code == 0
    expected = edit(commented, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                    NEW_WINDOW)
    expected = edit(expected, "# when it was first published", OLD_MOVE + "# when it was first published")
    assert (root / MNT).read_text() == expected + MOVED_SECTION
    assert check(run, root, "--strict").code == 0


def test_move_with_flow_style_fields(root: Path, run: Callable[..., Result]) -> None:
    flow = edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                "window: {start: 2026-12-02T09:00:00+01:00, end: 2026-12-02T10:00:00+01:00}\n"
                "rescheduled: [{from: {start: 2026-11-25T21:00:00Z, end: 2026-11-25T22:00:00Z}, "
                "on: 2026-11-19T09:00:00Z, reason: Vendor delay}]\n")
    (root / MNT).write_text(flow)
    assert move(run).code == 0
    expected = edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                    NEW_WINDOW + "rescheduled:\n  - from: {start: 2026-11-25T21:00:00Z, end: 2026-11-25T22:00:00Z}\n"
                    "    on: 2026-11-19T09:00:00Z\n    reason: \"Vendor delay\"\n" + OLD_MOVE)
    assert (root / MNT).read_text() == expected + MOVED_SECTION
    assert [m.reason for m in moves(root)[1]] == ["Vendor delay", "The vendor's patch is late."]
    assert check(run, root, "--strict").code == 0


def test_move_keeps_earlier_updates_below_the_new_one(root: Path, run: Callable[..., Result]) -> None:
    announced = MAINTENANCE + "\n## Update · 2026-11-20 09:00 UTC\nThe plan is unchanged.\n"
    (root / MNT).write_text(announced)
    assert move(run).code == 0
    text = (root / MNT).read_text()
    assert text.endswith("\nThe database is read-only for up to an hour.\n" + MOVED_SECTION
                         + "\n## Update · 2026-11-20 09:00 UTC\nThe plan is unchanged.\n")


def test_move_uses_the_sites_message_template(root: Path, run: Callable[..., Result]) -> None:
    (root / "templates" / "messages").mkdir(parents=True)
    (root / "templates" / "messages" / "moved.md").write_text(
        "Moved to {{ window|span }} (was {{ old.start|local_stamp }}). Why: {{ reason }}\n")
    assert move(run).code == 0
    assert (root / MNT).read_text().endswith(
        "## Update · 2026-11-24 12:00 UTC\nMoved to Wed 9 Dec 2026, 08:00–09:00 UTC (09:00–10:00 CET) "
        "(was Wed 2 Dec 09:00 CET). Why: The vendor's patch is late.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((INC, "--to", "2026-12-09T09:00Z", "2026-12-09T10:00Z", "--reason", "Later."),
         "statuspress: error: move is for maintenance notices; an incident has no window"),
        ((MNT, "--to", "2026-12-09T09:00Z", "2026-12-09T10:00Z"),
         "error: the following arguments are required: --reason"),
        ((MNT, "--to", "2026-12-09T09:00Z", "2026-12-09T10:00Z", "--reason", "  "),
         "statuspress: error: give the reason for the move with --reason"),
        ((MNT, "--to", "2026-12-09T10:00Z", "2026-12-09T09:00Z", "--reason", "Later."),
         "statuspress: error: --to: the end must come after the start"),
        ((MNT, "--to", "2026-12-09", "2026-12-09T09:00Z", "--reason", "Later."),
         "statuspress: error: --to: '2026-12-09' is a date without a time"),
    ],
    ids=["incident", "no-reason", "blank-reason", "end-before-start", "no-time"],
)
def test_move_refusals(root: Path, run: Callable[..., Result], args: tuple[str, ...], message: str) -> None:
    before = {path: (root / path).read_bytes() for path in (INC, MNT)}
    result = run("move", *args, "--now", NOW_TEXT)
    assert result.code == 2
    assert message in result.err
    assert {path: (root / path).read_bytes() for path in (INC, MNT)} == before


# --- new, with the site's message templates ---------------------------------------------------------------

INCIDENT_TEMPLATE = """\
---
title: {{ title|yaml }}
impact: {{ impact }}
components:
{% for id, status in components %}
  {{ id }}: {{ status }}
{% endfor %}
author: Giulia Rossi, Communications
next_update: {{ next_update|iso }}
---
Approved wording: some requests to {{ names }} fail.

## Investigating · {{ now|heading_time }}
We are investigating problems with {{ names }}; next update by {{ next_update|clock }} UTC.
"""


def test_new_uses_the_sites_message_template(root: Path, run: Callable[..., Result]) -> None:
    for path in BASE:
        (root / path).unlink()
    (root / "templates" / "messages").mkdir(parents=True)
    (root / "templates" / "messages" / "incident.md").write_text(INCIDENT_TEMPLATE)
    result = run("new", "incident", "Slow sign-in", "--component", "dashboard=major_outage", "--impact", "major",
                 "--now", NOW_TEXT)
    assert result.code == 0, result.err
    assert (root / "incidents" / "2026-11-24-slow-sign-in.md").read_text() == """\
---
title: "Slow sign-in"
impact: major
components:
  dashboard: major_outage
author: Giulia Rossi, Communications
next_update: 2026-11-24T12:30:00Z
---
Approved wording: some requests to Dashboard fail.

## Investigating · 2026-11-24 12:00 UTC
We are investigating problems with Dashboard; next update by 12:30 UTC.
"""
    checked = check(run, root, "--strict")
    assert checked.code == 0, checked.err
    # a template the site does not override comes from the package
    assert run("new", "maintenance", "Database upgrade", "--now", NOW_TEXT).code == 0
    drafted = (root / "maintenance" / "2026-12-01-database-upgrade.md").read_text()
    assert "During this window API will be unavailable or slower than usual." in drafted


# --- preview ---------------------------------------------------------------------------------------------

def test_preview_shows_each_notice_as_customers_read_it(root: Path, run: Callable[..., Result]) -> None:
    (root / MNT).write_text(edit(MAINTENANCE, "announced:", EARLIER + "announced:"))
    (root / RES).write_text(RESOLVED + "\n## Postmortem · 2026-11-12 09:00 UTC\n### What went wrong\nA <b>cert</b>.\n")
    (root / INC).write_text(edit(INCIDENT, "title: Elevated error rates on the API",
                                 "title: Elevated error rates on the API & <Dashboard>"))
    result = run("preview", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("## Status page preview: 3 notices\n\nAs customers will read it at 24 Nov 2026, 12:00 UTC "
                          "(13:00 CET).\n")
    assert ("### Incident: Elevated error rates on the API &amp; &lt;Dashboard&gt;\n\n**Identified** · Major impact · "
            "started 24 Nov 2026, 09:55 UTC (10:55 CET) · next update by 24 Nov 2026, 12:15 UTC (13:15 CET)\n\n"
            "Affected: API (partial outage)\n\n> About 30% of requests fail with HTTP 503 since 09:41 UTC.\n\n"
            "**Identified** · 24 Nov 2026, 10:32 UTC (11:32 CET)\n\n> We traced the errors to a failed database node."
            ) in out
    assert "— Giulia Rossi, Site Reliability\n\n<sub>incidents/2026-11-24-api-errors.md</sub>" in out
    assert ("### Maintenance: Database upgrade\n\n**Scheduled** · Wed 2 Dec 2026, 08:00–09:00 UTC (09:00–10:00 CET)"
            "\n\nAffected: Database (under maintenance)\n\n> The database is read-only for up to an hour.\n\n"
            "Moved on 19 Nov 2026, 09:00 UTC (10:00 CET) from Wed 25 Nov 22:00 CET to Wed 2 Dec 09:00 CET: "
            "A related change needs more verification.\n") in out
    assert "**Resolved** · Minor impact" in out
    assert ("**Postmortem** · 12 Nov 2026, 09:00 UTC (10:00 CET)\n\n> ### What went wrong\n"
            "> A &lt;b&gt;cert&lt;/b&gt;.") in out
    assert "<b>" not in out


def test_preview_lists_review_warnings_and_unpublished_notices(root: Path, run: Callable[..., Result]) -> None:
    (root / INC).write_text(edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Operations")
                            .replace("## Investigating · 2026-11-24 09:55", "## Investigating · 2026-11-24 13:00")
                            .replace("## Identified · 2026-11-24 10:32", "## Identified · 2026-11-24 14:00"))
    (root / MNT).write_text(edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00",
                                 "announced: 2026-11-25T08:00:00Z"))
    out = run("preview", "--now", NOW_TEXT).out
    # as it will first appear, at its first update
    assert "### Incident: Elevated error rates on the API\n\n**Investigating** · Major impact" in out
    assert "*Not published yet at this time: none of its updates is due.*" in out
    assert "*Not published yet at this time: it is announced 25 Nov 2026, 08:00 UTC (09:00 CET).*" in out
    assert "**Identified** · 24 Nov 2026, 14:00 UTC (15:00 CET) *(not shown until then)*" in out
    assert ("<details><summary>Review warnings</summary>\n\n- line 6: &#x27;Operations&#x27; is a generic signature "
            "[author]\n\n</details>") in out


# --- git: preview, check --format github, --changed-since ---------------------------------------------------

def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=On Call", "-c", "user.email=oncall@example.com", "-c", "commit.gpgsign=false",
               *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the base site in `status/`, committed on main, on a new branch `notice`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    top = tmp_path / "repo"
    status = top / "status"
    for name, text in {"site.yaml": SITE_YAML, **BASE}.items():  # no contact: a warning of site.yaml
        (status / name).parent.mkdir(parents=True, exist_ok=True)
        (status / name).write_text(text)
    (top / "README.md").write_text("The status site is in status/.\n")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "The status site")
    git(top, "checkout", "-q", "-b", "notice")
    monkeypatch.chdir(top)
    return top


def test_preview_changed_since_shows_only_changed_notices(repo: Path, run: Callable[..., Result]) -> None:
    status = repo / "status"
    nothing = run("preview", "--site", "status", "--changed-since", "main", "--now", NOW_TEXT)
    assert nothing.code == 0, nothing.err
    assert "## Status page preview: 0 notices" in nothing.out
    assert "No incident or maintenance notice is changed." in nothing.out
    (status / RES).write_text(edit(RESOLVED, "Signing in works again.", "Signing in works again for everyone."))
    git(repo, "commit", "-q", "-am", "A committed change")
    (status / MNT).write_text(edit(MAINTENANCE, "for up to an hour", "for up to two hours"))  # uncommitted
    (status / "incidents" / "2026-11-24-webhooks.md").write_text(  # untracked
        INCIDENT.replace("Elevated error rates on the API", "Webhooks delayed"))
    (repo / "README.md").write_text("Changed outside the site.\n")
    result = run("preview", "--site", "status", "--changed-since", "main", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    out = result.out
    assert "## Status page preview: 3 notices" in out
    assert "Signing in works again for everyone." in out
    assert "for up to two hours" in out
    assert "### Incident: Webhooks delayed" in out
    assert "Elevated error rates" not in out
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "More")
    git(repo, "checkout", "-q", "main")
    (status / INC).write_text(INCIDENT + "\nA later line on main.\n")
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "checkout", "-q", "notice")
    # against the merge base: what main did since is not this branch's change
    again = run("preview", "--site", "status", "--changed-since", "main", "--now", NOW_TEXT)
    assert "## Status page preview: 3 notices" in again.out and "Elevated error rates" not in again.out


def test_check_github_annotations_for_changed_notices(repo: Path, run: Callable[..., Result]) -> None:
    status = repo / "status"
    # On main already: a notice with a warning (never annotated here) and one with an error (always).
    (status / "incidents" / "2026-11-20-old.md").write_text(
        edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Operations"))
    (status / "incidents" / "2026-11-21-broken.md").write_text(edit(INCIDENT, "  api:", "  apii:"))
    git(repo, "checkout", "-q", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Older notices")
    git(repo, "checkout", "-q", "-b", "change")
    (status / INC).write_text(edit(INCIDENT, "We traced the errors", "We traced 100% of the errors"))  # uncommitted
    untracked = "incidents/2026-11-24-api,db.md"
    (status / untracked).write_text(edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Admin")
                                    .replace("We traced the errors to a failed database node.",
                                             "TODO: what: when, where"))
    result = run("check", "--site", "status", "--format", "github", "--changed-since", "main", "--now", NOW_TEXT)
    assert result.code == 1  # the error, wherever it is
    assert result.out.splitlines() == [
        "::warning file=status/incidents/2026-11-24-api%2Cdb.md,line=6,title=statuspress author::'Admin' is a "
        "generic signature; sign with a person's name or a named team, e.g. 'Giulia Rossi, Site Reliability'",
        "::warning file=status/incidents/2026-11-24-api%2Cdb.md,line=12,title=statuspress placeholder::"
        "a placeholder is left: what: when, where; replace it with the fact it asks for, or remove it",
        "::warning file=status/incidents/2026-11-24-api-errors.md,line=12,title=statuspress wording::"
        "'100%25' blames or over-promises; keep a neutral tone and promise only what you are sure of",
        "::error file=status/incidents/2026-11-21-broken.md,line=5,title=statuspress::unknown component 'apii'; "
        "did you mean 'api'? (components are listed in site.yaml)",
    ]
    assert result.err == "statuspress: check failed: 1 error, 3 warnings\n"
    # The same in text form: the same lines, with site-relative paths, on stderr.
    text = run("check", "--site", "status", "--changed-since", "main", "--now", NOW_TEXT)
    assert [line.split(": ")[0] for line in text.err.splitlines()[:-1]] == [
        f"{untracked}:6", f"{untracked}:12", f"{INC}:12", "incidents/2026-11-21-broken.md:5"]
    # Without --changed-since every warning is there, including site.yaml's.
    everything = run("check", "--site", "status", "--format", "github", "--now", NOW_TEXT)
    assert "::warning file=status/site.yaml,line=1,title=statuspress contact::" in everything.out
    assert "file=status/incidents/2026-11-20-old.md,line=6,title=statuspress author::" in everything.out


def test_check_github_from_inside_the_site_folder(repo: Path, run: Callable[..., Result],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "status")
    (repo / "status" / "site.yaml").write_text(CONFIG.replace("Test Status", "Test Status (new name)"))
    result = run("check", "--format", "github", "--changed-since", "main", "--now", NOW_TEXT)
    assert result.code == 0, result.err
    assert result.out == ""  # site.yaml changed, and it has a contact now: nothing to say
    (repo / "status" / "site.yaml").write_text(SITE_YAML + "# changed\n")
    result = run("check", "--format", "github", "--changed-since", "main", "--now", NOW_TEXT)
    assert result.out == ("::warning file=status/site.yaml,line=1,title=statuspress contact::the site gives no email, "
                          "phone or URL to reach a person; add 'contact: {email: …}'\n")


@pytest.mark.parametrize("command", ["check", "preview"])
def test_changed_since_an_unknown_ref(repo: Path, run: Callable[..., Result], command: str) -> None:
    result = run(command, "--site", "status", "--changed-since", "no-such-branch", "--now", NOW_TEXT)
    assert result.code == 2
    assert result.out == ""
    assert ("statuspress: error: --changed-since: unknown git ref 'no-such-branch'; name a branch, tag or commit, "
            "and fetch it first (e.g. git fetch origin main)") in result.err
    option = run(command, "--site", "status", "--changed-since=--output=x", "--now", NOW_TEXT)
    assert option.code == 2 and "unknown git ref '--output=x'" in option.err
    assert not (repo / "x").exists() and not (repo / "status" / "x").exists()


def test_changed_since_outside_a_git_repository(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site(BASE, CONFIG)
    if subprocess.run(["git", "rev-parse"], cwd=root, capture_output=True, check=False).returncode == 0:
        pytest.skip("the temporary folder is inside a git repository")
    result = run("check", "--site", str(root), "--changed-since", "main", "--now", NOW_TEXT)
    assert result.code == 2
    assert f"statuspress: error: --changed-since: {root} is not in a git repository" in result.err
