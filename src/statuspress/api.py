"""The Statuspage-compatible JSON API: files under `api/v2/`, a pure function of the site and `now`.

Field names, nesting, enum values and list semantics follow Atlassian Statuspage's public API v2, so
an existing client works unchanged. What statuspress has no data for gets a stable stand-in that
never depends on when the build ran: ids are derived from names, and every time is a time written
in the content (see "JSON API" in README.md for each choice).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cached_property
from json.encoder import encode_basestring
from typing import Any

from . import status
from .load import stable_id
from .model import (
    Component,
    ComponentStatus,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceState,
    Notice,
    Site,
    SiteConfig,
    Update,
)
from .reuse import digest, key, reused_as, tagged

PREFIX = "api/v2/"
LIST_LIMIT = 50  # incidents.json and scheduled-maintenances.json hold the 50 most recent, as Statuspage's
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the stand-in time of a site without any published notice
INSTANT = timedelta(microseconds=1)
HOLE = "\0components\0"  # where a reused API object gets its components (content never holds a NUL)
HOLE_JSON = json.dumps(HOLE)
CANCELLED_BODY = "This scheduled maintenance has been cancelled."

# Statuspage has no "cancelled": a cancelled maintenance is completed, and its last update says why.
MAINTENANCE_STATUS = {
    MaintenanceState.SCHEDULED: "scheduled",
    MaintenanceState.IN_PROGRESS: "in_progress",
    MaintenanceState.VERIFYING: "verifying",
    MaintenanceState.COMPLETED: "completed",
    MaintenanceState.CANCELLED: "completed",
}
ENDED = (MaintenanceState.COMPLETED, MaintenanceState.CANCELLED)
Json = dict[str, Any]


def api_files(site: Site, now: datetime) -> dict[str, bytes]:
    """Return the API's JSON files, keyed by path."""
    return Api(site, now).files()


def stamp(moment: datetime) -> str:
    """Format a time as Statuspage does: ISO 8601 in UTC with milliseconds, `2026-11-24T12:00:00.000Z`."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime does not pad the year
        return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
    return (f"{utc.year}-{utc.month:02}-{utc.day:02}T{utc.hour:02}:{utc.minute:02}:{utc.second:02}"
            f".{utc.microsecond // 1000:03d}Z")


def page_id(config: SiteConfig) -> str:
    """The page's id comes from the site's URL, the one thing that names the page."""
    return stable_id(f"page/{config.url}")


def group_id(name: str) -> str:
    """A component group's id comes from its name (12 base-36 characters, unlike a readable site.yaml id)."""
    return stable_id(f"group/{name}")


def update_ids(notice_id: str, entries: Sequence[tuple[str, datetime]]) -> list[str]:
    """Return an id per (label, time): from the notice's id, the label and the time, never the position.

    Two updates with the same label and time in one notice are told apart by their order among those.
    """
    seen: dict[str, int] = {}
    ids = []
    for label, at in entries:
        key = f"update/{notice_id}/{label}/{stamp(at)}"
        seen[key] = seen.get(key, 0) + 1
        ids.append(stable_id(key if seen[key] == 1 else f"{key}/{seen[key]}"))
    return ids


def dump(data: Json) -> bytes:
    """Serialise deterministically: fields in Statuspage's order, two-space indent, UTF-8, final newline."""
    return (_indented(data, "") + "\n").encode("utf-8")


def maintenance_created(maintenance: Maintenance, now: datetime) -> datetime:
    """When a maintenance was announced: `announced`, else the earliest thing known about it."""
    if maintenance.announced is not None:
        return maintenance.announced
    first_window = maintenance.rescheduled[0].window if maintenance.rescheduled else maintenance.window
    times = [u.at for u in status.visible_updates(maintenance, now)]
    times += [m.on for m in status.visible_moves(maintenance, now)]
    return min([*times, first_window.start])


def incident_created(incident: Incident) -> datetime:
    """When an incident was opened: `created`, else its first update."""
    return incident.created or incident.updates[-1].at


def clock_changes(maintenance: Maintenance, now: datetime) -> list[datetime]:
    """Return the window's edges, up to `now`, at which the clock (not an update) changed the state."""
    window = status.window_at(maintenance, now)
    return [
        edge for edge in (window.start, window.end)
        if edge <= now and status.maintenance_state(maintenance, edge) != status.maintenance_state(
            maintenance, edge - INSTANT)
    ]


def active(notice: Notice, at: datetime) -> bool:
    """Tell whether a notice sets its components' status at `at`: an unresolved incident, open maintenance."""
    if not status.is_published(notice, at):
        return False
    if isinstance(notice, Maintenance):
        return status.is_open(notice, at)
    assert isinstance(notice, Incident)
    return not status.is_resolved(notice, at)


class Api:
    """Everything the API files share at one `now`: the page, the components and each notice as JSON."""

    def __init__(self, site: Site, now: datetime) -> None:
        self.config = site.config
        self.now = now
        self.page_id = page_id(site.config)
        state = status.state_of(site, now)
        self.incidents = list(state.incidents)
        self.maintenance = list(state.maintenance)
        self.unresolved = {i.id for i in state.unresolved}
        self.statuses = state.statuses
        self.indicator = state.indicator
        notices = self.notices
        self.created = {n.id: self.created_at(n) for n in notices}
        self.updated = {n.id: self.updated_at(n) for n in notices}
        # An unannounced maintenance may only be known by its future window: page-wide times stay in the past.
        self.since = min((t for t in self.created.values() if t <= now), default=EPOCH)
        # the page's `updated_at`: its latest change, up to now
        self.page_stamp = stamp(max((t for t in self.updated.values() if t <= now), default=self.since))
        self.incident_json = _Lazy(self.incident)
        self.maintenance_json = _Lazy(self.scheduled_maintenance)
        self.changed: dict[str, datetime] = {}  # component_updated, by component
        self.lasts: dict[str, datetime | None] = {}  # last_event, by notice id
        self.active_now = {n.id for n in (*state.unresolved, *state.open_maintenance)}  # setting their components
        # a notice's components as its file shows them, and their key
        self.components_text: dict[tuple[str, ...], tuple[str, str]] = {}
        self.page_text: list[str] = []  # the page as a notice's file shows it, but its time (record)

    @property
    def notices(self) -> list[Notice]:
        return [*self.incidents, *self.maintenance]

    # Times

    def created_at(self, notice: Notice) -> datetime:
        if isinstance(notice, Maintenance):
            return maintenance_created(notice, self.now)
        assert isinstance(notice, Incident)
        return incident_created(notice)

    def updated_at(self, notice: Notice) -> datetime:
        """The latest visible change: an update, a move, a published postmortem, a window edge passed."""
        times = [self.created[notice.id], *(u.at for u in status.visible_updates(notice, self.now))]
        if isinstance(notice, Maintenance):
            times += [m.on for m in status.visible_moves(notice, self.now)]
            times += clock_changes(notice, self.now)
        elif isinstance(notice, Incident):
            postmortem = status.visible_postmortem(notice, self.now)
            if postmortem is not None and postmortem.at is not None:
                times.append(postmortem.at)
        return max(times)

    # The page and its components

    def page(self) -> Json:
        return {
            "id": self.page_id,
            "name": self.config.name,
            "url": self.config.url.rstrip("/"),
            "time_zone": self.config.time_zone,
            "updated_at": self.page_stamp,
        }

    def overall(self) -> Json:
        return {"indicator": self.indicator.value, "description": self.indicator.words}

    def events(self, notice: Notice) -> set[datetime]:
        """The moments, up to now, at which a notice may have changed what its components show."""
        times = {u.at for u in status.visible_updates(notice, self.now)}
        if isinstance(notice, Maintenance):
            windows = [status.window_at(notice, self.now), *(m.window for m in status.visible_moves(notice, self.now))]
            times |= {edge for w in windows for edge in (w.start, w.end)}
            times |= {m.on for m in status.visible_moves(notice, self.now)}
            if notice.announced is not None:
                times.add(notice.announced)
        return {t for t in times if t <= self.now}

    def last_event(self, notice: Notice) -> datetime | None:
        """The latest of a notice's `events`, made once per notice: from then on, up to now, the notice is
        `active` or not as it is now."""
        if notice.id not in self.lasts:
            if isinstance(notice, Incident):
                updates = status.visible_updates(notice, self.now)  # newest first, none after now
                self.lasts[notice.id] = updates[0].at if updates else None
            else:
                self.lasts[notice.id] = max(self.events(notice), default=None)
        return self.lasts[notice.id]

    @cached_property
    def naming(self) -> dict[str, list[Notice]]:
        """The published notices naming each component."""
        found: dict[str, list[Notice]] = {c.id: [] for c in self.config.components}
        for notice in self.notices:
            for cid, _ in notice.components:
                found[cid].append(notice)
        return found

    def component_updated(self, component_id: str) -> datetime:
        """The last time, up to now, that the component's status changed; `since` if it never did."""
        if component_id not in self.changed:
            self.changed[component_id] = self._component_updated(component_id)
        return self.changed[component_id]

    def _component_updated(self, component_id: str) -> datetime:
        notices = self.naming[component_id]
        lasts = [self.last_event(n) for n in notices]

        def shown(at: datetime, since: datetime) -> ComponentStatus:
            worst = ComponentStatus.OPERATIONAL
            for notice, last in zip(notices, lasts, strict=True):
                # one inactive now and since its last event (before `since`) is inactive at `at` too
                if (notice.id in self.active_now or (last is not None and last >= since)) and active(notice, at):
                    named = dict(notice.components)[component_id]
                    worst = named if named.severity > worst.severity else worst
            return worst

        # The moments at which a notice changed, latest first. The notices are taken by their last event,
        # latest first, so that a notice's events are only listed once the moments reach its last one.
        dated = sorted(((last, n) for last, n in zip(lasts, notices, strict=True) if last is not None),
                       key=lambda pair: pair[0], reverse=True)
        taken = 0
        pending: set[datetime] = set()
        done: set[datetime] = set()
        while True:
            while taken < len(dated) and (not pending or dated[taken][0] >= max(pending)):
                pending |= self.events(dated[taken][1]) - done
                taken += 1
            if not pending:
                return self.since
            moment = max(pending)
            pending.remove(moment)
            done.add(moment)
            before = moment - INSTANT
            if shown(moment, before) != shown(before, before):
                return max(moment, self.since)

    def component(self, component: Component, position: int) -> Json:
        return {
            "id": component.id,
            "name": component.name,
            "status": self.statuses[component.id].value,
            "created_at": stamp(self.since),
            "updated_at": stamp(self.component_updated(component.id)),
            "position": position,
            "description": component.description or None,
            "showcase": False,
            "start_date": None,
            "group_id": group_id(component.group) if component.group else None,
            "page_id": self.page_id,
            "group": False,
            "only_show_if_degraded": False,
        }

    def group(self, name: str, members: Sequence[Component], position: int) -> Json:
        worst = max((self.statuses[c.id] for c in members), key=lambda s: s.severity)
        return {
            "id": group_id(name),
            "name": name,
            "status": worst.value,
            "created_at": stamp(self.since),
            "updated_at": stamp(max(self.component_updated(c.id) for c in members)),
            "position": position,
            "description": None,
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": self.page_id,
            "group": True,
            "only_show_if_degraded": False,
            "components": [c.id for c in members],
        }

    @cached_property
    def component_list(self) -> list[Json]:
        """Every component in the site's order; a group stands where its first member does, members after it."""
        result: list[Json] = []
        done: set[str] = set()
        for component in self.config.components:
            if component.group:
                if component.group in done:
                    continue
                done.add(component.group)
                members = [c for c in self.config.components if c.group == component.group]
                result.append(self.group(component.group, members, len(result) + 1))
                result += [self.component(c, len(result) + 1 + i) for i, c in enumerate(members)]
            else:
                result.append(self.component(component, len(result) + 1))
        return result

    def notice_components(self, notice: Notice) -> list[Json]:
        """The components a notice names, as they stand now, in the site's order."""
        named = {cid for cid, _ in notice.components}
        objects = {c["id"]: c for c in self.component_list if not c["group"]}
        return [objects[c.id] for c in self.config.components if c.id in named]

    # Notices

    def affected(
        self, notice: Notice, old: Iterable[tuple[str, ComponentStatus]], new: Iterable[tuple[str, ComponentStatus]]
    ) -> list[Json]:
        before, after = dict(old), dict(new)
        named = {cid for cid, _ in notice.components}
        return [
            {"code": c.id, "name": c.name, "old_status": before[c.id].value, "new_status": after[c.id].value}
            for c in self.config.components if c.id in named
        ]

    @staticmethod
    def effect(notice: Notice, active: bool) -> tuple[tuple[str, ComponentStatus], ...]:
        """What a notice does to its components: its statuses while active, operational otherwise."""
        if active:
            return notice.components
        return tuple((cid, ComponentStatus.OPERATIONAL) for cid, _ in notice.components)

    def update_json(
        self, notice: Notice, update_id: str, api_status: str, body: str, at: datetime, affected: list[Json]
    ) -> Json:
        return {
            "id": update_id,
            "status": api_status,
            "body": body,
            "incident_id": notice.id,
            "created_at": stamp(at),
            "updated_at": stamp(at),
            "display_at": stamp(at),
            "affected_components": affected,
        }

    def incident_updates(self, incident: Incident) -> list[Json]:
        """Each visible update, newest first; an `update` heading carries the status the incident had."""
        updates = status.visible_updates(incident, self.now)
        ids = update_ids(incident.id, [(u.label, u.at) for u in updates])

        def active(at: datetime) -> bool:
            return status.incident_status(incident, at) is not IncidentStatus.RESOLVED

        result = []
        for update, uid in zip(updates, ids, strict=True):
            earlier = any(u.at < update.at for u in updates)
            old = self.effect(incident, earlier and active(update.at - INSTANT))
            new = self.effect(incident, active(update.at))
            api_status = status.incident_status(incident, update.at).value
            result.append(self.update_json(incident, uid, api_status, update.body, update.at,
                                           self.affected(incident, old, new)))
        return result

    def incident(self, incident: Incident) -> Json:
        now = self.now
        current = status.incident_status(incident, now)
        resolved = status.resolved_at(incident, now)
        monitoring = [u.at for u in status.visible_updates(incident, now) if u.label == "monitoring"]
        postmortem = status.visible_postmortem(incident, now)
        api_status = "postmortem" if resolved is not None and postmortem is not None else current.value
        return {
            "id": incident.id,
            "name": incident.title,
            "status": api_status,
            "created_at": stamp(self.created[incident.id]),
            "updated_at": stamp(self.updated[incident.id]),
            "monitoring_at": stamp(max(monitoring)) if monitoring else None,
            "resolved_at": stamp(resolved) if resolved else None,
            "impact": incident.impact.value,
            "shortlink": self.config.url + incident.url_path,
            "started_at": stamp(status.started_at(incident)),
            "page_id": self.page_id,
            "incident_updates": self.incident_updates(incident),
            "components": self.notice_components(incident),
        }

    def maintenance_updates(self, maintenance: Maintenance) -> list[Json]:
        """The announcement (the summary, as a `scheduled` update), then each visible update; newest first."""
        updates: Sequence[Update] = status.visible_updates(maintenance, self.now)
        created = self.created[maintenance.id]
        entries = [(u.label, u.at) for u in updates] + [("scheduled", created)]
        ids = update_ids(maintenance.id, entries)

        def active(at: datetime) -> bool:
            return status.maintenance_state(maintenance, at) in status.OPEN_MAINTENANCE

        result = []
        for update, uid in zip(updates, ids[:-1], strict=True):
            state = status.maintenance_state(maintenance, update.at)
            body = update.body
            if update.label == "cancelled" and not body.strip():
                body = CANCELLED_BODY
            old = self.effect(maintenance, active(update.at - INSTANT))
            new = self.effect(maintenance, active(update.at))
            result.append(self.update_json(maintenance, uid, MAINTENANCE_STATUS[state], body, update.at,
                                           self.affected(maintenance, old, new)))
        quiet = self.effect(maintenance, False)
        result.append(self.update_json(maintenance, ids[-1], "scheduled", maintenance.summary, created,
                                       self.affected(maintenance, quiet, quiet)))
        return sorted(result, key=lambda u: str(u["display_at"]), reverse=True)  # stable: ties keep their order

    def maintenance_resolved(self, maintenance: Maintenance) -> datetime | None:
        """When a maintenance ended: its cancellation, its `Completed` update, or the end of its window."""
        state = status.maintenance_state(maintenance, self.now)
        if state not in ENDED:
            return None
        updates = status.visible_updates(maintenance, self.now)
        if state is MaintenanceState.CANCELLED:
            return min(u.at for u in updates if u.label == "cancelled")
        for update in updates:
            if update.label in status.MAINTENANCE_LABEL_STATE:
                return update.at  # the latest state update said completed
        return status.window_at(maintenance, self.now).end

    def scheduled_maintenance(self, maintenance: Maintenance) -> Json:
        state = status.maintenance_state(maintenance, self.now)
        window = status.window_at(maintenance, self.now)
        resolved = self.maintenance_resolved(maintenance)
        created = self.created[maintenance.id]
        return {
            "id": maintenance.id,
            "name": maintenance.title,
            "status": MAINTENANCE_STATUS[state],
            "created_at": stamp(created),
            "updated_at": stamp(self.updated[maintenance.id]),
            "monitoring_at": None,
            "resolved_at": stamp(resolved) if resolved else None,
            "impact": "maintenance",
            "shortlink": self.config.url + maintenance.url_path,
            "started_at": stamp(created),
            "page_id": self.page_id,
            "incident_updates": self.maintenance_updates(maintenance),
            "components": self.notice_components(maintenance),
            "scheduled_for": stamp(window.start),
            "scheduled_until": stamp(window.end),
        }

    # The files

    def files(self) -> dict[str, bytes]:
        page = self.page()
        incidents = sorted(self.incidents, key=lambda i: (self.created[i.id], i.id), reverse=True)
        incident_json = self.incident_json
        unresolved = [incident_json[i] for i in incidents if i.id in self.unresolved]

        def window_start(m: Maintenance) -> tuple[datetime, str]:
            return status.window_at(m, self.now).start, m.id

        maintenance = sorted(self.maintenance, key=window_start, reverse=True)
        maintenance_json = self.maintenance_json
        soonest = sorted(self.maintenance, key=window_start)
        upcoming = [maintenance_json[m] for m in soonest if status.is_upcoming(m, self.now)]
        active = [maintenance_json[m] for m in soonest if status.is_open(m, self.now)]
        current = [maintenance_json[m] for m in soonest
                   if status.is_upcoming(m, self.now) or status.is_open(m, self.now)]
        components = self.component_list

        files: dict[str, Json] = {
            "summary.json": {
                "page": page,
                "components": components,
                "incidents": unresolved,
                "scheduled_maintenances": current,
                "status": self.overall(),
            },
            "status.json": {"page": page, "status": self.overall()},
            "components.json": {"page": page, "components": components},
            "incidents.json": {"page": page, "incidents": [incident_json[i] for i in incidents[:LIST_LIMIT]]},
            "incidents/unresolved.json": {"page": page, "incidents": unresolved},
            "scheduled-maintenances.json": {
                "page": page, "scheduled_maintenances": [maintenance_json[m] for m in maintenance[:LIST_LIMIT]],
            },
            "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": upcoming},
            "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": active},
        }
        output = {PREFIX + name: dump(data) for name, data in files.items()}
        for incident in incidents:
            output[f"{PREFIX}incidents/{incident.id}.json"] = self.record("incident", incident)
        for scheduled in maintenance:
            output[f"{PREFIX}scheduled-maintenances/{scheduled.id}.json"] = self.record(
                "scheduled_maintenance", scheduled)
        return dict(sorted(output.items()))

    def record(self, field: str, notice: Notice) -> bytes:
        """A notice's own file, `dump({"page": page, field: <its object>})`, made of parts: a settled notice's
        object (but its components, which show their status at `now`) is made once and reused. Its page
        has the notice's latest change as `updated_at` (unless that is still to come), not the page's:
        the file then changes only when the notice does, or its components."""
        named = self.object_key(notice)
        text = self.body(notice, named)
        moment = self.updated[notice.id]
        updated = stamp(moment) if moment <= self.now else self.page_stamp
        if not self.page_text:  # the page's text, split where its time goes
            self.page_text = nested({**self.page(), "updated_at": HOLE}, 1).split(HOLE_JSON)
        page_text = encode_basestring(updated).join(self.page_text)
        components_ids = tuple(cid for cid, _ in notice.components)
        if components_ids not in self.components_text:  # the page's other fields are the scope's (reuse.key)
            components = nested(self.notice_components(notice), 2)
            self.components_text[components_ids] = (components, key(("record parts", components)))
        components, parts = self.components_text[components_ids]
        data = f'{{\n  "page": {page_text},\n  "{field}": {text.replace(HOLE_JSON, components, 1)}\n}}\n'.encode()
        # made of a reused object and three texts: the same parts make the same bytes (reuse.tagged)
        return tagged(data, hashlib.sha256(f"{named}\0{parts}\0{updated}".encode()).hexdigest()) if named else data

    def body(self, notice: Notice, named: str | None = None) -> str:
        """A notice's object as its own file shows it, with a HOLE where its components go; `named` is
        the key it is kept under when settled (made here when not given), "" when it is not settled."""
        made = self.incident_json if isinstance(notice, Incident) else self.maintenance_json

        def body() -> str:
            return nested({**made[notice], "components": HOLE}, 1)

        named = self.object_key(notice) if named is None else named
        return reused_as(named, body) if named else body()

    def object_key(self, notice: Notice) -> str:
        """The key a settled notice's object is kept under (reuse.py); "" while it is not settled."""
        settled = status.settled_at(notice, self.now)
        return key(("api", digest(notice), settled)) if settled is not None else ""


class _Lazy:
    """Notices' API objects, each made when first asked for."""

    def __init__(self, make: Callable[[Any], Json]) -> None:
        self.make = make
        self.made: dict[str, Json] = {}

    def __getitem__(self, notice: Notice) -> Json:
        found = self.made.get(notice.id)
        if found is None:
            found = self.made[notice.id] = self.make(notice)
        return found


def nested(data: Json | list[Json], depth: int) -> str:
    """Serialise as `dump` does a value `depth` levels inside an object (without the final newline)."""
    return _indented(data, "  " * depth)


def _indented(value: Any, indent: str) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2, separators=(",", ": "))`, every line after the first
    indented by `indent`: the same text, made without the standard library's indenting encoder, which
    is written in Python and takes a generator per value."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    inner = indent + "  "
    if isinstance(value, dict):
        fields = []
        for name, item in value.items():
            if not isinstance(name, str):
                break  # json.dumps turns such keys into text
            text = encode_basestring(item) if isinstance(item, str) else "null" if item is None else \
                _indented(item, inner)
            fields.append(f"{inner}{encode_basestring(name)}: {text}")
        else:
            return "{\n" + ",\n".join(fields) + "\n" + indent + "}" if fields else "{}"
    elif isinstance(value, list | tuple):
        items = [inner + _indented(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]" if items else "[]"
    text = json.dumps(value, ensure_ascii=False, indent=2, separators=(",", ": "))  # numbers, true, false
    return text.replace("\n", "\n" + indent)
