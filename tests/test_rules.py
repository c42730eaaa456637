"""The review rules of `statuspress check`: each one firing and not firing, switched off, and configured.

Every case starts from a small site that checks without a single warning at NOW
(`test_the_base_site_has_no_warnings`), changes one thing, and compares every review warning line:
`path:line: warning: message; hint [rule-id]`, so a wrong line, a changed wording or a lost hint fails.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import NOW_TEXT, ROOT, SITE_YAML, Result
from statuspress.model import RULES

CONFIG = SITE_YAML + "contact:\n  email: support@test.example\n"
# line:  1 name  2 url  3 time_zone  4 components  5-7 the three  8 contact  9 email  (a `check:` section: 10)

INC = "incidents/2026-11-24-api-errors.md"
INCIDENT = """\
---
title: Elevated error rates on the API
impact: major
components:
  api: partial_outage
author: Giulia Rossi, Site Reliability
next_update: 2026-11-24T12:30:00Z
---
About 30% of requests fail with HTTP 503 since 09:41 UTC.

## Identified · 2026-11-24 10:32 UTC
We traced the errors to a failed database node.

## Investigating · 2026-11-24 09:55 UTC
We are investigating elevated error rates.
"""
# line:  1 ---  2 title  3 impact  4 components  5 api  6 author  7 next_update  8 ---  9 summary
#       11 ## Identified  12 text  14 ## Investigating  15 text

RES = "incidents/2026-11-10-sign-in.md"
RESOLVED = """\
---
title: Sign-in failures
impact: critical
components:
  dashboard: major_outage
author: Marco Bianchi, Identity team
---
Nobody could sign in to the dashboard for 40 minutes.

## Resolved · 2026-11-10 10:40 UTC
Signing in works again.

## Investigating · 2026-11-10 10:00 UTC
We are investigating failed sign-ins.

## Postmortem · 2026-11-12 09:00 UTC
### What went wrong
An expired certificate.

### What happened
From 10:00 to 10:40 UTC every sign-in was refused.

### How we will prevent it
We now renew certificates automatically.
"""
# line:  1 ---  2 title  3 impact  4 components  5 dashboard  6 author  7 ---  8 summary
#       10 ## Resolved  13 ## Investigating  16 ## Postmortem  17 ### What went wrong
#       20 ### What happened  23 ### How we will prevent it

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
# line:  1 ---  2 title  3 components  4 db  5 window  6 start  7 end  8 author  9 announced  10 ---
#       11 text

BASE = {INC: INCIDENT, RES: RESOLVED, MNT: MAINTENANCE}
MOVED = "    on: 2026-11-19T10:00:00Z\n    reason: A related change needs more verification.\n"
RESCHEDULED = "rescheduled:\n  - from: {start: 2026-11-25T22:00:00Z, end: 2026-11-25T23:00:00Z}\n" + MOVED
# inserted before `announced:`, RESCHEDULED is lines 9-12: 9 rescheduled  10 - from  11 on  12 reason

HINTS = {
    "summary": "say what customers notice, e.g. 'API requests fail' or '… are slow'",
    "author": "sign with a person's name or a named team, e.g. 'Giulia Rossi, Site Reliability'",
    "wording": "keep a neutral tone and promise only what you are sure of",
    "placeholder": "replace it with the fact it asks for, or remove it",
    "period": "give customers more notice, or say in the text why it cannot wait",
}


def edit(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once, so a case cannot silently stop applying."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


Check = Callable[..., Result]


@pytest.fixture
def check(site: Callable[..., Path], run: Callable[..., Result]) -> Check:
    """Write the base site with `files` laid over it (None leaves one out) and run `check` at NOW."""

    def checker(files: dict[str, str | None] | None = None, config: str = CONFIG, *args: str) -> Result:
        merged = {**BASE, **(files or {})}
        root = site({name: text for name, text in merged.items() if text is not None}, config)
        result = run("check", "--site", str(root), "--now", NOW_TEXT, *args)
        assert "Traceback" not in result.err
        return result

    return checker


def warnings(result: Result) -> list[str]:
    """The review-rule warning lines, in the order printed."""
    return [line for line in result.err.splitlines() if ": warning: " in line and line.endswith("]")]


def rules(result: Result) -> set[str]:
    return {line.rsplit(" [", 1)[1].rstrip("]") for line in warnings(result)}


def test_the_base_site_has_no_warnings(check: Check) -> None:
    result = check()
    assert result.code == 0
    assert result.err == "statuspress: checked 3 notices: 0 errors, 0 warnings\n"


def test_the_example_site_has_no_warnings(run: Callable[..., Result]) -> None:
    result = run("check", "--site", str(ROOT), "--now", NOW_TEXT, "--strict")
    assert result.code == 0, result.err
    assert result.err.endswith(": 0 errors, 0 warnings\n"), result.err


# --- Each rule firing: the exact lines -----------------------------------------------------------

FIRING = [
    # summary
    pytest.param(
        {INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503 since 09:41 UTC.\n\n", "")},
        CONFIG,
        [f"{INC}:9: warning: the notice has no summary before its first update; start with a paragraph saying "
         "what customers experience and what it means for them [summary]"],
        id="summary-missing",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503", "We are looking into it")},
        CONFIG,
        [f"{INC}:9: warning: the first paragraph names neither an affected component nor a symptom; "
         f"{HINTS['summary']} [summary]"],
        id="summary-vague",
    ),
    pytest.param(  # only the first paragraph counts: the symptom comes too late
        {INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503 since 09:41 UTC.\n",
                   "We are sorry.\n\nAbout 30% of requests fail with HTTP 503 since 09:41 UTC.\n")},
        CONFIG,
        [f"{INC}:9: warning: the first paragraph names neither an affected component nor a symptom; "
         f"{HINTS['summary']} [summary]"],
        id="summary-second-paragraph",
    ),
    # next-update
    pytest.param(
        {INC: edit(INCIDENT, "next_update: 2026-11-24T12:30:00Z\n", "")},
        CONFIG,
        [f"{INC}:1: warning: this unresolved incident does not promise a next update; "
         "add e.g. 'next_update: 2026-11-24T12:30:00Z' [next-update]"],
        id="next-update-missing",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "next_update: 2026-11-24T12:30:00Z", "next_update: 2026-11-24T11:59:00Z")},
        CONFIG,
        [f"{INC}:7: warning: the promised update at 2026-11-24 11:59 UTC has passed; "
         "post an update now, even if nothing changed, and promise the next one [next-update]"],
        id="next-update-passed",
    ),
    # author
    pytest.param(
        {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability\n", "")},
        CONFIG,
        [f"{INC}:1: warning: the notice is not signed; add 'author: <a person or named team>', "
         "e.g. Giulia Rossi, Site Reliability [author]"],
        id="author-missing",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "author: Marco Bianchi, Platform team", "author:")},
        CONFIG,
        [f"{MNT}:8: warning: the notice is not signed; add 'author: <a person or named team>', "
         "e.g. Giulia Rossi, Site Reliability [author]"],
        id="author-empty",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Operations")},
        CONFIG,
        [f"{INC}:6: warning: 'Operations' is a generic signature; {HINTS['author']} [author]"],
        id="author-generic",
    ),
    pytest.param(  # every word generic
        {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Support Team")},
        CONFIG,
        [f"{INC}:6: warning: 'Support Team' is a generic signature; {HINTS['author']} [author]"],
        id="author-generic-words",
    ),
    # contact
    pytest.param(
        {},
        SITE_YAML,
        ["site.yaml:1: warning: the site gives no email, phone or URL to reach a person; "
         "add 'contact: {email: …}' [contact]"],
        id="contact-missing",
    ),
    pytest.param(
        {},
        SITE_YAML + "contact:\n  name: Example Support\n",
        ["site.yaml:8: warning: the site gives no email, phone or URL to reach a person; "
         "add 'contact: {email: …}' [contact]"],
        id="contact-name-only",
    ),
    # postmortem
    pytest.param(
        {RES: RESOLVED.split("\n## Postmortem")[0]},
        CONFIG,
        [f"{RES}:1: warning: a critical incident resolved over 7 days ago has no postmortem; add a '## Postmortem' "
         "section: what went wrong, what happened, how it will be prevented [postmortem]"],
        id="postmortem-missing",
    ),
    pytest.param(  # written, but not published yet at NOW
        {RES: edit(RESOLVED, "## Postmortem · 2026-11-12 09:00 UTC", "## Postmortem · 2026-11-25 09:00 UTC")},
        CONFIG,
        [f"{RES}:1: warning: a critical incident resolved over 7 days ago has no postmortem; add a '## Postmortem' "
         "section: what went wrong, what happened, how it will be prevented [postmortem]"],
        id="postmortem-not-yet-published",
    ),
    pytest.param(
        {RES: edit(RESOLVED, "### What happened\n", "")},
        CONFIG,
        [f"{RES}:16: warning: the postmortem lacks: what happened; give each part a '### ' heading, "
         "e.g. '### What happened' [postmortem]"],
        id="postmortem-part-missing",
    ),
    pytest.param(
        {RES: RESOLVED.split("### What went wrong")[0] + "It was a certificate. We renew them automatically now.\n"},
        CONFIG,
        [f"{RES}:16: warning: the postmortem lacks: what went wrong, what happened, how we will prevent; "
         "give each part a '### ' heading, e.g. '### What went wrong' [postmortem]"],
        id="postmortem-no-parts",
    ),
    pytest.param(  # one minute more than the seven days
        {RES: edit(RESOLVED.split("\n## Postmortem")[0], "## Resolved · 2026-11-10 10:40",
                   "## Resolved · 2026-11-17 11:59")},
        CONFIG,
        [f"{RES}:1: warning: a critical incident resolved over 7 days ago has no postmortem; add a '## Postmortem' "
         "section: what went wrong, what happened, how it will be prevented [postmortem]"],
        id="postmortem-just-over-seven-days",
    ),
    # notice-period
    pytest.param(
        {MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00", "announced: 2026-11-29T09:01:00+01:00")},
        CONFIG,
        [f"{MNT}:9: warning: announced less than 3 days before its window; {HINTS['period']} [notice-period]"],
        id="notice-period-short",
    ),
    pytest.param(
        {MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00\n", "")},
        CONFIG,
        [f"{MNT}:1: warning: the maintenance does not say when it was announced; add 'announced: <time>' so "
         "readers and this check know the notice period [notice-period]"],
        id="notice-period-not-announced",
    ),
    pytest.param(  # announced early, but the latest move came late: the move counts
        {MNT: edit(MAINTENANCE, "announced:", RESCHEDULED.replace("2026-11-19T10:00", "2026-11-30T10:00")
                   + "announced:")},
        CONFIG,
        [f"{MNT}:11: warning: announced less than 3 days before its window; {HINTS['period']} [notice-period]"],
        id="notice-period-late-move",
    ),
    pytest.param(  # of two moves, the latest counts
        {MNT: edit(MAINTENANCE, "announced:", RESCHEDULED + "  - from: {start: 2026-11-28T22:00:00Z, end: "
                   "2026-11-28T23:00:00Z}\n    on: 2026-11-30T10:00:00Z\n    reason: Vendor delay.\nannounced:")},
        CONFIG,
        [f"{MNT}:14: warning: announced less than 3 days before its window; {HINTS['period']} [notice-period]"],
        id="notice-period-latest-of-two-moves",
    ),
    # move-reason
    pytest.param(
        {MNT: edit(MAINTENANCE, "announced:", RESCHEDULED.replace(
            "    reason: A related change needs more verification.\n", "") + "announced:")},
        CONFIG,
        [f"{MNT}:10: warning: the window was moved without a reason; add 'reason: …' to this move; "
         "an unexplained move looks like another outage [move-reason]"],
        id="move-reason-missing",
    ),
    pytest.param(  # the second of two moves; the first has its reason
        {MNT: edit(MAINTENANCE, "announced:", RESCHEDULED
                   + "  - from: {start: 2026-11-28T22:00:00Z, end: 2026-11-28T23:00:00Z}\n"
                   + "    on: 2026-11-20T10:00:00Z\n    reason: \"\"\nannounced:")},
        CONFIG,
        [f"{MNT}:13: warning: the window was moved without a reason; add 'reason: …' to this move; "
         "an unexplained move looks like another outage [move-reason]"],
        id="move-reason-missing-second",
    ),
    # wording
    pytest.param(
        {INC: edit(INCIDENT, "title: Elevated error rates", "title: Guaranteed fix for error rates")},
        CONFIG,
        [f"{INC}:2: warning: 'guarantee' blames or over-promises; {HINTS['wording']} [wording]"],
        id="wording-title",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "We traced the errors to a failed database node.",
                   "It was HUMAN ERROR by a contractor; it will never happen again.")},
        CONFIG,
        [f"{INC}:12: warning: 'human error' blames or over-promises; {HINTS['wording']} [wording]",
         f"{INC}:12: warning: 'will never happen again' blames or over-promises; {HINTS['wording']} [wording]"],
        id="wording-body",
    ),
    pytest.param(
        {RES: edit(RESOLVED, "We now renew certificates automatically.",
                   "We now renew certificates automatically, 100% of the time.")},
        CONFIG,
        [f"{RES}:24: warning: '100%' blames or over-promises; {HINTS['wording']} [wording]"],
        id="wording-postmortem",
    ),
    # placeholder
    pytest.param(
        {INC: edit(INCIDENT, "since 09:41 UTC.\n", "since 09:41 UTC.\nTODO: say how many customers\n")},
        CONFIG,
        [f"{INC}:10: warning: a placeholder is left: say how many customers; {HINTS['placeholder']} [placeholder]"],
        id="placeholder-summary",
    ),
    pytest.param(
        {INC: edit(INCIDENT, "  api: partial_outage\n", "  api: partial_outage   # TODO: confirm\n")},
        CONFIG,
        [f"{INC}:5: warning: a placeholder is left: confirm; {HINTS['placeholder']} [placeholder]"],
        id="placeholder-front-matter",
    ),
    pytest.param(
        {MNT: MAINTENANCE + "\nTODO\n"},
        CONFIG,
        [f"{MNT}:13: warning: a placeholder is left: TODO; {HINTS['placeholder']} [placeholder]"],
        id="placeholder-bare",
    ),
]


@pytest.mark.parametrize(("files", "config", "expected"), FIRING)
def test_rule_fires(check: Check, files: dict[str, str], config: str, expected: list[str]) -> None:
    result = check(files, config)
    assert warnings(result) == expected
    assert result.code == 0  # warnings alone never fail a check without --strict
    assert result.err.endswith(f": 0 errors, {len(expected)} warning{'s' * (len(expected) != 1)}\n")


# --- Each rule not firing -------------------------------------------------------------------------

QUIET = [
    # summary: a component (by name or id) or a symptom is enough
    pytest.param({INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503", "We are looking into the API")},
                 CONFIG, id="summary-component-name"),
    pytest.param({MNT: edit(MAINTENANCE, "The database is read-only", "The db cluster gets a new version")},
                 CONFIG, id="summary-component-id"),
    pytest.param({INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503", "Some pages are SLOW")},
                 CONFIG, id="summary-symptom"),
    # next-update: due exactly now, resolved, or not published yet
    pytest.param({INC: edit(INCIDENT, "next_update: 2026-11-24T12:30:00Z", "next_update: 2026-11-24T12:00:00Z")},
                 CONFIG, id="next-update-due-now"),
    pytest.param({RES: edit(RESOLVED, "author:", "next_update: 2026-11-10T11:00:00Z\nauthor:")},
                 CONFIG, id="next-update-resolved"),
    # author: a named team, even with a generic word in it
    pytest.param({INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Platform team")},
                 CONFIG, id="author-named-team"),
    # contact: any one way to reach a person
    pytest.param({}, SITE_YAML + "contact:\n  phone: +39 02 1234 5678\n", id="contact-phone"),
    pytest.param({}, SITE_YAML + "contact:\n  url: https://help.test.example/\n", id="contact-url"),
    # postmortem: minor impact, resolved recently enough, exactly seven days, or unresolved
    pytest.param({RES: edit(RESOLVED.split("\n## Postmortem")[0], "impact: critical", "impact: minor")},
                 CONFIG, id="postmortem-minor"),
    pytest.param({RES: edit(RESOLVED.split("\n## Postmortem")[0], "## Resolved · 2026-11-10 10:40",
                            "## Resolved · 2026-11-17 12:00")}, CONFIG, id="postmortem-exactly-seven-days"),
    pytest.param({RES: edit(RESOLVED.split("\n## Postmortem")[0], "## Resolved · 2026-11-10 10:40 UTC\n"
                            "Signing in works again.", "## Update · 2026-11-10 10:40 UTC\nStill failing.")
                  .replace("author:", "next_update: 2026-11-24T13:00:00Z\nauthor:")},
                 CONFIG, id="postmortem-unresolved"),
    pytest.param({RES: edit(RESOLVED, "### How we will prevent it", "### Action items")},
                 CONFIG, id="postmortem-other-heading-words"),
    # notice-period: exactly three days, or over
    pytest.param({MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00",
                            "announced: 2026-11-29T09:00:00+01:00")}, CONFIG, id="notice-period-exactly-three-days"),
    pytest.param({MNT: edit(MAINTENANCE, "2026-12-02T09:00:00+01:00\n  end: 2026-12-02T10:00:00+01:00",
                            "2026-11-20T09:00:00+01:00\n  end: 2026-11-20T10:00:00+01:00")
                  .replace("2026-11-18T15:00:00+01:00", "2026-11-19T15:00:00+01:00")},
                 CONFIG, id="notice-period-completed"),
    pytest.param({MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00", "announced: 2026-11-30T09:00:00Z")
                  + "\n## Cancelled · 2026-11-24 11:00 UTC\nThe upgrade is cancelled; the database stays as it is.\n"},
                 CONFIG, id="notice-period-cancelled"),
    pytest.param({MNT: edit(MAINTENANCE, "announced:", RESCHEDULED + "announced:")},
                 CONFIG, id="notice-period-early-move"),
    # move-reason: given, in block or flow style
    pytest.param({MNT: edit(MAINTENANCE, "announced:", RESCHEDULED + "announced:")}, CONFIG, id="move-reason-given"),
    pytest.param({MNT: edit(MAINTENANCE, "announced:", "rescheduled:\n  - {from: {start: 2026-11-25T22:00:00Z, "
                            "end: 2026-11-25T23:00:00Z}, on: 2026-11-19T10:00:00Z, reason: Vendor delay}\nannounced:")},
                 CONFIG, id="move-reason-flow-style"),
    # wording: a listed word inside another word is not that word
    pytest.param({INC: edit(INCIDENT, "We traced the errors", "No data was compromised. We traced the errors")},
                 CONFIG, id="wording-inside-a-word"),
    pytest.param({INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability",
                            "author: Giulia Rossi, Site Reliability  # guarantee")},
                 CONFIG, id="wording-front-matter-is-not-text"),
    # placeholder: the word in lower case is prose
    pytest.param({INC: edit(INCIDENT, "We traced the errors", "Our todo list: we traced the errors")},
                 CONFIG, id="placeholder-lower-case"),
]


@pytest.mark.parametrize(("files", "config"), QUIET)
def test_rule_does_not_fire(check: Check, files: dict[str, str], config: str) -> None:
    result = check(files, config)
    assert warnings(result) == []
    assert result.code == 0
    assert result.err.endswith(": 0 errors, 0 warnings\n"), result.err


def rule_of(case: object) -> str:
    """The rule a case is about: the longest rule id its test id starts with."""
    case_id = str(getattr(case, "id", ""))
    return max((r for r in RULES if case_id.startswith(r + "-")), key=len)


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    assert {rule_of(case) for case in FIRING} == {rule_of(case) for case in QUIET} == set(RULES)


# --- Switching a rule off ----------------------------------------------------------------------------

@pytest.mark.parametrize("rule", RULES)
def test_a_rule_can_be_switched_off(check: Check, rule: str) -> None:
    files, config, _ = next(case for case in FIRING if rule_of(case) == rule).values
    assert isinstance(files, dict) and isinstance(config, str)
    assert rule in rules(check(files, config))
    result = check(files, config + f"check:\n  disable: [{rule}]\n")
    assert (result.code, warnings(result)) == (0, [])
    assert result.err.endswith(": 0 errors, 0 warnings\n")


def test_switching_one_rule_off_keeps_the_others(check: Check) -> None:
    files = {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Operations")
             .replace("We traced the errors", "Obviously, we traced the errors")}
    assert rules(check(files)) == {"author", "wording"}
    assert rules(check(files, CONFIG + "check:\n  disable: [author]\n")) == {"wording"}


@pytest.mark.parametrize(
    ("disable", "expected"),
    [
        ("[wordng]", ["site.yaml:11: error: unknown rule 'wordng'; did you mean 'wording'?"]),
        ("[next_update]", ["site.yaml:11: error: unknown rule 'next_update'; did you mean 'next-update'?"]),
        ("[author, spelling]", ["site.yaml:11: error: unknown rule 'spelling'; expected one of: summary, "
                                "next-update, author, contact, postmortem, notice-period, move-reason, wording, "
                                "placeholder"]),
    ],
)
def test_an_unknown_rule_is_an_error_with_a_suggestion(check: Check, disable: str, expected: list[str]) -> None:
    result = check({}, CONFIG + f"check:\n  disable: {disable}\n")
    assert result.code == 1
    assert [line for line in result.err.splitlines() if ": error: " in line] == expected


# --- Settings from site.yaml ----------------------------------------------------------------------------

def test_summary_words_come_from_site_yaml(check: Check) -> None:
    hiccup = {INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503", "Some requests hiccup")}
    slow = {INC: edit(INCIDENT, "About 30% of requests fail with HTTP 503", "Some requests are slow")}
    words = CONFIG + "check:\n  summary:\n    words: [hiccup]\n"
    assert rules(check(hiccup)) == {"summary"}
    assert rules(check(hiccup, words)) == set()
    assert rules(check(slow)) == set()
    assert rules(check(slow, words)) == {"summary"}  # the list replaces the defaults


def test_generic_authors_come_from_site_yaml(check: Check) -> None:
    ops = {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Operations")}
    reliability = {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Site Reliability")}
    generic = CONFIG + "check:\n  author:\n    generic: [Site, Reliability]\n"
    assert rules(check(ops)) == {"author"}
    assert rules(check(ops, generic)) == set()
    assert rules(check(reliability)) == set()
    result = check(reliability, generic)
    assert warnings(result) == [f"{INC}:6: warning: 'Site Reliability' is a generic signature; {HINTS['author']} "
                                "[author]"]


def test_postmortem_days_come_from_site_yaml(check: Check) -> None:
    missing = {RES: RESOLVED.split("\n## Postmortem")[0]}  # resolved 14 days and 80 minutes before NOW
    assert rules(check(missing, CONFIG + "check:\n  postmortem:\n    days: 15\n")) == set()
    assert rules(check(missing, CONFIG + "check:\n  postmortem:\n    days: 14\n")) == {"postmortem"}
    recent = {RES: edit(missing[RES], "## Resolved · 2026-11-10 10:40", "## Resolved · 2026-11-22 12:00")}
    assert rules(check(recent)) == set()
    result = check(recent, CONFIG + "check:\n  postmortem:\n    days: 1\n")
    assert warnings(result) == [
        f"{RES}:1: warning: a critical incident resolved over 1 days ago has no postmortem; add a '## Postmortem' "
        "section: what went wrong, what happened, how it will be prevented [postmortem]"]


def test_postmortem_headings_come_from_site_yaml(check: Check) -> None:
    headings = CONFIG + "check:\n  postmortem:\n    headings: [[Trigger], [Chronology], [Actions]]\n"
    own = {RES: RESOLVED.replace("### What went wrong", "### Trigger").replace("### What happened", "### Chronology")
           .replace("### How we will prevent it", "### Actions we take")}
    assert rules(check(own, headings)) == set()
    assert warnings(check(own)) == [
        f"{RES}:16: warning: the postmortem lacks: what went wrong, what happened, how we will prevent; "
        "give each part a '### ' heading, e.g. '### What went wrong' [postmortem]"]
    assert warnings(check({}, headings)) == [
        f"{RES}:16: warning: the postmortem lacks: trigger, chronology, actions; "
        "give each part a '### ' heading, e.g. '### Trigger' [postmortem]"]


def test_notice_period_days_come_from_site_yaml(check: Check) -> None:
    # announced 13 days 18 hours before the window
    assert warnings(check({}, CONFIG + "check:\n  notice-period:\n    days: 14\n")) == [
        f"{MNT}:9: warning: announced less than 14 days before its window; {HINTS['period']} [notice-period]"]
    assert rules(check({}, CONFIG + "check:\n  notice-period:\n    days: 13\n")) == set()
    short = {MNT: edit(MAINTENANCE, "announced: 2026-11-18T15:00:00+01:00", "announced: 2026-12-01T09:00:00+01:00")}
    assert rules(check(short)) == {"notice-period"}
    assert rules(check(short, CONFIG + "check:\n  notice-period:\n    days: 1\n")) == set()


def test_wording_words_come_from_site_yaml(check: Check) -> None:
    oops = {INC: edit(INCIDENT, "We traced the errors", "Oops. We traced the errors")}
    promise = {INC: edit(INCIDENT, "We traced the errors", "We promise that we traced the errors")}
    words = CONFIG + "check:\n  wording:\n    words: [oops]\n"
    assert rules(check(oops)) == set()
    assert warnings(check(oops, words)) == [f"{INC}:12: warning: 'oops' blames or over-promises; "
                                            f"{HINTS['wording']} [wording]"]
    assert rules(check(promise)) == {"wording"}
    assert rules(check(promise, words)) == set()  # the list replaces the defaults


# --- --strict ----------------------------------------------------------------------------------------------

def test_strict_fails_on_warnings_only_when_there_are_some(check: Check) -> None:
    noisy = {INC: edit(INCIDENT, "author: Giulia Rossi, Site Reliability", "author: Operations")}
    assert check(noisy).code == 0
    strict = check(noisy, CONFIG, "--strict")
    assert strict.code == 1
    assert strict.err.endswith("statuspress: checked 3 notices: 0 errors, 1 warning\n")
    assert check({}, CONFIG, "--strict").code == 0
    assert check(noisy, CONFIG + "check:\n  disable: [author]\n", "--strict").code == 0
