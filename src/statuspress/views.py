"""What every output shows of a notice at `now`, computed once: the bridge from status to pages and feeds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cached_property
from typing import Any, TypeVar

from . import i18n, status
from .markup import to_html
from .model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    Kind,
    Maintenance,
    Notice,
    Reschedule,
    Site,
    SiteConfig,
    Window,
)
from .reuse import digest, reused

T = TypeVar("T")

# An update's label in English words; the pages take them from the catalogue (i18n.py).
LABEL_WORDS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "update": "Update",
    "resolved": "Resolved",
    "in progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class UpdateView:
    label: str  # lower-case label, for CSS classes
    words: str
    at: datetime
    html: str
    body: str


@dataclass(frozen=True)
class NoticeView:
    """A published notice as shown at `now`."""

    kind: Kind
    slug: str
    source: str
    title: str
    author: str
    state: str  # incident status or maintenance state value
    state_words: str
    is_open: bool  # unresolved incident, or maintenance in progress or verifying
    components: tuple[tuple[Component, ComponentStatus], ...]
    summary_html: str
    updates: tuple[UpdateView, ...]  # newest first, only those due
    time: datetime  # what it is filed under: start of the incident or of the window
    updated: datetime  # its latest visible change
    impact: Impact | None = None
    started: datetime | None = None
    detected: datetime | None = None
    resolved: datetime | None = None
    duration: timedelta | None = None
    next_update: datetime | None = None
    postmortem_html: str = ""
    postmortem_at: datetime | None = None
    window: Window | None = None
    moves: tuple[Reschedule, ...] = ()
    announced: datetime | None = None
    settled: datetime | None = None  # status.settled_at: from then on it shows this; None: it depends on `now`
    key: str = ""  # what it was made from, when settled: outputs showing only it are reused (reuse.py)

    @property
    def url_path(self) -> str:
        return f"{self.kind.folder}/{self.slug}/"

    @property
    def latest(self) -> UpdateView | None:
        return self.updates[0] if self.updates else None


def notice_view(notice: Notice, config: SiteConfig, now: datetime) -> NoticeView:
    """Compute what a published notice shows at `now`: for a settled notice, what it showed when it
    settled, which is the same, made once and reused by later builds."""
    settled = status.settled_at(notice, now)
    if settled is None:
        return _view(notice, config, now)
    key = settled_key(notice, settled)
    return reused(("view", key), lambda: replace(_view(notice, config, settled), settled=settled, key=key))


def settled_key(notice: Notice, settled: datetime) -> str:
    """What a settled notice's view (`NoticeView.key`) and outputs are made from: its text and the moment it settled."""
    found = _keys.get(id(notice))
    if found is None or found[0] is not notice or found[1] is not settled:
        found = _keys[id(notice)] = (notice, settled, f"{digest(notice)}@{settled.isoformat()}")
    return found[2]


# Each notice's `settled_key`, by id, while a build asks for it twice (parallel.prepare, then all_views);
# the notice is kept with it, so that its id stays its own. Emptied by `all_views` (forget_keys).
_keys: dict[int, tuple[Notice, datetime, str]] = {}


def forget_keys() -> None:
    """Let go of the notices `settled_key` keeps: a worker process is done with those it made."""
    _keys.clear()


def _view(notice: Notice, config: SiteConfig, now: datetime) -> NoticeView:
    lang = i18n.language(config.language)  # state and update words in the site's language
    # How a screen reader names the checkbox of a task list item (a postmortem's action items).
    tasks = (lang.pgettext("action item", "done"), lang.pgettext("action item", "to do"))
    updates = tuple(
        UpdateView(
            u.label, lang.state(notice.kind, u.label), u.at, to_html(u.body, config.url, task_labels=tasks), u.body
        )
        for u in status.visible_updates(notice, now)
    )
    common: dict[str, Any] = {
        "kind": notice.kind,
        "slug": notice.slug,
        "source": notice.path,
        "title": notice.title,
        "author": notice.author,
        "components": tuple((config.component(cid), st) for cid, st in notice.components),
        "summary_html": to_html(notice.summary, config.url, task_labels=tasks),
        "updates": updates,
        "time": status.notice_time(notice, now),
        "updated": status.last_changed(notice, now),
    }
    if isinstance(notice, Incident):
        state = status.incident_status(notice, now)
        resolved = status.resolved_at(notice, now)
        postmortem = status.visible_postmortem(notice, now)
        return NoticeView(
            **common,
            state=state.value,
            state_words=lang.state(notice.kind, state.value),
            is_open=resolved is None,
            impact=notice.impact,
            started=status.started_at(notice),
            detected=notice.detected,
            resolved=resolved,
            duration=status.incident_duration(notice, now),
            next_update=notice.next_update if resolved is None else None,
            postmortem_html=to_html(postmortem.body, config.url, task_labels=tasks) if postmortem else "",
            postmortem_at=postmortem.at if postmortem else None,
        )
    assert isinstance(notice, Maintenance)
    mstate = status.maintenance_state(notice, now)
    return NoticeView(
        **common,
        state=mstate.value,
        state_words=lang.state(notice.kind, mstate.value),
        is_open=mstate in status.OPEN_MAINTENANCE,
        window=status.window_at(notice, now),
        moves=status.visible_moves(notice, now),
        announced=notice.announced,
    )


def all_views(config: SiteConfig, notices: list[Notice], now: datetime) -> list[NoticeView]:
    """Return the views of every published notice, newest first, in a stable order."""
    views = [notice_view(n, config, now) for n in notices if status.is_published(n, now)]
    forget_keys()
    views.sort(key=lambda v: (v.time, v.kind, v.slug), reverse=True)  # a Kind sorts as its value
    return views


@dataclass(frozen=True)
class DayView:
    """A cell of a component's bar: the day, whether it has data, its worst status, its notices."""

    day: date
    covered: bool
    status: ComponentStatus
    notices: tuple[NoticeView, ...]  # in the order they started

    @property
    def quiet(self) -> bool:
        return not self.notices


@dataclass(frozen=True)
class ComponentView:
    """A component at `now`: its status, its uptime history and every published notice naming it."""

    component: Component
    status: ComponentStatus
    days: tuple[DayView, ...]  # oldest first, one per day of the site's zone
    availability: str | None  # "99.97": percent, two decimals, rounded down; None without covered days
    covered_from: date  # the first day with data: the first day of the bar, or `since`
    notices: tuple[NoticeView, ...]  # newest first, as in the history
    figure_until: datetime | None = None  # when `availability` would change with nothing else (status.next_figure)

    @property
    def url_path(self) -> str:
        return f"components/{self.component.id}/"

    @cached_property
    def open_notices(self) -> tuple[NoticeView, ...]:
        return tuple(v for v in self.notices if v.is_open)

    @cached_property
    def bar_key(self) -> tuple[object, ...]:
        """All that the uptime bar and its list of days show, to reuse them (`render.remember`)."""
        return (self.component.name, tuple(
            (d.day, d.covered, d.status.value, tuple((n.url_path, n.title) for n in d.notices)) for d in self.days))


def component_views(site: Site, views: list[NoticeView], now: datetime) -> dict[str, ComponentView]:
    """Return every component's view, keyed by its id, in the order of site.yaml."""
    config = site.config
    statuses = status.state_of(site, now).statuses
    by_key = {(v.kind, v.slug): v for v in views}
    weight = Fraction(str(config.uptime.partial_outage))
    # Incidents resolved before the bar's first day are not in it: passed over once, not per component.
    since = status.day_start(status.first_day(now, config.zone, config.uptime.days), config.zone)
    incidents = naming(config, [i for i in site.incidents if not status.resolved_before(i, since)], _named)
    maintenance = naming(config, site.maintenance, _named)
    shown = views_naming(config, views)
    found: dict[str, ComponentView] = {}
    for component in config.components:
        cid = component.id
        history = status.uptime(component, incidents[cid], maintenance[cid], now, config.zone,
                                config.uptime.days, weight)
        days = tuple(
            DayView(d.day, d.covered, d.status, tuple(by_key[(n.kind, n.slug)] for n in d.notices))
            for d in history.days
        )
        found[component.id] = ComponentView(
            component=component,
            status=statuses[component.id],
            days=days,
            availability=None if history.availability is None else status.percent(history.availability),
            covered_from=history.start.astimezone(config.zone).date(),
            notices=tuple(shown[cid]),
            figure_until=status.next_figure(history),
        )
    return found


def _named(notice: Notice) -> list[str]:
    return [cid for cid, _ in notice.components]


def naming(config: SiteConfig, items: Sequence[T], names: Callable[[T], Iterable[str]]) -> dict[str, list[T]]:
    """Group notices (or views) by the components they name, keeping their order."""
    found: dict[str, list[T]] = {c.id: [] for c in config.components}
    for item in items:
        for cid in names(item):
            found[cid].append(item)
    return found


def views_naming(config: SiteConfig, views: Sequence[NoticeView]) -> dict[str, list[NoticeView]]:
    """Group views by the components they name, keeping their order."""
    return naming(config, views, lambda view: [component.id for component, _ in view.components])
