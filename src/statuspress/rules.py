"""Review aids: warnings where a notice breaks the practice in COMMS.md, one rule per id.

Every rule is a pure function of (site, notice, settings, now) that returns warnings; `review`
runs those not disabled in the `check:` section of site.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from . import status
from .model import CheckSettings, Impact, Incident, Maintenance, MaintenanceState, Notice, Problem, Site

Rule = Callable[[Site, Notice, CheckSettings, datetime], Iterator[Problem]]


def _warn(notice: Notice, line: int, rule: str, message: str, hint: str = "") -> Problem:
    return Problem(notice.path, line, message, hint, "warning", rule)


def _source_lines(notice: Notice) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) of the notice's file."""
    yield from enumerate(notice.source.split("\n"), start=1)


def _body_lines(notice: Notice) -> Iterator[tuple[int, str]]:
    """Yield the lines after the front matter: the text customers read."""
    for number, text in _source_lines(notice):
        if number >= notice.summary_line:
            yield number, text


def _contains(text: str, phrase: str) -> bool:
    """Tell whether `phrase` starts a word of `text`, so that `fail` finds "failed" too."""
    return re.search(rf"(?<![\w-]){re.escape(phrase.lower())}", text.lower()) is not None


def summary(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Lead with an executive summary': a first paragraph naming what is affected or how."""
    first = notice.summary.strip().split("\n\n")[0]
    if not first:
        yield _warn(notice, notice.summary_line, "summary", "the notice has no summary before its first update",
                    "start with a paragraph saying what customers experience and what it means for them")
        return
    names = [site.config.component(cid).name for cid, _ in notice.components] + [c for c, _ in notice.components]
    if not any(_contains(first, word) for word in (*names, *settings.symptom_words)):
        yield _warn(notice, notice.summary_line, "summary",
                    "the first paragraph names neither an affected component nor a symptom",
                    f"say what customers notice, e.g. '{names[0]} requests fail' or '… are slow'")


def next_update(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Promise the next update, and keep the promise'."""
    if not isinstance(notice, Incident) or not status.is_published(notice, now) or status.is_resolved(notice, now):
        return
    if notice.next_update is None:
        yield _warn(notice, 1, "next-update", "this unresolved incident does not promise a next update",
                    "add e.g. 'next_update: " + (now + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:00Z") + "'")
    elif notice.next_update < now:
        yield _warn(notice, notice.line("next_update"), "next-update",
                    f"the promised update at {notice.next_update:%Y-%m-%d %H:%M} UTC has passed",
                    "post an update now, even if nothing changed, and promise the next one")


def author(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Sign with a name': an anonymous 'Operations' reads as evasive."""
    if not notice.author:
        yield _warn(notice, notice.line("author"), "author", "the notice is not signed",
                    "add 'author: <a person or named team>', e.g. Giulia Rossi, Site Reliability")
        return
    generic = {g.lower() for g in settings.generic_authors}
    words = re.findall(r"[\w'-]+", notice.author.lower())
    if notice.author.strip().lower() in generic or all(w in generic for w in words):
        yield _warn(notice, notice.line("author"), "author", f"'{notice.author}' is a generic signature",
                    "sign with a person's name or a named team, e.g. 'Giulia Rossi, Site Reliability'")


def postmortem(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Root cause, made public': what went wrong, what happened, how it will be prevented."""
    if not isinstance(notice, Incident) or notice.impact not in (Impact.MAJOR, Impact.CRITICAL):
        return
    resolved = status.resolved_at(notice, now)
    if resolved is None or now - resolved <= timedelta(days=settings.postmortem_days):
        return
    written = status.visible_postmortem(notice, now)
    if written is None:
        days = settings.postmortem_days
        yield _warn(notice, 1, "postmortem",
                    f"a {notice.impact.value} incident resolved over {days} days ago has no postmortem",
                    "add a '## Postmortem' section: what went wrong, what happened, how it will be prevented")
        return
    headings = [h.lower() for h in re.findall(r"^#{3,6}\s+(.+?)\s*#*$", written.body, re.MULTILINE)]
    missing = [part[0] for part in settings.postmortem_headings
               if not any(any(word in heading for word in part) for heading in headings)]
    if missing:
        yield _warn(notice, written.line, "postmortem", "the postmortem lacks: " + ", ".join(missing),
                    "give each part a '### ' heading, e.g. '### " + missing[0].capitalize() + "'")


def notice_period(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Announce it in advance'."""
    if not isinstance(notice, Maintenance):
        return
    if status.maintenance_state(notice, now) in (MaintenanceState.COMPLETED, MaintenanceState.CANCELLED):
        return
    if notice.rescheduled:
        told, line = notice.rescheduled[-1].on, notice.line(f"rescheduled.{len(notice.rescheduled) - 1}.on")
    elif notice.announced is not None:
        told, line = notice.announced, notice.line("announced")
    else:
        yield _warn(notice, 1, "notice-period", "the maintenance does not say when it was announced",
                    "add 'announced: <time>' so readers and this check know the notice period")
        return
    if notice.window.start - told < timedelta(days=settings.notice_days):
        yield _warn(notice, line, "notice-period",
                    f"announced less than {settings.notice_days} days before its window",
                    "give customers more notice, or say in the text why it cannot wait")


def move_reason(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Only announce windows you will use': a moved window must say why."""
    if not isinstance(notice, Maintenance):
        return
    for index, move in enumerate(notice.rescheduled):
        if not move.reason:
            yield _warn(notice, notice.line(f"rescheduled.{index}"), "move-reason",
                        "the window was moved without a reason",
                        "add 'reason: …' to this move; an unexplained move looks like another outage")


def wording(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """COMMS 'Neutral tone' and 'Don't promise what you can't deliver'."""
    texts = [(notice.line("title"), notice.title), *_body_lines(notice)]
    for number, text in texts:
        for phrase in settings.wording:
            if _contains(text, phrase):
                yield _warn(notice, number, "wording", f"'{phrase}' blames or over-promises",
                            "keep a neutral tone and promise only what you are sure of")


def placeholder(site: Site, notice: Notice, settings: CheckSettings, now: datetime) -> Iterator[Problem]:
    """Template text that still asks for a fact: every `TODO` left in the file."""
    for number, text in _source_lines(notice):
        if "TODO" in text:
            ask = text.split("TODO", 1)[1].lstrip(" :")
            yield _warn(notice, number, "placeholder", "a placeholder is left: " + (ask or "TODO"),
                        "replace it with the fact it asks for, or remove it")


NOTICE_RULES: dict[str, Rule] = {
    "summary": summary,
    "next-update": next_update,
    "author": author,
    "postmortem": postmortem,
    "notice-period": notice_period,
    "move-reason": move_reason,
    "wording": wording,
    "placeholder": placeholder,
}


def contact(site: Site) -> list[Problem]:
    """COMMS 'give contact details': the site must say how to reach a person."""
    found = site.config.contact
    if found.email or found.phone or found.url:
        return []
    return [Problem("site.yaml", dict(site.config_lines).get("contact", 1),
                    "the site gives no email, phone or URL to reach a person", "add 'contact: {email: …}'",
                    "warning", "contact")]


def review(site: Site, now: datetime, only: set[str] | None = None) -> list[Problem]:
    """Run every enabled rule on every notice, published or not yet (or only on the paths in `only`)."""
    settings = site.config.check
    problems = [] if "contact" in settings.disable else contact(site)
    for notice in (*site.incidents, *site.maintenance):
        if only is not None and notice.path not in only:
            continue
        for rule_id, rule in NOTICE_RULES.items():
            if rule_id not in settings.disable:
                problems.extend(rule(site, notice, settings, now))
    return problems
