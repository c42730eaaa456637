"""Reading `site.yaml` into a SiteConfig, reporting every problem with its line."""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .i18n import TAG, catalogue_code, supported
from .model import (
    CONFIG_FILE,
    RULES,
    CheckSettings,
    Component,
    Contact,
    Limits,
    Problem,
    Repository,
    SiteConfig,
    UptimeSettings,
)
from .validate import Reporter, suggest
from .yamlsource import YamlError, load_yaml

SITE_FIELDS = (
    "name",
    "url",
    "description",
    "time_zone",
    "language",
    "contact",
    "components",
    "recent_days",
    "history_per_page",
    "check",
    "repository",
    "uptime",
    "limits",
)
CHECK_FIELDS = ("disable", "summary", "author", "postmortem", "notice-period", "wording")
REPOSITORY_FIELDS = ("url", "branch", "path")
COMPONENT_FIELDS = ("id", "name", "description", "group", "since")
UPTIME_FIELDS = ("days", "partial_outage")
LIMIT_FIELDS = ("file_bytes", "title_chars", "window_days")
MAX_UPTIME_DAYS = 366
CONTACT_FIELDS = ("name", "email", "phone", "url")
COMPONENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


Lines = tuple[tuple[str, int], ...]


def load_config(root: Path) -> tuple[SiteConfig | None, Lines, list[Problem]]:
    """Read `root/site.yaml`: the config (None when unusable), its fields' lines, and the problems."""
    report = Reporter(CONFIG_FILE)
    path = root / CONFIG_FILE
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        report.error(1, f"no {CONFIG_FILE} in {root}", "run in the site folder or pass --site DIR")
        return None, (), report.problems
    except UnicodeDecodeError as exc:
        offset = len(raw) - len(exc.object) + exc.start  # utf-8-sig reports offsets after the BOM
        line = raw[:offset].count(b"\n") + 1
        report.error(line, f"not UTF-8: byte 0x{raw[offset]:02x} at offset {offset}", "save the file as UTF-8")
        return None, (), report.problems
    except OSError as exc:
        report.error(1, f"cannot read {CONFIG_FILE}: {exc.strerror or exc}")
        return None, (), report.problems
    try:
        doc = load_yaml(text)
    except YamlError as exc:
        report.error(exc.line, exc.message, exc.hint)
        return None, (), report.problems
    data = report.mapping(doc, (), doc.data, SITE_FIELDS, ("name", "url", "components"), CONFIG_FILE)
    if data is None:
        return None, (), report.problems

    name = report.text(doc, ("name",), data.get("name")) or ""
    description = report.text(doc, ("description",), data.get("description")) or ""
    language = _language(report, doc, report.text(doc, ("language",), data.get("language")) or "en")
    url = report.text(doc, ("url",), data.get("url")) or ""
    if url and not re.match(r"^https?://[^/\s]+", url):
        report.error(doc.line("url"), f"'url' must be an absolute http(s) URL, not '{url}'",
                     "e.g. url: https://status.example.com/")
    time_zone = report.text(doc, ("time_zone",), data.get("time_zone")) or "UTC"
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        close = difflib.get_close_matches(time_zone, sorted(available_timezones()), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use an IANA name such as Europe/Rome or UTC"
        report.error(doc.line("time_zone"), f"unknown time zone '{time_zone}'", hint)
        time_zone = "UTC"
    contact = _contact(report, doc, data.get("contact"))
    components = _components(report, doc, data.get("components"))
    recent_days = _positive(report, doc, ("recent_days",), data.get("recent_days", 14), 14)
    per_page = _positive(report, doc, ("history_per_page",), data.get("history_per_page", 50), 50)
    check = _check(report, doc, data.get("check"))
    repository = _repository(report, doc, data.get("repository"))
    uptime = _uptime(report, doc, data.get("uptime"))
    limits = _limits(report, doc, data.get("limits"))
    if report.failed:
        return None, (), report.problems
    config = SiteConfig(
        name=name,
        url=url.rstrip("/") + "/",
        description=description,
        time_zone=time_zone,
        language=language,
        contact=contact,
        components=components,
        recent_days=recent_days,
        history_per_page=per_page,
        check=check,
        repository=repository,
        uptime=uptime,
        limits=limits,
    )
    lines = tuple((".".join(map(str, key)), line) for key, line in doc.lines.items())
    return config, lines, report.problems


def _language(report: Reporter, doc: Any, tag: str) -> str:
    """Check the language tag: malformed is an error; one with no shipped catalogue gets English texts."""
    if not TAG.match(tag):
        report.error(doc.line("language"), f"'language' must be a language tag such as en, it or de-CH, not '{tag}'",
                     f"languages with a catalogue: {supported()}")
        return "en"
    if catalogue_code(tag) is None:
        report.warning(doc.line("language"), f"no catalogue for the language '{tag}': the pages' fixed texts and "
                       "dates are in English, and their lang attribute stays '" + tag + "'",
                       f"languages with a catalogue: {supported()}; README.md, Languages, says how to add one")
    return tag


def _contact(report: Reporter, doc: Any, value: Any) -> Contact:
    if value is None:
        return Contact()
    data = report.mapping(doc, ("contact",), value, CONTACT_FIELDS)
    if data is None:
        return Contact()
    contact = Contact(**{key: report.text(doc, ("contact", key), data.get(key)) or "" for key in CONTACT_FIELDS})
    if contact.url and not re.match(r"^https?://[^/\s]+", contact.url):
        # Every page links to it: a `javascript:` or `data:` address would run in the reader's browser.
        report.warning(doc.line("contact", "url"),
                       f"'contact.url' must be an http(s) URL, not '{contact.url}'; it is left out of every page",
                       "e.g. https://help.example.com/")
        contact = Contact(contact.name, contact.email, contact.phone, "")
    return contact


def _components(report: Reporter, doc: Any, value: Any) -> tuple[Component, ...]:
    if not isinstance(value, list) or not value:
        if value is not None:
            report.error(doc.line("components"), "'components' must be a list of {id, name} entries",
                         "e.g. components: [{id: api, name: API}, {id: web, name: Website}]")
        return ()
    components: list[Component] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        path = ("components", index)
        entry = report.mapping(doc, path, item, COMPONENT_FIELDS, ("id", "name"), f"component {index + 1}")
        if entry is None:
            continue
        cid = report.text(doc, (*path, "id"), entry.get("id")) or ""
        if cid and not COMPONENT_ID.match(cid):
            report.error(doc.line(*path, "id"), f"component id '{cid}' is not a simple name",
                         "use lower-case letters, digits, '-' and '_', e.g. api or web-app")
        if cid and cid in seen:
            report.error(doc.line(*path, "id"), f"component id '{cid}' is used twice",
                         f"it is already on line {seen[cid]}")
        seen[cid] = doc.line(*path, "id")
        components.append(Component(
            id=cid,
            name=report.text(doc, (*path, "name"), entry.get("name")) or cid,
            description=report.text(doc, (*path, "description"), entry.get("description")) or "",
            group=report.text(doc, (*path, "group"), entry.get("group")) or "",
            since=_date(report, doc, (*path, "since"), entry.get("since")),
        ))
    return tuple(components)


def _positive(report: Reporter, doc: Any, path: tuple[str, ...], value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    report.error(doc.line(*path), f"'{'.'.join(path)}' must be a whole number above 0, not '{value}'")
    return default


def _words(report: Reporter, doc: Any, path: tuple[str, ...], value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        report.error(doc.line(*path), f"'{'.'.join(path)}' must be a list of words", "e.g. [fail, slow, error]")
        return None
    return tuple(str(v).strip() for v in value)


def _or(words: tuple[str, ...] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """An absent list takes the default; an empty one is honoured (it switches the list off)."""
    return default if words is None else words


def _check(report: Reporter, doc: Any, value: Any) -> CheckSettings:
    """Read the `check:` section: which review rules run, and their settings."""
    defaults = CheckSettings()
    if value is None:
        return defaults
    data = report.mapping(doc, ("check",), value, CHECK_FIELDS)
    if data is None:
        return defaults
    disable = _words(report, doc, ("check", "disable"), data.get("disable")) or ()
    for index, rule in enumerate(disable):
        if rule not in RULES:
            report.error(doc.line("check", "disable", index), f"unknown rule '{rule}'", suggest(rule, RULES))

    def section(name: str, known: tuple[str, ...]) -> dict[str, Any]:
        found = data.get(name)
        if found is None:
            return {}
        return report.mapping(doc, ("check", name), found, known) or {}

    summary = section("summary", ("words",))
    author = section("author", ("generic",))
    postmortem = section("postmortem", ("days", "headings"))
    period = section("notice-period", ("days",))
    wording = section("wording", ("words",))
    headings = defaults.postmortem_headings
    if "headings" in postmortem:
        raw = postmortem["headings"]
        if (isinstance(raw, list) and len(raw) == 3 and all(isinstance(part, list) and part for part in raw)):
            headings = tuple(tuple(str(word).lower() for word in part) for part in raw)
        else:
            report.error(doc.line("check", "postmortem", "headings"),
                         "'headings' must be three lists: what went wrong, what happened, how it will be prevented",
                         "e.g. [[what went wrong, root cause], [what happened, timeline], [prevent, action items]]")
    return CheckSettings(
        disable=disable,
        symptom_words=_or(_words(report, doc, ("check", "summary", "words"), summary.get("words")),
                          defaults.symptom_words),
        generic_authors=_or(_words(report, doc, ("check", "author", "generic"), author.get("generic")),
                            defaults.generic_authors),
        postmortem_days=_positive(report, doc, ("check", "postmortem", "days"),
                                  postmortem.get("days", defaults.postmortem_days), defaults.postmortem_days),
        postmortem_headings=headings,
        notice_days=_positive(report, doc, ("check", "notice-period", "days"),
                              period.get("days", defaults.notice_days), defaults.notice_days),
        wording=_or(_words(report, doc, ("check", "wording", "words"), wording.get("words")), defaults.wording),
    )


def _repository(report: Reporter, doc: Any, value: Any) -> Repository | None:
    """Read `repository:`, which lets every notice page link to its file's history."""
    if value is None:
        return None
    data = report.mapping(doc, ("repository",), value, REPOSITORY_FIELDS, ("url",))
    if data is None:
        return None
    url = report.text(doc, ("repository", "url"), data.get("url")) or ""
    if not re.match(r"^https?://[^/\s]+", url):
        report.error(doc.line("repository", "url"), f"'repository.url' must be an http(s) URL, not '{url}'",
                     "e.g. https://github.com/example/status")
        return None
    return Repository(url=url.rstrip("/"),
                      branch=report.text(doc, ("repository", "branch"), data.get("branch")) or "main",
                      path=report.text(doc, ("repository", "path"), data.get("path")) or "")


def _date(report: Reporter, doc: Any, path: tuple[str | int, ...], value: Any) -> date | None:
    """Read a calendar day written `YYYY-MM-DD` (a component's `since`)."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    report.error(doc.line(*path), f"'{path[-1]}' must be a day written YYYY-MM-DD, not '{text}'",
                 "e.g. since: 2026-09-01")
    return None


def _uptime(report: Reporter, doc: Any, value: Any) -> UptimeSettings:
    """Read `uptime:`: how many days the bars show, and how much of a partial outage is downtime."""
    defaults = UptimeSettings()
    if value is None:
        return defaults
    data = report.mapping(doc, ("uptime",), value, UPTIME_FIELDS)
    if data is None:
        return defaults
    days = _positive(report, doc, ("uptime", "days"), data.get("days", defaults.days), defaults.days)
    if days > MAX_UPTIME_DAYS:
        report.error(doc.line("uptime", "days"), f"'uptime.days' can be at most {MAX_UPTIME_DAYS}, not {days}",
                     "every day is a cell of each component's bar; 90 is usual")
        days = defaults.days
    weight = data.get("partial_outage", defaults.partial_outage)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        report.error(doc.line("uptime", "partial_outage"),
                     f"'uptime.partial_outage' must be a number from 0 to 1, not '{weight}'",
                     "the share of a partial outage counted as downtime, e.g. 0.3")
        weight = defaults.partial_outage
    return UptimeSettings(days=days, partial_outage=float(weight))


def _limits(report: Reporter, doc: Any, value: Any) -> Limits:
    """Read `limits:`: the largest notice file, the longest title and the longest maintenance window."""
    defaults = Limits()
    if value is None:
        return defaults
    data = report.mapping(doc, ("limits",), value, LIMIT_FIELDS)
    if data is None:
        return defaults
    return Limits(**{
        name: _positive(report, doc, ("limits", name), data.get(name, getattr(defaults, name)), getattr(defaults, name))
        for name in LIMIT_FIELDS
    })
