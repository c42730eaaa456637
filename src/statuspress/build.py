"""The pipeline: load, compute, render, write. `build_site` returns files; `write_site` (write.py) is the only
writer."""

from __future__ import annotations

import gc
import hashlib
import html
import posixpath
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import jinja2

from . import asof, cache, parallel, quiet, reuse, status
from .api import api_files
from .badges import badge_files
from .cache import stamp, using
from .calendar import calendar_files
from .feeds import FEED, entry_id, feed_files, latest
from .load import RESERVED_IDS, Known, ReadAll, Reader, future_updates, load_notice, load_site
from .model import CONFIG_FILE, Incident, Kind, Maintenance, Notice, Problem, Site, SiteConfig
from .parallel import aside, prepare, read_notices
from .render import environment, notice_page, page_file, render_pages
from .static import Assets, load_assets
from .views import NoticeView, all_views, component_views, notice_view

API = "api/v2/"  # the API's public paths; `api.py` writes them
API_FOLDERS = {Kind.INCIDENT: "incidents", Kind.MAINTENANCE: "scheduled-maintenances"}
API_RECORD = re.compile(r"^api/v2/(?:incidents|scheduled-maintenances)/([a-z0-9]+)\.json$")
HREF = re.compile(r"""<a\s(?:[^>]*?\s)?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
PLAIN_PATH = re.compile(r"^(?:\.\./)*[A-Za-z0-9_-][A-Za-z0-9_./-]*$")  # relative, no query, scheme or //
ATOM_ENTRY_ID = "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}id"


@dataclass(frozen=True)
class Summary:
    """What a build read and wrote, for its one-line report."""

    notices: int  # read from incidents/ and maintenance/
    published: int  # those published at `now`; the others are not due yet
    pages: int  # HTML files
    feed_entries: int  # entries of feed.atom
    api_records: int | None  # api/v2/incidents/<id>.json and scheduled-maintenances/<id>.json; None: no API
    files: int
    until: datetime | None = None  # the files stay the same up to then, but for the time they show (quiet.py)
    stamped: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)  # those, as asof.py marks
    config: SiteConfig | None = field(default=None, repr=False, compare=False)  # the site's, as read

    def __str__(self) -> str:
        def count(number: int, one: str, many: str = "") -> str:
            return f"{number} {one if number == 1 else many or one + 's'}"

        waiting = self.notices - self.published
        notices = count(self.notices, "notice") + " read" + (f" ({waiting} not yet published)" if waiting else "")
        api = count(self.api_records, "API record") if self.api_records is not None else "no API"
        return (f"{notices}, {count(self.pages, 'page')}, {count(self.feed_entries, 'feed entry', 'feed entries')}, "
                f"{api}; {count(self.files, 'file')} in all")


def build_site(root: Path, now: datetime, cache: Path | None = None) -> tuple[dict[str, bytes] | None, list[Problem]]:
    """Build every output file of the site at `now`; None and the problems if the content is wrong.

    With a `cache` folder (`.statuspress-cache` in the site, cache.py), reuse what earlier builds parsed
    and rendered there; the files are the same bytes either way."""
    outputs, problems, _ = build_with_summary(root, now, cache)
    return outputs, problems


def build_with_summary(root: Path, now: datetime, cache: Path | None = None, processes: int = 1,
                       write: Callable[[dict[str, bytes]], None] | None = None
                       ) -> tuple[dict[str, bytes] | None, list[Problem], Summary | None]:
    """`build_site`, and what the build read and wrote. Fails if a published notice is missing from the
    history pages, the site-wide feed or (when the build has one) the API. With `processes` > 1, a build
    with many settled notices to render shares them out to that many worker processes (parallel.py).

    With `write` (write_site), a successful build's files are handed to it, then let go of (an empty
    dict is returned) before the cache is saved: a long history's cold build then peaks lower."""
    try:
        with using(cache) as store:
            # the workers that read the notice files also make the settled ones' outputs (parallel.py)
            read_all = partial(read_notices, store=store, processes=processes,
                               making=partial(_making, root, now)) if store is not None else None
            built = _build(root, now, store.notice if store is not None else None, processes, read_all, store)
        if built[0] is not None and write is not None:
            write(built[0])
            built = ({}, *built[1:])
        if store is not None and built[0] is not None:  # a failed build writes nothing, not even the cache
            store.save()
        return built
    finally:
        # What lives as long as the build is kept out of the garbage collector's sight while it runs
        # (gc.freeze: the notices, the views, the cache); not after, for `serve`'s sake.
        gc.unfreeze()


def _build(root: Path, now: datetime, read: Reader | None, processes: int = 1, read_all: ReadAll | None = None,
           known: Known | None = None) -> tuple[dict[str, bytes] | None, list[Problem], Summary | None]:
    parallel.made_reading = 0
    site, problems = load_site(root, read, read_all, known)
    if site is None or any(p.is_error for p in problems):
        return None, problems, None
    global _last_site
    _last_site = (stamp(root / CONFIG_FILE), site)
    problems += future_updates(site, now)
    static = load_assets(site)  # read and fingerprinted once: pages link them, _headers allows them
    reuse.scope = _scope(site, static.paths)  # what every reused output depends on
    made = prepare(site, now, static, processes)  # a long history's settled notices, made in parallel
    views = all_views(site.config, [*site.incidents, *site.maintenance], now)
    gc.freeze()  # the notices, their views and what the cache holds live as long as the build
    env = _environment(site, static)
    # The feeds, the calendar, the API and the badges are made beside the pages: by a second process
    # while this one renders the pages, when these are many to render (the workers made many notices).
    # Else the pages take less time than sending the API's files back would.
    rest = partial(_feeds_api_badges, site, views, now, env)
    try:
        with aside(rest, processes if made else 1, len(views)) as made_aside:
            components = component_views(site, views, now)
            outputs = render_pages(site, views, now, env, components)
            outputs.update(made_aside())
    except jinja2.TemplateSyntaxError as exc:
        return None, [*problems, Problem(f"templates/{exc.name}", exc.lineno, f"template error: {exc.message}")], None
    except jinja2.TemplateError as exc:
        return None, [*problems, Problem("templates", 1, f"template error: {exc}",
                                         "a template override uses a name the page does not have")], None
    outputs.update(static.files)
    stamped = quiet.stamped(outputs)  # the files that show the time: put in last (asof.py)
    marks = asof.marks(site.config.language, site.config.zone, now)
    outputs.update((name, asof.filled(data, marks)) for name, data in stamped.items())
    published = [n for n in (*site.incidents, *site.maintenance) if status.is_published(n, now)]
    feed_ids = _feed_ids(outputs.get(FEED, b""))
    # The API landed after this check: a build without it (api_files returns nothing) is not refused for
    # that, and its summary says "no API". Once there is an API, every published notice must be in it.
    with_api = any(name.startswith(API) for name in outputs)
    missing = _missing(site, published, views, outputs, feed_ids, with_api)
    if missing:
        return None, [*problems, *missing], None
    summary = Summary(
        notices=len(site.incidents) + len(site.maintenance),
        published=len(published),
        pages=sum(name.endswith(".html") for name in outputs),
        feed_entries=len(feed_ids),
        api_records=sum(_is_api_record(name) for name in outputs) if with_api else None,
        files=len(outputs),
        until=quiet.until(site, now, views, components.values()),
        stamped=stamped,
        config=site.config,
    )
    return dict(sorted(outputs.items())), problems, summary


def _making(root: Path, now: datetime, config: SiteConfig) -> parallel.Making:
    """What the workers reading the notice files need to make the settled ones' outputs: the static files
    and the scope the build will have, which depend on the configuration, not on the notices."""
    site = Site(str(root), config, (), ())
    static = load_assets(site)
    return parallel.Making(site, now, static, _scope(site, static.paths))


def _feeds_api_badges(site: Site, views: list[NoticeView], now: datetime, env: jinja2.Environment
                      ) -> dict[str, bytes]:
    """Every output but the HTML pages of `render_pages` and the static files."""
    outputs = feed_files(site, views, now, env)  # feed.atom, feeds/<component>.atom
    outputs.update(calendar_files(site, views, now))  # maintenance.ics
    outputs.update(api_files(site, now))  # api/v2/*.json; none in a build without the API
    outputs.update(badge_files(site, views, now, env))  # badges, embeds, offline pages, _headers
    return outputs


def notice_pages(root: Path, now: datetime, paths: Iterable[str], cache: Path | None = None
                 ) -> dict[str, bytes] | None:
    """Render only the pages of the notices at `paths` (relative to the site), as the next full build will;
    None when it would fail, or one of them is not published: for `serve`, which shows the page being
    edited first and the rest of the site once the full build is done."""
    wanted = set(paths)
    with using(cache) as store:
        read = store.notice if store is not None else load_notice
        site = _replaced(_last_site[1], root, wanted, read) if _last_site and _last_site[0] == (
            stamp(root / CONFIG_FILE)) and _last_site[1].root == str(root) else None
        if site is None:
            site, problems = load_site(root, read)
            if site is None or any(p.is_error for p in problems):
                return None
        notices = [n for n in (*site.incidents, *site.maintenance) if n.path in wanted and status.is_published(n, now)]
        if len(notices) != len(wanted):
            return None
        static = load_assets(site)
        reuse.scope = _scope(site, static.paths)
        env = _environment(site, static)
        indicator = status.overall_status(site.config, site.incidents, site.maintenance, now)
        marks = asof.marks(site.config.language, site.config.zone, now)
        try:
            return {page_file(n.url_path): asof.filled(notice_page(env, site.config, notice_view(n, site.config, now),
                                                                   now, indicator), marks) for n in notices}
        except jinja2.TemplateError:
            return None  # the full build says what is wrong


def forget() -> None:
    """Let go of what this process keeps for its next build (`serve`): a one-off build has none, and
    the memory is better spent writing the site."""
    global _last_site, _env
    _last_site = _env = None
    cache.forget()
    status.forget()


_last_site: tuple[tuple[int, int, int] | None, Site] | None = None  # the last good build's, and its site.yaml's stamp


def _replaced(site: Site, root: Path, paths: set[str], read: Reader) -> Site | None:
    """`site` with the notice files at `paths` read again; None if one cannot be read or is wrong."""
    found: dict[Kind, list[Notice]] = {Kind.INCIDENT: list(site.incidents), Kind.MAINTENANCE: list(site.maintenance)}
    for path in paths:
        kind = next((k for k in Kind if path.startswith(f"{k.folder}/") and path.endswith(".md")), None)
        try:
            if kind is None or (root / path).stat().st_size > site.config.limits.file_bytes:
                return None
            data = (root / path).read_bytes()
        except OSError:
            return None
        notice, problems = read(data, path, kind, site.config)
        others = [n for n in (*found[Kind.INCIDENT], *found[Kind.MAINTENANCE]) if n.path != path]
        if notice is None or any(p.is_error for p in problems) or any(
                n.id == notice.id or (n.kind, n.slug) == (kind, notice.slug) for n in others):
            return None  # the full build says what is wrong
        found[kind] = sorted([n for n in found[kind] if n.path != path] + [notice], key=lambda n: Path(n.path))
    incidents = tuple(n for n in found[Kind.INCIDENT] if isinstance(n, Incident))
    maintenance = tuple(n for n in found[Kind.MAINTENANCE] if isinstance(n, Maintenance))
    return replace(site, incidents=incidents, maintenance=maintenance)


_env: tuple[str, jinja2.Environment] | None = None  # the last build's, with the templates it compiled


def _environment(site: Site, static: Assets) -> jinja2.Environment:
    """The template environment of the site: the last build's when nothing it depends on changed."""
    global _env
    if _env is None or _env[0] != reuse.scope:
        _env = (reuse.scope, environment(site, static))
    return _env[1]


def _scope(site: Site, assets: dict[str, str]) -> str:
    """Fingerprint what every output depends on: the package's files (code, templates, catalogues), the
    site's templates, its configuration and its static files' published names."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    overrides = Path(site.root) / "templates"
    for folder in (package, overrides):
        found = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if folder.is_dir() else []
        for path in found:
            digest.update(f"{path.relative_to(folder).as_posix()}\0".encode() + path.read_bytes() + b"\0")
    digest.update(repr((site.config, sorted(assets.items()))).encode())
    return digest.hexdigest()


def _is_api_record(name: str) -> bool:
    match = API_RECORD.match(name)
    return match is not None and match[1] not in RESERVED_IDS


def api_record(notice: Notice) -> str:
    """Return the path of a notice's own file in the API."""
    return f"{API}{API_FOLDERS[notice.kind]}/{notice.id}.json"


def _missing(site: Site, published: list[Notice], views: list[NoticeView], outputs: dict[str, bytes],
             feed_ids: list[str], with_api: bool) -> list[Problem]:
    """Every published notice that is not in the history pages, the feed (when it is among the latest) or
    the API: the build fails."""
    config = site.config
    listed = _history_links(config.url, outputs)
    entries = set(feed_ids)
    shown = {(view.kind, view.slug): view for view in latest(views)}
    problems = []
    for notice in published:
        url = config.url + notice.url_path
        view = shown.get((notice.kind, notice.slug))
        absent = [
            *(["the history pages"] if url not in listed else []),
            *([FEED] if view is not None and entry_id(config, view) not in entries else []),
            *([api_record(notice)] if with_api and api_record(notice) not in outputs else []),
        ]
        if absent:
            places = ", ".join(absent[:-1]) + (" and " if len(absent) > 1 else "") + absent[-1]
            problems.append(Problem(notice.path, 1, f"published at {notice.url_path} but missing from {places}",
                                    "nothing was written; a template override (templates/history.html?) "
                                    "or a bug left it out"))
    return problems


def _history_links(site_url: str, outputs: dict[str, bytes]) -> set[str]:
    """Every page the history pages link to, as an absolute URL without query, fragment or index.html.
    A page made from the same key as in an earlier build (reuse.tagged) links to the same pages: those
    are kept, not found again."""
    found: set[str] = set()
    for name, data in outputs.items():
        if name.startswith("history/") and name.endswith(".html"):
            links = partial(_links, site_url, name, data)
            named = reuse.tag(data)
            found.update(reuse.reused(("links", name, named), links) if named else links())
    return found


def _links(site_url: str, name: str, data: bytes) -> tuple[str, ...]:
    """The pages that the page `name`, holding `data`, links to (_history_links)."""
    found = []
    parts = urlsplit(site_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    base = urljoin(site_url, posixpath.dirname(name) + "/")
    folder = urlsplit(base).path
    for match in HREF.finditer(data.decode("utf-8", "replace")):
        href = html.unescape(match[match.lastindex or 0])
        if PLAIN_PATH.match(href):  # most links: `../incidents/x/`, resolved without urljoin
            path = posixpath.normpath(folder + href) + ("/" if href.endswith("/") else "")
            found.append(origin + path.removesuffix("index.html"))
            continue
        parts = urlsplit(urljoin(base, href))
        path = parts.path.removesuffix("index.html")
        found.append(urlunsplit((parts.scheme, parts.netloc, path, "", "")))
    return tuple(found)


def _feed_ids(feed: bytes) -> list[str]:
    """The entry ids of an Atom feed; none if it cannot be read."""
    try:
        root = ElementTree.fromstring(feed)
    except ElementTree.ParseError:
        return []
    return [element.text or "" for element in root.findall(ATOM_ENTRY_ID)]
