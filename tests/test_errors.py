"""One test per message of `statuspress check`: exact file, line, text and hint, and the exit status.

Every case starts from a small site that checks clean (`test_the_base_site_is_clean`), changes one
thing, and compares the whole of stderr line by line, so a wrong line number, a changed wording or a
lost hint fails the test. Messages are printed as `path:line: severity: message; hint`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import Result as CliResult
from statuspress import load
from statuspress.cli import main
from statuspress.load import load_notice
from statuspress.model import Component, Kind, Limits, SiteConfig

NOW = "2026-11-24T12:00:00Z"

SITE_YAML = """\
name: Example Status
url: https://status.example.com/
time_zone: Europe/Rome
contact:
  email: support@example.com
components:
  - id: api
    name: API
  - id: dashboard
    name: Dashboard
    group: Web
"""
# line:  1 name  2 url  3 time_zone  4 contact  5 email  6 components  7 - id: api  8 name: API
#        9 - id: dashboard  10 name: Dashboard  11 group: Web

INC = "incidents/2026-11-18-api-errors.md"
INCIDENT = """\
---
title: Elevated error rates on the API
impact: major
components:
  api: partial_outage
  dashboard: degraded_performance
author: Giulia Rossi, Site Reliability
started: 2026-11-18T09:41:00Z
---
About 30% of API requests fail with HTTP 503 since 09:41 UTC.

## Identified · 2026-11-18 10:32 UTC
We traced the errors to a failed database node.

## Investigating · 2026-11-18 09:55 UTC
We are investigating elevated error rates on the API.
"""
# line:  1 ---  2 title  3 impact  4 components  5 api  6 dashboard  7 author  8 started  9 ---
#       10 summary  12 ## Identified  13 text  15 ## Investigating  16 text  (text appended
#       as "\n## ..." puts its heading on line 18)

MNT = "maintenance/2026-12-02-database-upgrade.md"
MAINTENANCE = """\
---
title: Database upgrade
components:
  api: under_maintenance
  dashboard: degraded_performance
window:
  start: 2026-12-02T09:00:00+01:00
  end: 2026-12-02T10:00:00+01:00
author: Marco Bianchi, Platform team
rescheduled:
  - from: {start: 2026-11-25T22:00:00+01:00, end: 2026-11-25T23:00:00+01:00}
    on: 2026-11-24T10:00:00+01:00
    reason: A related change needs another week of verification.
announced: 2026-11-18T15:00:00+01:00
---
The API is read-only for up to an hour; the dashboard is slow.
"""
# line:  1 ---  2 title  3 components  4 api  5 dashboard  6 window  7 start  8 end  9 author
#       10 rescheduled  11 - from  12 on  13 reason  14 announced  15 ---  16 text  (appended: 18)

DEFAULT_FILES: dict[str, str | bytes | None] = {"site.yaml": SITE_YAML, INC: INCIDENT, MNT: MAINTENANCE}
LINE = re.compile(r"^(site\.yaml|incidents/\S.*|maintenance/\S.*|templates\S*):\d+: (error|warning): \S.*$")
# Review-rule warnings (`… [rule-id]`, another issue) are tested with their rules, not here.
RULE = re.compile(r" \[[a-z-]+\]$")


def edit(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once, so a case cannot silently stop applying."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """Every problem line, without the closing `statuspress: …` summary."""
        return [line for line in self.err.splitlines() if not line.startswith("statuspress: ")]

    @property
    def problems(self) -> list[str]:
        """The problem lines of loading and validation: without review-rule warnings."""
        return [line for line in self.lines if not RULE.search(line)]

    @property
    def summary(self) -> str:
        return [line for line in self.err.splitlines() if line.startswith("statuspress: ")][-1]


@dataclass
class Scratch:
    """A site folder in tmp_path and a way to run the CLI on it in-process."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    def write(self, files: dict[str, str | bytes | None]) -> None:
        """Write the base site with `files` laid over it; None leaves a file out."""
        for name, text in {**DEFAULT_FILES, **files}.items():
            if text is None:
                continue
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    def run(self, *args: str) -> Run:
        self.capsys.readouterr()
        try:
            status = main([*args, "--site", str(self.root), "--now", NOW])
        except SystemExit as exc:  # argparse and UsageError leave through parser.exit
            status = int(exc.code or 0)
        captured = self.capsys.readouterr()
        result = Run(status, captured.out, captured.err)
        assert "Traceback" not in result.err + result.out
        for line in result.lines:
            assert LINE.match(line), f"not a 'path:line: severity: message' line: {line!r}"
        return result

    def check(self, files: dict[str, str | bytes | None] | None = None) -> Run:
        self.write(files or {})
        return self.run("check")


@pytest.fixture
def scratch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Scratch:
    return Scratch(tmp_path, capsys)


def counts(result: Run, errors: int, warnings: int) -> str:
    """The `N errors, M warnings` of the summary, counting review-rule warnings as well."""
    warnings += len(result.lines) - len(result.problems)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def expect(scratch: Scratch, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    """Check the site and compare every problem line; the status follows from the severities."""
    result = scratch.check(files)
    expected = [line.replace("<root>", str(scratch.root)) for line in expected]
    assert result.problems == expected
    errors = sum(": error: " in line for line in expected)
    assert result.status == (1 if errors else 0)
    assert result.summary.endswith(f": {counts(result, errors, len(expected) - errors)}")


def test_the_base_site_is_clean(scratch: Scratch) -> None:
    result = scratch.check()
    assert (result.status, result.problems) == (0, [])
    assert result.summary == f"statuspress: checked 2 notices: {counts(result, 0, 0)}"


# --- site.yaml (config.py) -------------------------------------------------------------------

SITE_HEAD = SITE_YAML.split("components:")[0]  # lines 1-5

CONFIG_CASES = [
    pytest.param(
        {"site.yaml": None},
        ["site.yaml:1: error: no site.yaml in <root>; run in the site folder or pass --site DIR"],
        id="missing-site-yaml",
    ),
    pytest.param(
        {"site.yaml": None, "site.yaml/README": "a folder, not a file"},
        ["site.yaml:1: error: cannot read site.yaml: Is a directory"],
        id="site-yaml-unreadable",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML.encode().replace(b"name: API", b"name: \xc0PI")},
        ["site.yaml:8: error: not UTF-8: byte 0xc0 at offset 149; save the file as UTF-8"],
        id="site-yaml-not-utf8",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "time_zone: Europe/Rome", "time_zone: Europe/Rome: CET")},
        ["site.yaml:3: error: YAML syntax error: mapping values are not allowed here; "
         "a value containing ': ' must be quoted, e.g. title: \"API: errors\""],
        id="yaml-syntax-error",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "url:", "\turl:")},
        ["site.yaml:2: error: YAML syntax error: found character '\\t' that cannot start any token; "
         "indent with spaces, not tabs"],
        id="yaml-tab",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "name: Example Status", 'name: "Example Status')},
        ["site.yaml:1: error: YAML syntax error: while scanning a quoted scalar, found unexpected end of stream; "
         "the quote opened on this line is not closed"],
        id="yaml-unclosed-quote",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "contact:\n", "---\ncontact:\n")},
        ["site.yaml:4: error: YAML syntax error: expected a single document in the stream but found another "
         "document; keep one '---' block; a second one starts on this line"],
        id="yaml-two-documents",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "name: Another Status\n"},
        ["site.yaml:12: error: duplicate key 'name'; it already stands on line 1; keep one"],
        id="duplicate-key",
    ),
    pytest.param(
        {"site.yaml": "- api\n- dashboard\n"},
        ["site.yaml:1: error: site.yaml must be a mapping of 'name: value' fields"],
        id="not-a-mapping",
    ),
    pytest.param(
        {"site.yaml": ""},
        ["site.yaml:1: error: site.yaml must be a mapping of 'name: value' fields"],
        id="empty",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "name: Example Status\n", "")},
        ["site.yaml:1: error: missing required field 'name' in site.yaml; add 'name: …'"],
        id="missing-name",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "url: https://status.example.com/\n", "")},
        ["site.yaml:1: error: missing required field 'url' in site.yaml; add 'url: …'"],
        id="missing-url",
    ),
    pytest.param(
        {"site.yaml": SITE_HEAD},
        ["site.yaml:1: error: missing required field 'components' in site.yaml; add 'components: …'"],
        id="missing-components",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "url: https://status.example.com/", "url:")},
        ["site.yaml:2: error: missing required field 'url' in site.yaml; add 'url: …'"],
        id="empty-url",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "time_zone:", "time_zon:")},
        ["site.yaml:3: error: unknown field 'time_zon' in site.yaml; did you mean 'time_zone'?"],
        id="unknown-field",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "colour: blue\n"},
        ["site.yaml:12: error: unknown field 'colour' in site.yaml; expected one of: name, url, description, "
         "time_zone, language, contact, components, recent_days, history_per_page, check, repository, uptime, "
         "limits"],
        id="unknown-field-no-suggestion",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "name: Example Status", "name: [Example Status]")},
        ["site.yaml:1: error: 'name' must be text; quote it if it is"],
        id="name-not-text",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "https://status.example.com/", "status.example.com")},
        ["site.yaml:2: error: 'url' must be an absolute http(s) URL, not 'status.example.com'; "
         "e.g. url: https://status.example.com/"],
        id="bad-url",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "Europe/Rome", "Europe/Rom")},
        ["site.yaml:3: error: unknown time zone 'Europe/Rom'; did you mean 'Europe/Rome'?"],
        id="unknown-time-zone",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "Europe/Rome", "Mars/Olympus_Mons")},
        ["site.yaml:3: error: unknown time zone 'Mars/Olympus_Mons'; use an IANA name such as Europe/Rome or UTC"],
        id="unknown-time-zone-no-suggestion",
    ),
    pytest.param(
        # A folder of the zone database, not a zone: used to escape as IsADirectoryError.
        {"site.yaml": edit(SITE_YAML, "Europe/Rome", "Europe")},
        ["site.yaml:3: error: unknown time zone 'Europe'; did you mean 'Europe/Rome'?"],
        id="time-zone-is-a-folder",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "id: dashboard", "id: api")},
        ["site.yaml:9: error: component id 'api' is used twice; it is already on line 7"],
        id="duplicate-component-id",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "id: dashboard", "id: Web App")},
        ["site.yaml:9: error: component id 'Web App' is not a simple name; "
         "use lower-case letters, digits, '-' and '_', e.g. api or web-app"],
        id="bad-component-id",
    ),
    pytest.param(
        {"site.yaml": SITE_HEAD + "components: api, dashboard\n"},
        ["site.yaml:6: error: 'components' must be a list of {id, name} entries; "
         "e.g. components: [{id: api, name: API}, {id: web, name: Website}]"],
        id="components-not-a-list",
    ),
    pytest.param(
        {"site.yaml": SITE_HEAD + "components: []\n"},
        ["site.yaml:6: error: 'components' must be a list of {id, name} entries; "
         "e.g. components: [{id: api, name: API}, {id: web, name: Website}]"],
        id="components-empty",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "  - id: api\n    name: API\n", "  - api\n")},
        ["site.yaml:7: error: component 1 must be a mapping of 'name: value' fields"],
        id="component-not-a-mapping",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "    group: Web", "    grup: Web")},
        ["site.yaml:11: error: unknown field 'grup' in component 2; did you mean 'group'?"],
        id="component-unknown-field",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "    name: Dashboard\n", "")},
        ["site.yaml:9: error: missing required field 'name' in component 2; add 'name: …'"],
        id="component-missing-name",
    ),
    pytest.param(
        {"site.yaml": edit(edit(SITE_YAML, "  - id: api\n", "  - name: API\n"), "    name: API\n", "")
         + "  - name: Webhooks\n"},
        # Two components without an id are two missing ids, not also an id '' used twice.
        ["site.yaml:7: error: missing required field 'id' in component 1; add 'id: …'",
         "site.yaml:11: error: missing required field 'id' in component 3; add 'id: …'"],
        id="components-missing-ids",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "recent_days: 0\n"},
        ["site.yaml:12: error: 'recent_days' must be a whole number above 0, not '0'"],
        id="bad-recent-days",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "history_per_page: many\n"},
        ["site.yaml:12: error: 'history_per_page' must be a whole number above 0, not 'many'"],
        id="bad-history-per-page",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "contact:\n  email: support@example.com", "contact: support@example.com")},
        ["site.yaml:4: error: 'contact' must be a mapping of 'name: value' fields"],
        id="contact-not-a-mapping",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "  email:", "  mail:")},
        ["site.yaml:5: error: unknown field 'mail' in 'contact'; did you mean 'email'?"],
        id="contact-unknown-field",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CONFIG_CASES)
def test_site_yaml_errors(scratch: Scratch, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    expect(scratch, files, expected)


def test_site_yaml_errors_are_all_reported_together(scratch: Scratch) -> None:
    broken = edit(edit(SITE_YAML, "Europe/Rome", "Mars/Olympus_Mons"), "id: dashboard", "id: api")
    expect(scratch, {"site.yaml": "name: [x]\n" + broken.split("\n", 1)[1] + "recent_days: -1\n"}, [
        "site.yaml:1: error: 'name' must be text; quote it if it is",
        "site.yaml:3: error: unknown time zone 'Mars/Olympus_Mons'; use an IANA name such as Europe/Rome or UTC",
        "site.yaml:9: error: component id 'api' is used twice; it is already on line 7",
        "site.yaml:12: error: 'recent_days' must be a whole number above 0, not '-1'",
    ])


# --- YAML in a notice's front matter (yamlsource.py) ---------------------------------------------

YAML_CASES = [
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates on the API", "title: API: elevated error rates")},
        [f"{INC}:2: error: YAML syntax error: mapping values are not allowed here; "
         "a value containing ': ' must be quoted, e.g. title: \"API: errors\""],
        id="syntax-error",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "  dashboard: degraded_performance", "  dashboard degraded_performance")},
        [f"{INC}:6: error: YAML syntax error: could not find expected ':'; every field is written 'name: value'"],
        id="missing-colon",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "author: Giulia", "author: 'Giulia")},
        [f"{INC}:7: error: YAML syntax error: while scanning a quoted scalar, found unexpected end of stream; "
         "the quote opened on this line is not closed"],
        id="unclosed-quote",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "components:\n", "components: {api: partial_outage\n")},
        [f"{INC}:5: error: YAML syntax error: expected ',' or '}}', but got ':'; "
         "check the indentation and quoting on this line or the one before"],
        id="unclosed-brace",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z\n", "started: 2026-11-18T09:41:00Z\nimpact: minor\n")},
        [f"{INC}:9: error: duplicate key 'impact'; it already stands on line 3; keep one"],
        id="duplicate-key",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "  api: partial_outage\n", "  api: partial_outage\n  api: major_outage\n")},
        [f"{INC}:6: error: duplicate key 'api'; it already stands on line 5; keep one"],
        id="duplicate-nested-key",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "Giulia Rossi", "Giulia\x07Rossi")},
        [f"{INC}:7: error: the character U+0007 is not allowed here; delete it; it is usually invisible in an editor"],
        id="control-character",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "impact: major", "impact: " + "[" * 5000)},
        [f"{INC}:2: error: YAML syntax error: the values are nested too deeply; look for an unclosed '[' or '{{'"],
        id="nested-too-deeply",
    ),
]


@pytest.mark.parametrize(("files", "expected"), YAML_CASES)
def test_front_matter_yaml_errors(scratch: Scratch, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    expect(scratch, files, expected)


# --- the body of a notice (sections.py) ----------------------------------------------------------

SECTION_CASES = [
    pytest.param(
        {INC: INCIDENT.removeprefix("---\n")},
        [f"{INC}:1: error: missing front matter: the file must start with a line '---'; "
         "put '---', the fields (title, …), then '---' above the text"],
        id="missing-front-matter",
    ),
    pytest.param(
        {INC: ""},
        [f"{INC}:1: error: the file is empty; "
         "a notice starts with '---', its fields (title, …) and '---', then the text"],
        id="empty-file",
    ),
    pytest.param(
        {INC: "\ufeff\r\n \t\n\n"},  # only a byte-order mark and white space is empty too
        [f"{INC}:1: error: the file is empty; "
         "a notice starts with '---', its fields (title, …) and '---', then the text"],
        id="blank-file",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z\n---\n", "started: 2026-11-18T09:41:00Z\n")},
        [f"{INC}:1: error: the front matter is not closed; add a line '---' after the last field"],
        id="front-matter-not-closed",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "## Identified · 2026", "## Identified 2026")},
        [f"{INC}:12: error: cannot read the update heading '## Identified 2026-11-18 10:32 UTC'; "
         "write '## <Status> · <time>', e.g. '## Investigating · 2026-11-18 10:32 UTC'"],
        id="heading-unreadable",
    ),
    pytest.param(
        {MNT: MAINTENANCE + "\n## Started at 09:00 UTC\nWe began.\n"},
        [f"{MNT}:18: error: cannot read the update heading '## Started at 09:00 UTC'; "
         "write '## <Status> · <time>', e.g. '## In progress · 2026-11-18 10:32 UTC'"],
        id="maintenance-heading-unreadable",
    ),
    pytest.param(
        {INC: INCIDENT + "\n## Next steps\nWe will publish a postmortem.\n"},
        [f"{INC}:18: error: the level-2 heading '## Next steps' is not an update; "
         "use '### Next steps' for a sub-heading, or '## <Status> · <time>' for an update"],
        id="heading-not-an-update",
    ),
    pytest.param(
        # The '-' is a separator, but 'up actions' is no time: prose, not a misspelt status 'Follow'.
        {INC: INCIDENT + "\n## Follow-up actions\n- [ ] Add an alert.\n"},
        [f"{INC}:18: error: the level-2 heading '## Follow-up actions' is not an update; "
         "use '### Follow-up actions' for a sub-heading, or '## <Status> · <time>' for an update"],
        id="hyphenated-heading-not-an-update",
    ),
    pytest.param(
        {INC: INCIDENT + "\n## What's next?\nA postmortem.\n"},
        [f"{INC}:18: error: the level-2 heading '## What's next?' is not an update; "
         "use '### What's next?' for a sub-heading, or '## <Status> · <time>' for an update"],
        id="punctuated-heading-not-an-update",
    ),
    pytest.param(
        {MNT: MAINTENANCE + "\n## Postmortem\nA maintenance has none.\n"},
        [f"{MNT}:18: error: the level-2 heading '## Postmortem' is not an update; "
         "use '### Postmortem' for a sub-heading, or '## <Status> · <time>' for an update"],
        id="postmortem-in-maintenance",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "## Identified ·", "## Identifed ·")},
        [f"{INC}:12: error: unknown update status 'Identifed'; did you mean 'identified'?"],
        id="unknown-status",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "## Identified ·", "## Escalated ·")},
        [f"{INC}:12: error: unknown update status 'Escalated'; "
         "expected one of: investigating, identified, monitoring, update, resolved, postmortem"],
        id="unknown-status-no-suggestion",
    ),
    pytest.param(
        {MNT: MAINTENANCE + "\n## In progres · 2026-12-02 09:00 +01:00\nStarted.\n"},
        [f"{MNT}:18: error: unknown update status 'In progres'; did you mean 'in progress'?"],
        id="maintenance-unknown-status",
    ),
    pytest.param(
        {INC: INCIDENT + "\n## Resolved\nAll is well.\n"},
        [f"{INC}:18: error: the update heading '## Resolved' has no time; "
         "add it after one of ·, -, –, — or |, e.g. '## Resolved · 2026-11-18 10:32 UTC'"],
        id="heading-without-time",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "## Identified · 2026-11-18 10:32 UTC", "## Identified ·")},
        [f"{INC}:12: error: the update heading '## Identified ·' has no time; "
         "add it after one of ·, -, –, — or |, e.g. '## Identified · 2026-11-18 10:32 UTC'"],
        id="heading-separator-without-time",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "10:32 UTC", "10:32")},
        [f"{INC}:12: error: update heading: the time '2026-11-18 10:32' has no time zone; "
         "add 'UTC', 'Z' or an offset such as +01:00"],
        id="heading-time-without-zone",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "2026-11-18 10:32 UTC", "2026-11-18")},
        [f"{INC}:12: error: update heading: '2026-11-18' is a date without a time; add the time and zone, "
         "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"],
        id="heading-date-without-time",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "10:32 UTC", "25:32 UTC")},
        [f"{INC}:12: error: update heading: '2026-11-18 25:32 UTC' is not a valid time: hour must be in 0..23; "
         "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"],
        id="heading-impossible-time",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "2026-11-18 10:32 UTC", "half past ten")},
        [f"{INC}:12: error: update heading: cannot read the time 'half past ten'; "
         "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"],
        id="heading-unreadable-time",
    ),
    pytest.param(
        {INC: INCIDENT + "\n## Postmortem\nA disk filled up.\n\n## Postmortem · 2026-11-20 10:00 UTC\nAgain.\n"},
        [f"{INC}:21: error: a second '## Postmortem' section; merge it into the one on line 18"],
        id="second-postmortem",
    ),
    pytest.param(
        {INC: INCIDENT + "\nRoot cause\n---\nA disk filled up.\n"},
        [f"{INC}:19: error: an underlined level-2 heading that is not an update; "
         "use '### Heading' for a sub-heading, or a blank line before '---' for a rule"],
        id="setext-heading",
    ),
    pytest.param(
        {INC: INCIDENT + "\n# Details\nMore.\n"},
        [f"{INC}:18: warning: a level-1 heading in the text; "
         "the page title comes from 'title'; use '###' for a sub-heading"],
        id="level-1-heading-is-a-warning",
    ),
]


@pytest.mark.parametrize(("files", "expected"), SECTION_CASES)
def test_body_errors(scratch: Scratch, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    expect(scratch, files, expected)


@pytest.mark.parametrize("text", [
    pytest.param("\n```\n$ df -h\n```\n---\nA rule after code.\n", id="rule-after-fence"),
    pytest.param("\n### Root cause\nA disk filled up.\n\n---\n\nA rule.\n", id="rule-after-blank-line"),
    pytest.param("\n```\n## Not a heading · in code\n# nor this\n```\n", id="headings-in-code"),
    pytest.param("\n## Postmortem · 2026-11-20 10:00 UTC\n- [x] Alert on disk space\n", id="postmortem"),
    pytest.param("\n## MONITORING — 2026-11-18T11:00:00+01:00\nA fix is out.\n", id="any-case-and-separator"),
])
def test_body_forms_that_are_not_problems(scratch: Scratch, text: str) -> None:
    expect(scratch, {INC: INCIDENT + text}, [])


# --- fields of a notice (load.py, validate.py) ---------------------------------------------------

LOAD_CASES = [
    pytest.param(
        {INC: INCIDENT.encode().replace(b"We traced", b"We tr\xe4ced")},
        [f"{INC}:13: error: not UTF-8: byte 0xe4 at offset 304; save the file as UTF-8"],
        id="not-utf8",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "author:", "autor:")},
        [f"{INC}:7: error: unknown field 'autor' in the front matter; did you mean 'author'?"],
        id="unknown-field",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "announced:", "published:")},
        [f"{MNT}:14: error: unknown field 'published' in the front matter; "
         "expected one of: title, components, window, author, rescheduled, announced, id"],
        id="unknown-field-no-suggestion",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates on the API\n", "")},
        [f"{INC}:1: error: missing required field 'title' in the front matter; add 'title: …'"],
        id="missing-title",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "impact: major\n", "")},
        [f"{INC}:1: error: missing required field 'impact' in the front matter; add 'impact: …'"],
        id="missing-impact",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "components:\n  api: partial_outage\n  dashboard: degraded_performance\n", "")},
        [f"{INC}:1: error: missing required field 'components' in the front matter; add 'components: …'"],
        id="missing-components",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n", "")},
        [f"{MNT}:1: error: missing required field 'window' in the front matter; add 'window: …'"],
        id="missing-window",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "impact: major", "impact:")},
        [f"{INC}:3: error: missing required field 'impact' in the front matter; add 'impact: …'"],
        id="empty-impact",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "impact: major", "impact: ''")},
        [f"{INC}:3: error: missing required field 'impact' in the front matter; add 'impact: …'"],
        id="empty-string-impact",
    ),
    pytest.param(
        {INC: "---\n- title\n- impact\n---\n## Investigating · 2026-11-18 09:55 UTC\nText.\n"},
        [f"{INC}:1: error: the front matter must be a mapping of 'name: value' fields"],
        id="front-matter-not-a-mapping",
    ),
    pytest.param(
        {INC: "---\n---\n## Investigating · 2026-11-18 09:55 UTC\nText.\n"},
        [f"{INC}:1: error: the front matter must be a mapping of 'name: value' fields"],
        id="front-matter-empty",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates on the API", "title: [Elevated error rates]")},
        [f"{INC}:2: error: 'title' must be text; quote it if it is"],
        id="title-not-text",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "impact: major", "impact: majr")},
        [f"{INC}:3: error: 'impact' cannot be 'majr'; did you mean 'major'?"],
        id="invalid-impact",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "impact: major", "impact: high")},
        [f"{INC}:3: error: 'impact' cannot be 'high'; expected one of: none, minor, major, critical"],
        id="invalid-impact-no-suggestion",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "  dashboard:", "  dashbord:")},
        [f"{INC}:6: error: unknown component 'dashbord'; did you mean 'dashboard'? "
         "(components are listed in site.yaml)"],
        id="unknown-component",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "  dashboard:", "  webhooks:")},
        [f"{MNT}:5: error: unknown component 'webhooks'; expected one of: api, dashboard "
         "(components are listed in site.yaml)"],
        id="unknown-component-no-suggestion",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "api: partial_outage", "api: partial")},
        [f"{INC}:5: error: 'api' cannot be 'partial'; did you mean 'partial_outage'?"],
        id="invalid-component-status",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "api: partial_outage", "api: operational")},
        [f"{INC}:5: error: 'api' cannot be 'operational'; "
         "expected one of: degraded_performance, partial_outage, major_outage"],
        id="operational-in-incident",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "api: under_maintenance", "api:")},
        [f"{MNT}:4: error: 'api' is empty; "
         "expected one of: under_maintenance, degraded_performance, partial_outage, major_outage"],
        id="empty-component-status",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "api: partial_outage", "api: under_maintenance")},
        [f"{INC}:5: error: an incident cannot put a component under_maintenance; "
         "use degraded_performance, partial_outage or major_outage, or write a maintenance notice"],
        id="incident-under-maintenance",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "components:\n  api: partial_outage\n  dashboard: degraded_performance\n",
                   "components: [api, dashboard]\n")},
        [f"{INC}:4: error: 'components' must map component ids to their status; "
         "e.g. components: {api: partial_outage}"],
        id="components-not-a-mapping",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z", "started: 2026-11-18T09:41:00")},
        [f"{INC}:8: error: 'started': the time '2026-11-18T09:41:00' has no time zone; "
         "add 'UTC', 'Z' or an offset such as +01:00"],
        id="time-without-zone",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00", "  end: 2026-12-02 10:00")},
        [f"{MNT}:8: error: 'end': the time '2026-12-02 10:00' has no time zone; "
         "add 'UTC', 'Z' or an offset such as +01:00"],
        id="window-time-without-zone",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z", "started: 2026-11-18")},
        [f"{INC}:8: error: 'started': '2026-11-18' is a date without a time; add the time and zone, "
         "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"],
        id="date-without-time",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00", "announced: 2026-11-18")},
        [f"{MNT}:14: error: 'announced': '2026-11-18' is a date without a time; add the time and zone, "
         "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"],
        id="announced-date-without-time",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z", "next_update: in an hour")},
        [f"{INC}:8: error: 'next_update': cannot read the time 'in an hour'; "
         "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"],
        id="unreadable-time",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "end: 2026-12-02T10:00", "end: 2026-12-02T08:00")},
        [f"{MNT}:6: error: the window ends before it starts; start 2026-12-02 08:00 UTC, end 2026-12-02 07:00 UTC"],
        id="window-ends-before-it-starts",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "end: 2026-12-02T10:00:00+01:00", "end: 2026-12-02T08:00:00Z")},
        [f"{MNT}:6: error: the window ends when it starts; start 2026-12-02 08:00 UTC, end 2026-12-02 08:00 UTC"],
        id="window-of-no-length",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00\n", "")},
        [f"{MNT}:6: error: missing required field 'end' in 'window'; add 'end: …'"],
        id="window-without-end",
    ),
    pytest.param(
        # `window: {}` used to drop the notice without a word and exit 0.
        {MNT: edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                   "window: {}\n")},
        [f"{MNT}:6: error: missing required field 'start' in 'window'; add 'start: …'",
         f"{MNT}:6: error: missing required field 'end' in 'window'; add 'end: …'"],
        id="window-empty",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "window:\n  start: 2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00\n",
                   "window: 2026-12-02T09:00:00+01:00\n")},
        [f"{MNT}:6: error: 'window' must be a mapping of 'name: value' fields"],
        id="window-not-a-mapping",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "end: 2026-11-25T23:00:00+01:00}", "end: 2026-11-25T21:00:00+01:00}")},
        [f"{MNT}:11: error: the window ends before it starts; start 2026-11-25 21:00 UTC, end 2026-11-25 20:00 UTC"],
        id="moved-window-ends-before-it-starts",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "    on: 2026-11-24T10:00:00+01:00", "    on: 2026-11-24 10:00")},
        [f"{MNT}:12: error: 'on': the time '2026-11-24 10:00' has no time zone; "
         "add 'UTC', 'Z' or an offset such as +01:00"],
        id="move-time-without-zone",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "rescheduled:\n  - from:", "rescheduled: 2026-11-25\nold:\n  - from:")},
        [f"{MNT}:10: error: 'rescheduled' must be a list of earlier windows; "
         "e.g. - {from: {start: …, end: …}, on: …, reason: …}",
         f"{MNT}:11: error: unknown field 'old' in the front matter; "
         "expected one of: title, components, window, author, rescheduled, announced, id"],
        id="rescheduled-not-a-list",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "rescheduled:\n", "rescheduled:\n  - 2026-11-20T10:00:00Z\n")},
        [f"{MNT}:11: error: move 1 must be a mapping of 'name: value' fields"],
        id="move-not-a-mapping",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "    reason:", "    reasn:")},
        [f"{MNT}:13: error: unknown field 'reasn' in move 1; did you mean 'reason'?"],
        id="move-unknown-field",
    ),
    pytest.param(
        # One error for a missing 'from', not a second one about 'from' not being a mapping.
        {MNT: edit(MAINTENANCE, "  - from: {start: 2026-11-25T22:00:00+01:00, end: 2026-11-25T23:00:00+01:00}\n    on:",
                   "  - on:")},
        [f"{MNT}:11: error: missing required field 'from' in move 1; add 'from: …'"],
        id="move-without-from",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "    on: 2026-11-24T10:00:00+01:00\n", "")},
        [f"{MNT}:11: error: missing required field 'on' in move 1; add 'on: …'"],
        id="move-without-on",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "{start: 2026-11-25T22:00:00+01:00, end: 2026-11-25T23:00:00+01:00}",
                   "{start: 2026-11-25T22:00:00+01:00}")},
        [f"{MNT}:11: error: missing required field 'end' in 'from'; add 'end: …'"],
        id="moved-window-without-end",
    ),
    pytest.param(
        {"incidents/2026-11-18 API errors.md": INCIDENT},
        ["incidents/2026-11-18 API errors.md:1: warning: the file name gives the URL incidents/2026-11-18-api-errors/; "
         "name notice files with letters a-z, digits and '-' only, e.g. 2026-11-18-api-errors.md",
         f"{INC}:1: error: gives the same URL incidents/2026-11-18-api-errors/ as incidents/2026-11-18 API errors.md; "
         "rename one of the two files"],
        id="same-url",
    ),
    pytest.param(
        {INC: INCIDENT.split("\n## ")[0] + "\n"},
        [f"{INC}:10: error: an incident needs at least one update section; "
         "add e.g. '## Investigating · 2026-11-18 09:55 UTC' and a sentence below it"],
        id="incident-without-updates",
    ),
    pytest.param(
        # Reported together with the other problems of the file, not only when it is the only one.
        {INC: edit(INCIDENT.split("\n## ")[0] + "\n", "impact: major", "impact: majr")},
        [f"{INC}:3: error: 'impact' cannot be 'majr'; did you mean 'major'?",
         f"{INC}:10: error: an incident needs at least one update section; "
         "add e.g. '## Investigating · 2026-11-18 09:55 UTC' and a sentence below it"],
        id="incident-without-updates-and-another-error",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z", "started: 2026-11-18T10:41:00+01:00")
         .replace("## Investigating · 2026-11-18 09:55 UTC", "## Investigating · 2026-11-18 09:35 UTC")},
        [f"{INC}:8: error: 'started' is later than the first update; "
         "the first update is at 2026-11-18 09:35 UTC; customers were affected before"],
        id="started-after-first-update",
    ),
    pytest.param(
        {"incidents/notes.txt": "Ideas for the next postmortem.\n"},
        ["incidents/notes.txt:1: warning: not a .md file; skipped; notices are Markdown files ending in .md"],
        id="not-a-md-file",
    ),
    pytest.param(
        {INC: INCIDENT + "\n## Resolved · 2026-11-24 14:00 +01:00\nFixed.\n"},
        [f"{INC}:18: warning: this update is dated 2026-11-24 13:00 UTC, after now; it stays hidden until then; "
         "check the time zone of its heading"],
        id="future-update",
    ),
    pytest.param(
        {MNT: MAINTENANCE + "\n## Completed · 2026-11-24 12:05:01 UTC\nDone.\n"},
        [f"{MNT}:18: warning: this update is dated 2026-11-24 12:05 UTC, after now; it stays hidden until then; "
         "check the time zone of its heading"],
        id="future-update-just-over-five-minutes",
    ),
    pytest.param(
        {MNT: MAINTENANCE + "\n## Update · 2026-11-24 12:05 UTC\nOn track.\n"},
        [],
        id="update-five-minutes-ahead-is-fine",
    ),
    pytest.param(
        {INC: "\ufeff" + edit(INCIDENT, "impact: major", "impact: majr").replace("\n", "\r\n")},
        [f"{INC}:3: error: 'impact' cannot be 'majr'; did you mean 'major'?"],
        id="bom-and-crlf-keep-line-numbers",
    ),
]


@pytest.mark.parametrize(("files", "expected"), LOAD_CASES)
def test_notice_errors(scratch: Scratch, files: dict[str, str | bytes | None], expected: list[str]) -> None:
    expect(scratch, files, expected)


def test_unreadable_notice(scratch: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    read_file = load.read_file

    def refuse(path: str) -> bytes:
        if Path(path).name == Path(INC).name:
            raise PermissionError(13, "Permission denied", path)
        return read_file(path)

    monkeypatch.setattr(load, "read_file", refuse)
    expect(scratch, {}, [f"{INC}:1: error: cannot read the file: Permission denied"])


# --- whole runs ----------------------------------------------------------------------------------

def test_every_problem_in_every_file_is_reported_in_one_run(scratch: Scratch) -> None:
    files: dict[str, str | bytes | None] = {
        INC: edit(edit(INCIDENT, "impact: major", "impact: majr"), "## Identified ·", "## Identifed ·"),
        MNT: edit(MAINTENANCE, "end: 2026-12-02T10:00", "end: 2026-12-02T08:00"),
        "incidents/2026-11-20-login.md": "Sign-in fails for some users.\n",
        "maintenance/2026-12-09-network.md": edit(MAINTENANCE, "api: under_maintenance", "apii: under_maintenance"),
        "maintenance/calendar.ics": "BEGIN:VCALENDAR\n",
    }
    result = scratch.check(files)
    assert result.problems == [
        f"{INC}:3: error: 'impact' cannot be 'majr'; did you mean 'major'?",
        f"{INC}:12: error: unknown update status 'Identifed'; did you mean 'identified'?",
        "incidents/2026-11-20-login.md:1: error: missing front matter: the file must start with a line '---'; "
        "put '---', the fields (title, …), then '---' above the text",
        f"{MNT}:6: error: the window ends before it starts; start 2026-12-02 08:00 UTC, end 2026-12-02 07:00 UTC",
        "maintenance/2026-12-09-network.md:4: error: unknown component 'apii'; did you mean 'api'? "
        "(components are listed in site.yaml)",
        "maintenance/calendar.ics:1: warning: not a .md file; skipped; notices are Markdown files ending in .md",
    ]
    assert result.summary == f"statuspress: check failed: {counts(result, 5, 1)}"
    assert result.status == 1


def test_warnings_alone_exit_0(scratch: Scratch) -> None:
    expect(scratch, {"incidents/README": "Notices go here.\n", INC: INCIDENT + "\n# Details\nMore.\n"}, [
        f"{INC}:18: warning: a level-1 heading in the text; "
        "the page title comes from 'title'; use '###' for a sub-heading",
        "incidents/README:1: warning: not a .md file; skipped; notices are Markdown files ending in .md",
    ])


def test_a_bad_now_is_a_usage_error(scratch: Scratch) -> None:
    scratch.write({})
    scratch.capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--site", str(scratch.root), "--now", "2026-11-24 12:00"])
    assert exit_info.value.code == 2
    assert scratch.capsys.readouterr().err == (
        "statuspress: error: --now: the time '2026-11-24 12:00' has no time zone; "
        "add 'UTC', 'Z' or an offset such as +01:00\n"
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("out", [None, "public"], ids=["default-out", "out-option"])
def test_build_with_a_broken_file_prints_the_same_problems_and_writes_nothing(
    scratch: Scratch, out: str | None
) -> None:
    broken: dict[str, str | bytes | None] = {
        INC: edit(INCIDENT, "  dashboard:", "  dashbord:"),
        MNT: MAINTENANCE + "\n# Details\n",
    }
    checked = scratch.check(broken)
    folder = scratch.root / (out or "_site")
    (folder / "incidents" / "old").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"<p>the site as it was</p>\n")
    (folder / "incidents" / "old" / "index.html").write_bytes(b"\x00\xffnot even text")
    before = tree(folder)

    built = scratch.run("build", *(["--out", str(folder)] if out else []))

    assert built.status == checked.status == 1
    assert built.problems == checked.problems == [
        f"{INC}:6: error: unknown component 'dashbord'; did you mean 'dashboard'? (components are listed in site.yaml)",
        f"{MNT}:18: warning: a level-1 heading in the text; "
        "the page title comes from 'title'; use '###' for a sub-heading",
    ]
    assert built.summary == f"statuspress: {counts(built, 1, 1)}; nothing was built, {folder} is unchanged"
    assert tree(folder) == before
    assert sorted(p.name for p in scratch.root.iterdir() if p.name.startswith(".")) == []  # no staging left


def test_build_with_a_broken_site_yaml_writes_nothing(scratch: Scratch) -> None:
    scratch.write({"site.yaml": edit(SITE_YAML, "url: https://status.example.com/\n", "")})
    assert not (scratch.root / "_site").exists()
    built = scratch.run("build")
    assert built.status == 1
    assert built.problems == ["site.yaml:1: error: missing required field 'url' in site.yaml; add 'url: …'"]
    assert not (scratch.root / "_site").exists()


# Nine levels of nine aliases each: 387 million values if the line map walked every alias.
ALIAS_BOMB = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + below] * 9)}]\n" for below, name in zip("abcdefgh", "bcdefghi", strict=True)
) + "---\n"

# Inputs that once raised, or could: whatever the content, the answer is problems, never a traceback.
HOSTILE = [
    pytest.param({"site.yaml": "a: &x [*x]\n"}, id="recursive-alias-in-site-yaml"),
    pytest.param({INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: &x [*x]")},
                 id="recursive-alias"),
    pytest.param({INC: ALIAS_BOMB}, id="alias-bomb"),
    pytest.param({INC: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, id="binary-file"),
    pytest.param({INC: "---\ntitle: !!python/object:os.system x\n---\n"}, id="python-tag"),
    pytest.param({INC: "---\n? [a, b]\n: c\n---\n"}, id="complex-key"),
    pytest.param({INC: "---\n1: 2\nnull: 3\ntrue: 4\n---\n"}, id="non-text-keys"),
    pytest.param({INC: "---\njust a string\n---\n"}, id="scalar-front-matter"),
    pytest.param({INC: "---\n---\n---\n"}, id="only-fences"),
    pytest.param({INC: edit(INCIDENT, "## Identified · ", "## Identified \x00 ")}, id="nul-in-heading"),
    pytest.param({MNT: edit(MAINTENANCE, "window:\n  start", "window:\n  start: [1, 2]\n  begin")},
                 id="window-list-time"),
    pytest.param({MNT: edit(MAINTENANCE, "  - from: {", "  - from: [{")
                  .replace("23:00:00+01:00}", "23:00:00+01:00}]")}, id="moved-window-list"),
    pytest.param({INC: edit(INCIDENT, "  api: partial_outage", "  api: {a: b}\n  7: [x]")}, id="odd-components"),
    pytest.param({INC: edit(INCIDENT, "  api: partial_outage", "  [x]: y")}, id="unhashable-key"),
    pytest.param({"site.yaml": SITE_HEAD + "components:\n  - {id: [a], name: {b: c}}\n  - 7\n"},
                 id="odd-site-components"),
    pytest.param({"site.yaml": edit(SITE_YAML, "time_zone: Europe/Rome", "time_zone: ../../etc/passwd")},
                 id="time-zone-path"),
    pytest.param({"site.yaml": SITE_YAML + "recent_days: true\nhistory_per_page: 1.5\n"}, id="odd-numbers"),
]


@pytest.mark.parametrize("files", HOSTILE)
@pytest.mark.parametrize("command", ["check", "build"])
def test_no_traceback_whatever_the_content(
    scratch: Scratch, files: dict[str, str | bytes | None], command: str
) -> None:
    scratch.write(files)
    result = scratch.run(command)  # asserts: no traceback, every line is `path:line: severity: …`
    assert result.status == 1
    assert result.problems


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("unresolved", "'id' cannot be 'unresolved'"),
        ("Has Spaces", "'id' cannot be 'Has Spaces'"),
        ("ab", "'id' cannot be 'ab'"),
    ],
)
def test_a_bad_notice_id_is_an_error(site: Callable[..., Path], run: Callable[..., CliResult], value: str,
                                     message: str) -> None:
    root = site({"incidents/a.md": INCIDENT.replace("title:", f"id: {value}\ntitle:", 1)})
    result = run("check", "--site", str(root), "--now", NOW)
    assert result.code == 1
    assert f"incidents/a.md:2: error: {message}; use 4 to 32 lower-case letters and digits" in result.err


def test_two_notices_with_one_id_is_an_error(site: Callable[..., Path], run: Callable[..., CliResult]) -> None:
    text = INCIDENT.replace("title:", "id: abcd1234\ntitle:", 1)
    root = site({"incidents/a.md": text, "incidents/b.md": text})
    result = run("check", "--site", str(root), "--now", NOW)
    assert result.code == 1
    assert "incidents/b.md:2: error: the id 'abcd1234' is used by incidents/a.md; ids are unique" in result.err


def test_a_control_character_in_a_name_is_an_error(site: Callable[..., Path], run: Callable[..., CliResult]) -> None:
    root = site(config=SITE_YAML.replace("name: Example Status", 'name: "Example\\x07 Status"'))
    result = run("check", "--site", str(root), "--now", NOW)
    assert result.code == 1
    assert "site.yaml:1: error: 'name' contains the control character U+0007; remove it" in result.err


# --- hostile or broken content, and the limits of site.yaml (issue 7) -----------------------------

TAG_HINT = "fields hold text, numbers, lists and mappings; remove the tag (quote the value if it is text)"
ALIAS_HINT = "write the values out instead of using '&' and '*'"
YEARS = "times must fall between 1970 and 30 Dec 9999; check the year"
TITLE_200 = "API " + "x" * 196
MD_HINT = "name notice files with letters a-z, digits and '-' only"
SIZE_HINT = ("a notice is a page of text: check that the right file was saved here, "
             "or raise limits.file_bytes in site.yaml")

HOSTILE_CASES = [
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates on the API", "title: !!python/object/apply:os.system [id]")},
        [f"{INC}:2: error: the YAML tag '!!python/object/apply:os.system' is not allowed; {TAG_HINT}"],
        id="python-object-tag",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "author: Giulia Rossi", "author: !!binary R2l1bGlh")},
        [f"{INC}:7: error: the YAML tag '!!binary' is not allowed; {TAG_HINT}"],
        id="binary-tag",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "name: API", "name: !secret API")},
        [f"site.yaml:8: error: the YAML tag '!secret' is not allowed; {TAG_HINT}"],
        id="custom-tag-in-site-yaml",
    ),
    pytest.param(
        {INC: ALIAS_BOMB},
        [f"{INC}:3: error: YAML aliases here repeat more than 10000 values; {ALIAS_HINT}"],
        id="alias-bomb",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: &x [*x]")},
        [f"{INC}:7: error: a YAML alias refers to a value that contains it; {ALIAS_HINT}"],
        id="recursive-alias",
    ),
    pytest.param(
        # A few aliases are fine: only repetition on the scale of a bomb is refused.
        {"site.yaml": edit(edit(SITE_YAML, "group: Web", "group: *web"), "    name: API\n",
                           "    name: API\n    group: &web Web\n")},
        [],
        id="small-alias-is-fine",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates on the API", "title: =")},
        [],
        id="equals-sign-is-text",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z", "started: 1969-11-18T09:41:00Z")},
        [f"{INC}:8: error: 'started': '1969-11-18T09:41:00Z' is before 1970; {YEARS}"],
        id="time-before-1970",
    ),
    pytest.param(
        # 00:30 at +01:00 is still 1969 in UTC.
        {INC: edit(INCIDENT, "## Investigating · 2026-11-18 09:55 UTC", "## Investigating · 1970-01-01 00:30 +01:00")},
        [f"{INC}:15: error: update heading: '1970-01-01 00:30 +01:00' is before 1970; {YEARS}"],
        id="heading-before-1970",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00", "announced: 10000-11-18T15:00:00+01:00")},
        [f"{MNT}:14: error: 'announced': '10000-11-18T15:00:00+01:00' is after 9999; {YEARS}"],
        id="time-after-9999",
    ),
    pytest.param(
        # In UTC this is in the year 10000: it used to escape as an OverflowError.
        {MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00", "  end: 9999-12-31T23:00:00-05:00")},
        [f"{MNT}:8: error: 'end': '9999-12-31T23:00:00-05:00' is after 9999; {YEARS}"],
        id="time-after-9999-in-utc",
    ),
    pytest.param(
        # Shown in Europe/Rome it would be in the year 10000.
        {INC: edit(INCIDENT, "started: 2026-11-18T09:41:00Z", "next_update: 9999-12-31T23:30:00Z")},
        [f"{INC}:8: error: 'next_update': '9999-12-31T23:30:00Z' is too close to the year 10000; {YEARS}"],
        id="time-at-the-end-of-9999",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00", "  end: 2027-12-02T10:00:00+01:00")},
        [f"{MNT}:6: error: the window lasts 365 d 1 h, more than the limit of 7 days; "
         "split the work into several maintenance notices, or raise limits.window_days in site.yaml"],
        id="window-too-long",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00", "  end: 2026-12-09T09:00:00+01:00")},
        [],
        id="window-of-exactly-7-days",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00", "  end: 2026-12-09T09:00:30+01:00")},
        [f"{MNT}:6: error: the window lasts just over 7 d, more than the limit of 7 days; "
         "split the work into several maintenance notices, or raise limits.window_days in site.yaml"],
        id="window-of-7-days-and-30-seconds",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "end: 2026-11-25T23:00:00+01:00}", "end: 2026-12-25T23:00:00+01:00}")},
        [f"{MNT}:11: error: the window lasts 30 d 1 h, more than the limit of 7 days; "
         "split the work into several maintenance notices, or raise limits.window_days in site.yaml"],
        id="moved-window-too-long",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "limits: {window_days: 400}\n",
         MNT: edit(MAINTENANCE, "  end: 2026-12-02T10:00:00+01:00", "  end: 2027-12-02T10:00:00+01:00")},
        [],
        id="window-limit-raised",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates on the API", f"title: {TITLE_200}x")},
        [f"{INC}:2: error: the title is 201 characters long, more than the limit of 200; "
         "keep the detail for the summary below the front matter, or raise limits.title_chars in site.yaml"],
        id="title-too-long",
    ),
    pytest.param(
        # Runs of white space count as one space, as the title is shown.
        {INC: edit(INCIDENT, "title: Elevated error rates on the API",
                   f"title: '  {TITLE_200.replace(' ', '   ')}  '")},
        [],
        id="title-of-200-characters",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "limits:\n  title_chars: 20\n"},
        [f"{INC}:2: error: the title is 31 characters long, more than the limit of 20; "  # "Database upgrade" fits
         "keep the detail for the summary below the front matter, or raise limits.title_chars in site.yaml"],
        id="title-limit-lowered",
    ),
    pytest.param(
        {INC: INCIDENT + "x" * (1_000_001 - len(INCIDENT.encode()))},
        [f"{INC}:1: error: the file is 1000001 bytes, more than the limit of 1000000 bytes; {SIZE_HINT}"],
        id="file-too-large",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "limits: {file_bytes: 500}\n"},  # the incident fits
        [f"{MNT}:1: error: the file is {len(MAINTENANCE.encode())} bytes, more than the limit of 500 bytes; "
         + SIZE_HINT],
        id="file-limit-lowered",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "limits:\n  title_chars: 0\n  max_title: 5\n"},
        ["site.yaml:13: error: 'limits.title_chars' must be a whole number above 0, not '0'",
         "site.yaml:14: error: unknown field 'max_title' in 'limits'; "
         "expected one of: file_bytes, title_chars, window_days"],
        id="bad-limits",
    ),
    pytest.param(
        {"site.yaml": edit(SITE_YAML, "  email: support@example.com", "  url: javascript:alert(document.domain)")},
        ["site.yaml:5: warning: 'contact.url' must be an http(s) URL, not 'javascript:alert(document.domain)'; "
         "it is left out of every page; e.g. https://help.example.com/"],
        id="contact-url-javascript",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "We traced the errors", "We traced\x1b[31m the errors")},
        [f"{INC}:13: error: the character U+001B is not allowed here; delete it; it is usually invisible in an editor"],
        id="control-character-in-text",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "About 30% of API", "- " * 150 + "About 30% of API")},
        [f"{INC}:10: error: lists or quotes nested 150 levels deep; "
         "nest at most 100 levels; Markdown cannot read deeper ones"],
        id="nested-too-deeply",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "We traced the errors", "[" * 4000 + "We traced the errors")},
        [f"{INC}:13: error: too many '[' in long paragraphs: Markdown would take minutes to read them; "
         "split long paragraphs, or write '\\[' for a bracket that is not a link"],
        id="too-many-brackets",
    ),
    pytest.param(
        # Markdown reads these lines as one quote paragraph, and one paragraph with the list: 40 s each.
        {INC: edit(INCIDENT, "About 30% of API", "> x\n" + "> [[[[[[[[[[[[\n" * 1500 + "\nAbout 30% of API")},
        [f"{INC}:10: error: too many '[' in long paragraphs: Markdown would take minutes to read them; "
         "split long paragraphs, or write '\\[' for a bracket that is not a link"],
        id="too-many-brackets-in-a-quote",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "About 30% of API", "x\n" + "- [[[[[[[[[[[[\n" * 1500 + "\nAbout 30% of API")},
        [f"{INC}:10: error: too many '[' in long paragraphs: Markdown would take minutes to read them; "
         "split long paragraphs, or write '\\[' for a bracket that is not a link"],
        id="too-many-brackets-after-a-list-marker",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "We traced the errors", "\\[" * 4000 + "\n\n```\n" + "[" * 4000 + "\n```\n")},
        [],
        id="escaped-brackets-and-code-are-fine",
    ),
    pytest.param(
        # A list of a hundred links, one per item, is far from the limit.
        {INC: edit(INCIDENT, "We traced the errors", "".join(f"- [item {n}](https://example.com/{n})\n"
                                                               for n in range(100)) + "\nWe traced the errors")},
        [],
        id="a-list-of-links-is-fine",
    ),
    pytest.param(
        {"incidents/.2026-11-20-draft.md": INCIDENT, "incidents/.DS_Store": b"\x00\x00\x00\x01Bud1"},
        ["incidents/.2026-11-20-draft.md:1: warning: the file name gives the URL incidents/-2026-11-20-draft/; "
         f"{MD_HINT}, e.g. 2026-11-20-draft.md",
         "incidents/.DS_Store:1: warning: not a .md file; skipped; notices are Markdown files ending in .md"],
        id="hidden-files-are-not-skipped-silently",
    ),
    pytest.param(
        {"maintenance/2026-12-09 Netzwerk_Überprüfung.md": MAINTENANCE.replace("2026-12-02", "2026-12-09")},
        ["maintenance/2026-12-09 Netzwerk_Überprüfung.md:1: warning: the file name gives the URL "
         f"maintenance/2026-12-09-netzwerk--berpr-fung/; {MD_HINT}, e.g. 2026-12-09-netzwerk-berpr-fung.md"],
        id="unclean-file-name",
    ),
    pytest.param(
        {"incidents/2026-11-20-API-Errors.md": INCIDENT},  # upper case only: the URL is still its name
        [],
        id="upper-case-file-name-is-clean",
    ),
]


@pytest.mark.parametrize(("files", "expected"), HOSTILE_CASES)
def test_hostile_and_broken_content(
    scratch: Scratch, files: dict[str, str | bytes | None], expected: list[str]
) -> None:
    expect(scratch, files, expected)


def test_a_file_over_the_limit_is_not_even_read(scratch: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    read_bytes: Callable[[Path], bytes] = Path.read_bytes

    def refuse(path: Path) -> bytes:
        assert path.name != Path(INC).name, "the file over the limit was read"
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    expect(scratch, {INC: INCIDENT + " " * 1_000_000}, [
        f"{INC}:1: error: the file is {len(INCIDENT.encode()) + 1_000_000} bytes, "
        f"more than the limit of 1000000 bytes; {SIZE_HINT}",
    ])


@pytest.mark.parametrize("files", [
    pytest.param({INC: "\ufeff" + INCIDENT.replace("\n", "\r\n")}, id="bom-and-crlf"),
    pytest.param({INC: INCIDENT.replace("\n", "\r")}, id="old-mac-line-ends"),
    pytest.param({INC: edit(INCIDENT, "We traced the errors", "We\ttraced the errors\t")}, id="tabs-in-text"),
])
def test_accepted_as_if_clean(scratch: Scratch, files: dict[str, str | bytes | None]) -> None:
    expect(scratch, files, [])
    assert scratch.run("build").status == 0


def test_size_is_checked_before_decoding() -> None:
    """`load_notice` (which `update` and `move` use too) refuses large data without decoding it."""
    config = SiteConfig(name="Example", url="https://status.example.com/", components=(Component("api", "API"),),
                        limits=Limits(file_bytes=100))
    notice, problems = load_notice(b"\xff" * 101, INC, Kind.INCIDENT, config)
    assert notice is None
    assert [str(p) for p in problems] == [
        f"{INC}:1: error: the file is 101 bytes, more than the limit of 100 bytes; {SIZE_HINT}"]
    assert "not UTF-8" in str(load_notice(b"\xff" * 100, INC, Kind.INCIDENT, config)[1][0])
