"""HTML pages: a Jinja environment (autoescaped, strict) over the site's and the default templates."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from . import status, times
from .calendar import CALENDAR, webcal_url
from .feeds import FEED, component_feed
from .model import Component, ComponentStatus, Indicator, Kind, Site
from .views import NoticeView

ASSETS = "assets"
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def environment(site: Site) -> Environment:
    """Build the Jinja environment: the site's `templates/` first, then the defaults."""
    zone = site.config.zone
    loaders: list[Any] = []
    overrides = Path(site.root) / "templates"
    if overrides.is_dir():
        loaders.append(FileSystemLoader(overrides))
    loaders.append(PackageLoader("statuspress", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        stamp=lambda t, weekday=False: times.stamp(t, zone, weekday),
        span=lambda w: times.span(w.start, w.end, zone),
        local_stamp=lambda t: times.local_stamp(t, zone),
        day=lambda t: times.day(t, zone),
        duration=times.duration,
        date_words=times.date_words,
        date_range=times.date_range,
        iso=times.iso,
    )
    return env


@dataclass(frozen=True)
class Group:
    """A row of the component list: a named group of components, or one ungrouped component."""

    name: str
    status: ComponentStatus
    components: tuple[tuple[Component, ComponentStatus], ...]


def component_groups(components: Iterable[Component], statuses: dict[str, ComponentStatus]) -> list[Group]:
    """Gather components by group, in the order `site.yaml` gives them."""
    rows: list[Group] = []
    index: dict[str, int] = {}
    for component in components:
        entry = (component, statuses[component.id])
        if component.group and component.group in index:
            row = rows[index[component.group]]
            members = (*row.components, entry)
            worst = max((s for _, s in members), key=lambda s: s.severity)
            rows[index[component.group]] = Group(row.name, worst, members)
            continue
        if component.group:
            index[component.group] = len(rows)
        rows.append(Group(component.group, entry[1], (entry,)))
    return rows


def history_pages(views: list[NoticeView], per_page: int) -> list[list[NoticeView]]:
    """Cut the history, newest first, into pages; there is always at least one."""
    return [views[i : i + per_page] for i in range(0, len(views), per_page)] or [[]]


def history_path(number: int) -> str:
    return "history/" if number == 1 else f"history/{number}/"


def by_month(views: list[NoticeView], site: Site) -> list[tuple[str, list[NoticeView]]]:
    months: list[tuple[str, list[NoticeView]]] = []
    for view in views:
        local = view.time.astimezone(site.config.zone)
        label = f"{MONTH_NAMES[local.month - 1]} {local.year}"
        if not months or months[-1][0] != label:
            months.append((label, []))
        months[-1][1].append(view)
    return months


def render_pages(site: Site, views: list[NoticeView], now: datetime, env: Environment) -> dict[str, bytes]:
    """Render every HTML page of the site, keyed by its path in the output."""
    config = site.config
    statuses = status.component_statuses(config, site.incidents, site.maintenance, now)
    indicator: Indicator = status.overall_status(config, site.incidents, site.maintenance, now)
    incidents = [v for v in views if v.kind is Kind.INCIDENT]
    maintenance = [v for v in views if v.kind is Kind.MAINTENANCE]
    by_slug = {v.slug: v for v in incidents}
    common = {"site": config, "now": now, "feed": FEED, "indicator": indicator,
              "component_feed": component_feed, "calendar": CALENDAR, "webcal": webcal_url(config)}
    pages: dict[str, bytes] = {}

    def page(path: str, template: str, root: str | None = None, **context: Any) -> None:
        file = path + "index.html" if path.endswith("/") or not path else path
        prefix = root if root is not None else "../" * file.count("/")
        html = env.get_template(template).render(**common, **context, root=prefix, path=path)
        pages[file] = html.encode("utf-8")

    page(
        "",
        "index.html",
        groups=component_groups(config.components, statuses),
        unresolved=[v for v in incidents if v.is_open],
        in_progress=[v for v in maintenance if v.is_open],
        upcoming=sorted((v for v in maintenance if v.state == "scheduled"), key=lambda v: (v.time, v.slug)),
        recent=[
            (group, [by_slug[i.slug] for i in group.incidents])
            for group in status.recent_days(site.incidents, now, config.zone, config.recent_days)
        ],
    )
    for view in views:
        page(view.url_path, f"{view.kind.value}.html", notice=view)
    chunks = history_pages(views, config.history_per_page)
    for number, chunk in enumerate(chunks, start=1):
        page(
            history_path(number),
            "history.html",
            months=by_month(chunk, site),
            number=number,
            count=len(chunks),
            previous=history_path(number - 1) if number > 1 else None,
            next=history_path(number + 1) if number < len(chunks) else None,
        )
    page("404.html", "404.html", root=urlsplit(config.url).path or "/")
    return pages


def assets(site: Site) -> dict[str, bytes]:
    """Return the static files: the defaults, each replaced by the site's file of the same name."""
    found: dict[str, bytes] = {}
    default = files("statuspress") / "templates" / ASSETS
    for item in sorted(default.iterdir(), key=lambda i: i.name):
        if item.is_file():
            found[posixpath.join(ASSETS, item.name)] = item.read_bytes()
    overrides = Path(site.root) / "templates" / ASSETS
    if overrides.is_dir():
        for path in sorted(p for p in overrides.rglob("*") if p.is_file()):
            found[posixpath.join(ASSETS, path.relative_to(overrides).as_posix())] = path.read_bytes()
    return found
