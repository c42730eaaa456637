"""A rebuild when nothing but `now` changed (the scheduled publish): the last build's files, with the new time.

Between two moments at which something a site shows changes (an update falls due, a window opens or
closes, the day turns, an availability figure moves up), its files differ only in the time the live
pages say they are "as of" (asof.py). So `build` keeps, in the cache, a `Record` of the last build that
wrote the site: the signature of every file it read, until when its files stay so (`until`), and the
files that show the time, with marks in its place. The next `build` whose input files have the same
signatures and whose `now` falls before then puts the new time into those files and writes only them,
linking the rest from the live site (write.write_site `keep`): no notice is read, no page is made.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import __version__, asof, cache
from .asof import Stamped
from .model import CONFIG_FILE, Incident, Kind, Maintenance, Notice, Problem, Site

if TYPE_CHECKING:
    from .views import ComponentView, NoticeView

FILE = "quiet.pickle"  # the Record, in the cache folder
CACHE = cache.FOLDER
TEMPLATES = "templates"
ASSETS = "assets"  # the site's own static files, in templates/: they do not show the time
ONE_DAY = timedelta(days=1)
Inputs = tuple[tuple[str, int, int, int, int, int], ...]  # every file a build reads: its path and cache.Signature


@dataclass(frozen=True)
class Record:
    """What the last build that wrote the site read, and what it wrote that shows the time."""

    inputs: Inputs
    now: datetime
    until: datetime  # `until(site, now, …)`: its files stay the same, but for the time, up to then
    language: str  # the site's, for the time's words
    time_zone: str  # the site's (SiteConfig.time_zone)
    stamped: dict[str, bytes]  # the files that show the time, with asof.py's marks in its place
    problems: tuple[Problem, ...]  # the warnings it gave, given again
    summary: str  # its line of the report (build.Summary)


def inputs(root: Path, out: Path) -> Inputs | None:
    """The signature of every file a build of the site at `root` into `out` reads: the package's, site.yaml,
    the notices' and the site's static files. None for a site with its own templates, which may show the
    time in other ways than the marks: it is built in full every time."""
    templates = root / TEMPLATES
    if templates.is_dir() and any(not path.is_relative_to(templates / ASSETS) and path.is_file()
                                  for path in templates.rglob("*")):
        return None
    found = [(f"\0{out.resolve()}", 0, 0, 0, 0, 0), (f"\0{__version__}", 0, 0, 0, 0, 0)]
    package = Path(__file__).parent
    found += _signed(package, package, skip="__pycache__")
    found += _signed(root, root / CONFIG_FILE)
    for folder in (*(root / kind.folder for kind in Kind), templates / ASSETS):
        found += _signed(root, folder)
    return tuple(sorted(found))


def _signed(root: Path, path: Path, skip: str = "") -> Iterator[tuple[str, int, int, int, int, int]]:
    """The signature of the file at `path`, or of every file below the folder at `path` (as load.py reads
    them: not through links to folders), by its path relative to `root`."""
    try:
        found = os.stat(path)
    except OSError:
        return
    if not os.path.isdir(path):
        yield (path.relative_to(root).as_posix(), found.st_mtime_ns, found.st_ctime_ns, found.st_size,
               found.st_ino, found.st_dev)
        return
    folders = [str(path)]
    start = len(str(root)) + 1
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != skip:
                        folders.append(entry.path)
                    continue
                found = entry.stat()
            except OSError:
                continue
            yield (entry.path[start:], found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino,
                   found.st_dev)


def until(site: Site, now: datetime, views: Iterable[NoticeView], components: Iterable[ComponentView]) -> datetime:
    """The first moment after `now` at which a file of the site may show more than another time: a moment
    of a notice (and those the outputs count from it: a maintenance named in the embed a day ahead, gone
    from the calendar a year after, an update warned of five minutes ahead), the start of a day in the
    site's zone or in UTC, a component's availability figure rising. `now` itself while an incident is
    open or a maintenance in progress: their durations and downtime grow by the minute. A settled incident
    (its view's `settled`) has no moment to come."""
    # here: what a quiet rebuild does not need to load
    from . import status
    from .badges import UPCOMING
    from .calendar import PAST
    from .load import FUTURE_TOLERANCE

    state = status.state_of(site, now)
    if state.unresolved or state.open_maintenance:
        return now
    incident_offsets = (timedelta(0), -FUTURE_TOLERANCE)  # an update is warned of until shortly before it is due
    maintenance_offsets = (*incident_offsets, -UPCOMING, PAST)  # the embed names it a day ahead; the calendar
    days = [status.day_start(now.astimezone(zone).date(), zone) for zone in (site.config.zone, UTC)]
    candidates = [*_later(now, days, ONE_DAY), *(c.figure_until for c in components if c.figure_until is not None)]
    settled = {view.slug for view in views if view.kind is Kind.INCIDENT and view.settled is not None}
    for incident in site.incidents:
        if incident.slug not in settled:
            candidates += _later(now, moments(incident), *incident_offsets)
    for maintenance in site.maintenance:
        candidates += _later(now, moments(maintenance), *maintenance_offsets)
    return min((m for m in candidates if m > now), default=datetime.max.replace(tzinfo=UTC))


def _later(now: datetime, found: Iterable[datetime], *offsets: timedelta) -> Iterator[datetime]:
    """Each of the moments `found`, moved by each of `offsets`, that is after `now` (and before the year 10000)."""
    since = now - max(offsets)
    for moment in found:
        if moment > since:
            for offset in offsets:
                with contextlib.suppress(OverflowError):
                    if moment + offset > now:
                        yield moment + offset


def moments(notice: Notice) -> list[datetime]:
    """Every moment a notice names (tests check that none of the model's is left out)."""
    found = [u.at for u in notice.updates]
    if isinstance(notice, Incident):
        found += [m for m in (notice.next_update, notice.started, notice.detected, notice.created) if m]
        if notice.postmortem is not None and notice.postmortem.at is not None:
            found.append(notice.postmortem.at)
    elif isinstance(notice, Maintenance):
        found += [notice.window.start, notice.window.end, *([notice.announced] if notice.announced else [])]
        for move in notice.rescheduled:
            found += [move.on, move.window.start, move.window.end]
    return found


def stamped(outputs: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a build that show the time, with its marks (asof.Stamped), as plain bytes."""
    return {name: bytes(data) for name, data in outputs.items() if isinstance(data, Stamped)}


def save(folder: Path, record: Record, started: int) -> None:
    """Keep `record` in the cache `folder`, in place of the last; none when its files change by the minute
    (`until` is its `now`), or when an input changed within cache.RACY_NS of `started` (the build's start,
    time.time_ns()): it could change again with the same signature."""
    path = folder / FILE
    path.unlink(missing_ok=True)
    if record.until <= record.now or any(max(mtime, ctime) >= started - cache.RACY_NS
                                         for _, mtime, ctime, *_ in record.inputs):
        return
    fields = {name: getattr(record, name) for name in Record.__dataclass_fields__ if name != "stamped"}
    with contextlib.suppress(OSError):  # as the cache: the next build is only slower
        cache.write_entries(path, (FILE, fields, record.stamped))


def load(folder: Path) -> Record | None:
    """The record the last build kept in the cache `folder`; None if there is none, or not this version's."""
    try:
        found = cache.read_entries(folder / FILE)
    except Exception:  # noqa: BLE001 — truncated or planted: a full build
        return None
    if found is None or len(found) != 3 or found[0] != FILE:
        return None
    fields, files = found[1], found[2]
    try:
        return Record(**fields, stamped=files)
    except TypeError:
        return None


def files(record: Record, signed: Inputs, now: datetime) -> dict[str, bytes] | None:
    """The files that change when the site of `record` is built again at `now`, with the same input files
    (`signed`): those that show the time, with `now`'s in place. None if the site may show more than the time
    changed: an input file or the time has moved on too far, or back."""
    if signed != record.inputs or not record.now <= now < record.until:
        return None
    marks = asof.marks(record.language, ZoneInfo(record.time_zone), now)
    return {name: asof.filled(data, marks) for name, data in record.stamped.items()}
