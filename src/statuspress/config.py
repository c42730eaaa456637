"""Reading `site.yaml` into a SiteConfig, reporting every problem with its line."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .model import Component, Contact, Problem, SiteConfig
from .validate import Reporter
from .yamlsource import YamlError, load_yaml

CONFIG_FILE = "site.yaml"
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
)
COMPONENT_FIELDS = ("id", "name", "description", "group")
CONTACT_FIELDS = ("name", "email", "phone", "url")
COMPONENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def load_config(root: Path) -> tuple[SiteConfig | None, list[Problem]]:
    """Read `root/site.yaml`; return None and the problems when it is not usable."""
    report = Reporter(CONFIG_FILE)
    path = root / CONFIG_FILE
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        report.error(1, f"no {CONFIG_FILE} in {root}", "run in the site folder or pass --site DIR")
        return None, report.problems
    except UnicodeDecodeError as exc:
        offset = len(raw) - len(exc.object) + exc.start  # utf-8-sig reports offsets after the BOM
        line = raw[:offset].count(b"\n") + 1
        report.error(line, f"not UTF-8: byte 0x{raw[offset]:02x} at offset {offset}", "save the file as UTF-8")
        return None, report.problems
    except OSError as exc:
        report.error(1, f"cannot read {CONFIG_FILE}: {exc.strerror or exc}")
        return None, report.problems
    try:
        doc = load_yaml(text)
    except YamlError as exc:
        report.error(exc.line, exc.message, exc.hint)
        return None, report.problems
    data = report.mapping(doc, (), doc.data, SITE_FIELDS, ("name", "url", "components"), CONFIG_FILE)
    if data is None:
        return None, report.problems

    name = report.text(doc, ("name",), data.get("name")) or ""
    description = report.text(doc, ("description",), data.get("description")) or ""
    language = report.text(doc, ("language",), data.get("language")) or "en"
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
    numbers = {key: _positive(report, doc, key, data[key])
               for key in ("recent_days", "history_per_page") if key in data}
    if report.failed:
        return None, report.problems
    config = SiteConfig(
        name=name,
        url=url.rstrip("/") + "/",
        description=description,
        time_zone=time_zone,
        language=language,
        contact=contact,
        components=components,
        **{key: value for key, value in numbers.items() if value is not None},
    )
    return config, report.problems


def _contact(report: Reporter, doc: Any, value: Any) -> Contact:
    if value is None:
        return Contact()
    data = report.mapping(doc, ("contact",), value, CONTACT_FIELDS)
    if data is None:
        return Contact()
    return Contact(**{key: report.text(doc, ("contact", key), data.get(key)) or "" for key in CONTACT_FIELDS})


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
        ))
    return tuple(components)


def _positive(report: Reporter, doc: Any, key: str, value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    report.error(doc.line(key), f"'{key}' must be a whole number above 0, not '{value}'")
    return None
