"""HTML pages: a Jinja environment (autoescaped, strict) over the site's and the default templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    pass_eval_context,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from . import asof, i18n, status, times
from .badges import page_policy
from .calendar import CALENDAR, webcal_url
from .feeds import FEED, component_feed
from .model import Component, ComponentStatus, Indicator, Kind, Site, SiteConfig
from .reuse import reused
from .static import Assets, load_assets, policy_sources
from .views import ComponentView, DayView, NoticeView, component_views

if TYPE_CHECKING:
    from babel.support import Translations

ASSETS = "assets"


def environment(site: Site, static: Assets | None = None) -> Environment:
    """Build the Jinja environment: the site's `templates/` first, then the defaults, with the
    catalogue, words and dates of the site's language (see i18n.py)."""
    zone = site.config.zone
    lang = i18n.language(site.config.language)
    dates = lang.dates
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
        extensions=["jinja2.ext.i18n"],
        # Compiled templates are kept, by the checksum of their source, where Jinja keeps them: in a folder
        # of the temporary directory that only this user can write (like Python's own .pyc files), never
        # in the site or its cache, which others may write.
        bytecode_cache=FileSystemBytecodeCache(),
        # A build's environment is made again when a template changes (build._environment): no need to
        # ask the disk whether one did, several times a page.
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
    gettext = _gettext(lang.translations)
    env.globals.update(_=gettext, gettext=gettext)
    env.filters.update(
        stamp=lambda t, weekday=False: dates.stamp(t, zone, weekday),
        short_stamp=lambda t, now: dates.short_stamp(t, zone, now),
        span=lambda w: dates.span(w.start, w.end, zone),
        local_stamp=lambda t: dates.local_stamp(t, zone),
        day=lambda t: dates.day(t, zone),
        duration=lang.duration,
        date_words=dates.date_words,
        date_range=dates.date_range,
        iso=times.iso,
        short_date=dates.short_date,
        cells=bar_cells,
        range_parts=dates.range_parts,
        words=lang.words,  # a component status, the overall status or an impact level: `Partial outage`
        in_sentence=lang.in_sentence,  # a component status inside a sentence: `partial outage`
        impact=lang.impact,  # `Minor impact`
        percent=lang.percent,  # "99.97" -> `99.97%`, `99,97 %`
    )
    # `{{ root }}{{ asset('style.css') }}`: a static file's fingerprinted path; `csp`: the pages' <meta> policy.
    # `asset_sources`: the policy directives the static files need, for `_headers` (badges.py).
    static = static or load_assets(site)
    sources = policy_sources(static.paths)
    env.globals.update(remember=remember, settled_keys=settled_keys, once=_once(), line=line,
                       uptime_bar=uptime_bar,
                       notice_lines=partial(notice_lines, (overrides / "macros.html").is_file()))
    env.globals.update(asset=static.path, csp=Markup(page_policy(sources, meta=True)), asset_sources=sources)
    return env


def _gettext(translations: Translations) -> Callable[..., str]:
    """The templates' `_()` and `gettext()` as jinja2.ext.i18n makes them (newstyle: the message is a format
    string, Markup when autoescaping), with each message looked up once: they are called many times a page."""
    found: dict[str, Markup] = {}

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
        if not eval_ctx.autoescape:
            return translations.gettext(string) % variables
        message = found.get(string)
        if message is None:
            message = found[string] = Markup(translations.gettext(string))
        return message % variables if variables or "%" in message else message

    return gettext


def _once(limit: int = 256) -> Callable[..., Markup]:
    """The templates' `{% call once(*parts) %}…{% endcall %}`: the block's text, made the first time it is
    called with these `parts`, then the same text for the life of the environment (one build, or one
    set of templates and configuration in `serve`). For what many pages show alike, such as the masthead:
    `parts` must name all the block shows that is not the same for the whole site."""
    made: dict[tuple[object, ...], Markup] = {}

    def once(*parts: object, caller: Callable[[], str]) -> Markup:
        found = made.get(parts)
        if found is None:
            if len(made) >= limit:  # `serve` keys its live footers by each build's `now`
                made.clear()
            found = made[parts] = Markup(caller())
        return found

    return once


def remember(parts: tuple[object, ...], macro: Callable[..., str], *args: Any) -> Markup:
    """Call a template macro, or return what it returned for the same `parts` before (reuse.py): for
    fragments that show only settled notices, such as a line of the history."""
    return Markup(reused(parts, lambda: str(macro(*args))))


ROOT = Markup("\0<root>")  # where a reused line puts the page's `root`: a notice's text, escaped, has no `<`


def line(notice: NoticeView, root: str, macro: Callable[[NoticeView, str], str]) -> Markup:
    """A notice's line in a list of notices (macros.html `notice_line`), which `macro` makes with the
    page's `root` before each link. A settled notice's line is made once with ROOT in its place, kept
    (reuse.py), and `root` put in: the same text on pages at any depth."""
    return lines((notice,), root, macro)


def notice_lines(own_macros: bool, notices: Iterable[NoticeView], macros: Any, root: str) -> Markup:
    """The lines of `notices` in a list (`macros.notice_line` of each), one under the other, as a loop of
    `notice_line` in a template writes them. With the default macros.html, made by `lines` in one call,
    not a macro call per notice; with a site's own, by its `notice_line` (`own_macros`)."""
    if own_macros:
        return Markup("\n".join(str(macros.notice_line(notice)) for notice in notices))
    return lines(notices, root, macros.notice_line_at)


def lines(notices: Iterable[NoticeView], root: str, macro: Callable[[NoticeView, str], str]) -> Markup:
    """The `line`s of `notices`, one under the other, with `root` escaped once (`notice_lines`)."""
    placed = escape(root)
    made = [str(macro(notice, root)) if notice.settled is None else
            reused(("line", notice.key), partial(_unplaced, notice, macro)).replace(ROOT, placed)
            for notice in notices]
    return Markup("\n".join(made))


def _unplaced(notice: NoticeView, macro: Callable[[NoticeView, str], str]) -> str:
    return str(macro(notice, ROOT))


HERE = Markup("\0<here>")  # where a reused uptime bar puts the address of the component's page, as ROOT


def uptime_bar(view: ComponentView, here: str, root: str, macro: Callable[[ComponentView, str, str], str]) -> Markup:
    """A component's uptime bar (macros.html `_bar`), which `macro` makes with `here`, the address of the
    component's page from the page, and the page's `root`. It is made once with HERE and ROOT in their
    places, kept (reuse.py) for as long as its days show the same, and both put in: the home page and
    the component's page show the same bar."""
    made = reused(("bar", view.bar_key), lambda: str(macro(view, HERE, ROOT)))
    return Markup(made.replace(HERE, escape(here)).replace(ROOT, escape(root)))


def settled_keys(months: Iterable[tuple[str, Sequence[NoticeView]]]) -> tuple[str, ...]:
    """The keys of the views grouped by month, when all are settled, for `remember`; else none."""
    shown = [view for _, views in months for view in views]
    return tuple(v.key for v in shown) if all(v.settled for v in shown) else ()


def range_parts(first: date, last: date) -> tuple[str, str, str]:
    """Split `times.date_range(first, last)` of two different days into (first, separator, last),
    so that each end can stand in its own <time> element: `19`, `–`, `23 Nov 2026` (English)."""
    return times.range_parts(first, last)


def short_stamp(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """Format like `stamp`, without the year when it is the year of `now`: `24 Nov, 12:00 UTC (13:00 CET)`."""
    return times.Dates().short_stamp(moment, zone, now)


@dataclass(frozen=True)
class Cell:
    """An element of an uptime bar: `days` quiet (or uncovered) days in a row, or one day with notices."""

    days: int
    covered: bool = True
    day: DayView | None = None

    @property
    def css(self) -> str:
        """The element's classes: `n` for no data, `r<days>` for a run of days (drawn as that many cells)."""
        return " ".join(([] if self.covered else ["n"]) + ([f"r{self.days}"] if self.days > 1 else []))


def bar_cells(days: Iterable[DayView]) -> list[Cell]:
    """Cut a bar into elements: each day with notices alone, quiet runs in elements of 2^k days.

    A quiet day needs no element of its own: the stylesheet draws a run of 2^k days as 2^k cells, so a
    bar of 90 quiet days takes 4 elements instead of 90, which keeps the home page small.
    """
    cells: list[Cell] = []
    run: list[DayView] = []

    def flush() -> None:
        length = len(run)
        for bit in reversed(range(length.bit_length())):
            if length & (1 << bit):
                cells.append(Cell(1 << bit, run[0].covered))
        run.clear()

    for day in days:
        if day.covered and not day.quiet:
            flush()
            cells.append(Cell(1, True, day))
        else:
            if run and run[0].covered != day.covered:
                flush()
            run.append(day)
    flush()
    return cells


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


def component_path(component_id: str, number: int = 1) -> str:
    """Return the path of a component's page: `components/<id>/`, then `components/<id>/2/` and on."""
    return f"components/{component_id}/" if number == 1 else f"components/{component_id}/{number}/"


def by_month(views: list[NoticeView], site: Site) -> list[tuple[str, list[NoticeView]]]:
    """Group views by the month of the site's zone they are filed under, keeping their order."""
    zone, dates = site.config.zone, i18n.language(site.config.language).dates
    months: list[tuple[str, list[NoticeView]]] = []
    labels: dict[tuple[int, int], str] = {}  # a month's heading, by (year, month)
    for view in views:
        local = view.time.astimezone(zone)
        label = labels.get((local.year, local.month))
        if label is None:
            label = labels[(local.year, local.month)] = dates.month(local)
        if not months or months[-1][0] != label:
            months.append((label, []))
        months[-1][1].append(view)
    return months


def page_file(path: str) -> str:
    """Return the file of a page's path: `incidents/x/` is `incidents/x/index.html`."""
    return path + "index.html" if path.endswith("/") or not path else path


def _common(config: SiteConfig) -> dict[str, Any]:
    """What every page's template gets, whatever the page shows."""
    return {"site": config, "feed": FEED, "component_feed": component_feed, "calendar": CALENDAR,
            "webcal": webcal_url(config)}


def settled(env: Environment, config: SiteConfig, path: str, template: str, shown: Sequence[NoticeView],
            more: Callable[[], dict[str, Any]] | None = None, **context: Any) -> bytes:
    """Render a page that shows only `shown`, all of them settled: as of the moment the last of them
    settled (without `indicator`, the site's status at `now`), once, then reused (reuse.py). `more`
    makes what else the template needs, only when the page is rendered."""

    def render() -> bytes:
        at = max(v.settled for v in shown if v.settled is not None)
        prefix = "../" * page_file(path).count("/")
        html = env.get_template(template).render(**_common(config), now=at, live=False, **context,
                                                 **(more() if more is not None else {}), root=prefix, path=path)
        return html.encode("utf-8")

    return reused(("page", path, template, tuple(v.key for v in shown), context.get("number"),
                   context.get("count")), render)


def live(env: Environment, config: SiteConfig, path: str, template: str, now: datetime, indicator: Indicator,
         root: str | None = None, **context: Any) -> bytes:
    """Render a page that shows the site at `now`, with marks where it says when that is (asof.py)."""
    prefix = root if root is not None else "../" * page_file(path).count("/")
    html = env.get_template(template).render(**_common(config), now=now, live=True, indicator=indicator,
                                             as_of=asof.TIME, as_of_short=asof.SHORT, **context, root=prefix,
                                             path=path)
    return asof.Stamped(html.encode("utf-8"))


def notice_page(env: Environment, config: SiteConfig, view: NoticeView, now: datetime, indicator: Indicator) -> bytes:
    """Render a notice's page: as of `now` while it is open, else as of the moment it settled (`settled`)."""
    template = f"{view.kind.value}.html"
    if view.settled is None:
        return live(env, config, view.url_path, template, now, indicator, notice=view)
    return settled(env, config, view.url_path, template, [view], notice=view)


def render_pages(site: Site, views: list[NoticeView], now: datetime, env: Environment,
                 components: dict[str, ComponentView] | None = None) -> dict[str, bytes]:
    """Render every HTML page of the site, keyed by its path in the output; `components` are the
    `component_views`, when the caller has them."""
    config = site.config
    state = status.state_of(site, now)
    statuses, indicator = state.statuses, state.indicator
    incidents = [v for v in views if v.kind is Kind.INCIDENT]
    maintenance = [v for v in views if v.kind is Kind.MAINTENANCE]
    by_slug = {v.slug: v for v in incidents}
    components = components if components is not None else component_views(site, views, now)
    pages: dict[str, bytes] = {}

    def page(path: str, template: str, root: str | None = None, **context: Any) -> None:
        """A page that shows the site at `now`."""
        pages[page_file(path)] = live(env, config, path, template, now, indicator, root, **context)

    def settled_page(path: str, template: str, shown: list[NoticeView], **context: Any) -> None:
        """A page of `shown` grouped by month: as of `now` unless they are all settled."""
        if not shown or any(v.settled is None for v in shown):
            page(path, template, months=by_month(shown, site), **context)
        else:
            pages[page_file(path)] = settled(env, config, path, template, shown,
                                             lambda: {"months": by_month(shown, site)}, **context)

    page(
        "",
        "index.html",
        groups=component_groups(config.components, statuses),
        components=components,
        unresolved=[v for v in incidents if v.is_open],
        in_progress=[v for v in maintenance if v.is_open],
        upcoming=sorted((v for v in maintenance if v.state == "scheduled"), key=lambda v: (v.time, v.slug)),
        recent=[
            (group, [by_slug[i.slug] for i in group.incidents])
            for group in status.recent_days(state.incidents, now, config.zone, config.recent_days)
        ],
    )
    for view in views:
        pages[page_file(view.url_path)] = notice_page(env, config, view, now, indicator)
    chunks = history_pages(views, config.history_per_page)
    for number, chunk in enumerate(chunks, start=1):
        settled_page(
            history_path(number),
            "history.html",
            chunk,
            number=number,
            count=len(chunks),
            previous=history_path(number - 1) if number > 1 else None,
            next=history_path(number + 1) if number < len(chunks) else None,
        )
    for component in components.values():
        chunks = history_pages(list(component.notices), config.history_per_page)
        cid = component.component.id
        for number, chunk in enumerate(chunks, start=1):
            context: dict[str, Any] = {
                "view": component,
                "number": number,
                "count": len(chunks),
                "previous": component_path(cid, number - 1) if number > 1 else None,
                "next": component_path(cid, number + 1) if number < len(chunks) else None,
            }
            if number == 1:  # the component's status and uptime at `now`
                page(component_path(cid), "component.html", months=by_month(chunk, site), **context)
            else:  # older notices only
                settled_page(component_path(cid, number), "component.html", chunk, **context)
    page("404.html", "404.html", root=urlsplit(config.url).path or "/")
    return pages
