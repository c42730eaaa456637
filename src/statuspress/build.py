"""The pipeline: load, compute, render, write. `build_site` returns files; `write_site` is the only writer."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import html
import os
import posixpath
import re
import shutil
import stat
import tempfile
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
from .config import CONFIG_FILE
from .feeds import FEED, entry_id, feed_files, latest
from .load import RAW, RESERVED_IDS, Known, ReadAll, Reader, future_updates, load_notice, load_site
from .model import Incident, Kind, Maintenance, Notice, Problem, Site, SiteConfig
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
        until=quiet.until(site, now, components.values()),
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


def write_site(outputs: dict[str, bytes], out: Path, spare: Path | None = None, processes: int = 1,
               keep: dict[str, Entry] | None = None) -> None:
    """Write the files into a folder beside `out`, then swap it in: never a half-written site.

    Whatever stops it (an error, a full disk, an interrupt), `out` is left as it was: either the whole
    previous site or, once the swap is done, the whole new one. A file whose bytes did not change is
    hard-linked from the previous site rather than written again, so it keeps its modification time
    and a deploy uploads only what changed; nothing is ever written into the previous site's files.

    With a `spare` folder (the cache's, for `build`), the site that is swapped out is kept there, and
    the next build brings it up to date instead of making every folder anew: a rebuild of a large site
    then creates, writes and deletes only what changed. A manifest beside it (MANIFEST) says what each
    file of the live site was made from (reuse.tagged) and which files the spare holds, so that the next
    build need neither read an unchanged file to compare it nor walk the spare's folders.

    With `processes` > 1, a large site's files are written by two processes, each in its own folders.

    `keep` names the files of the live site that stay as they are beside `outputs`, unread (`site_files`:
    a rebuild of quiet.py writes only the files that show the time).
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    live, held = _read_manifest(spare, out)
    staging, held = _take_spare(spare, out, held)
    retired: Path | None = None
    try:
        entries = _fill(staging, outputs, out, live or {}, held, processes, keep or {})
        os.chmod(staging, 0o755)
        kept: dict[str, int] | None = None  # the files of the site swapped out and kept as the spare, and their inodes
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            previous = retired / out.name
            try:
                os.replace(out, previous)
                os.replace(staging, out)
            except BaseException:
                # Stopped between the two renames: put the previous site back before anything else.
                if previous.exists() and not out.exists():
                    os.replace(previous, out)
                raise
            if spare is not None:
                with contextlib.suppress(OSError):  # kept for the next build; or else deleted below
                    spare.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(previous, spare)
                    kept = {name: entry[1] for name, entry in live.items()} if live is not None else None
        else:
            os.replace(staging, out)
        if spare is not None:
            _write_manifest(spare, out, entries, kept)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


MANIFEST = "site.manifest"  # beside the spare site, in the cache
Entry = tuple[str | None, int, int, int]  # a file's key (reuse.tagged) or None, its inode, size and modification time
UNWRITABLE = re.compile(r"[\t\n\r]")  # what a name in the manifest cannot hold


def _folder_id(path: Path) -> str:
    """A folder's device, inode and change time: it is the folder a manifest describes if these match."""
    try:
        found = os.lstat(path)
    except OSError:
        return "-"
    return f"{found.st_dev}:{found.st_ino}:{found.st_ctime_ns}" if stat.S_ISDIR(found.st_mode) else "-"


def _read_manifest(spare: Path | None, out: Path) -> tuple[dict[str, Entry] | None, dict[str, int] | None]:
    """What the last build wrote into `out` (each file checked again before it is trusted), and the files
    the spare holds if it is still the folder that build left; None for what is not known."""
    if spare is None:
        return None, None
    live: dict[str, Entry] = {}
    held: dict[str, int] = {}  # a file of the spare, and its inode (0: not known)
    try:
        with open(spare.parent / MANIFEST, encoding="utf-8") as file:
            first, *lines = file.read().split("\n")
        head = first.split()
        for line in lines:  # 22,000 lines for a site of 10,000 notices: split once each
            if line.startswith("L\t"):
                _, name, key, inode, size, mtime = line.split("\t")
                live[name] = (key or None, int(inode), int(size), int(mtime))
            elif line.startswith("S\t"):
                _, name, *known = line.split("\t")  # an older manifest's lines have no inode
                held[name] = int(known[0]) if known else 0
    except (OSError, ValueError):
        return None, None  # none yet, or not ours: read and walk
    if len(head) != 3 or head[0] != "statuspress-site-manifest":
        return None, None
    # The live site is the same folder if its device and inode are (its files are checked one by one);
    # the spare, only if its change time is the same too. A name that is not an output's is only ever
    # deleted, and only if it is _inside.
    same_live = head[1] != "-" and head[1].rsplit(":", 1)[0] == _folder_id(out).rsplit(":", 1)[0]
    same_spare = head[2] != "-" and head[2] == _folder_id(spare)
    return live if same_live else None, held if same_spare else None


def site_files(out: Path, spare: Path) -> dict[str, Entry] | None:
    """The files of the site at `out` as the last build wrote them (`write_site` with `spare`), each checked
    to be still that file; None when one is not, or the manifest does not say."""
    live, _ = _read_manifest(spare, out)
    if live is None:
        return None
    root = str(out)
    for name, (_, inode, size, mtime) in live.items():
        try:
            found = os.lstat(f"{root}/{name}")
        except OSError:
            return None
        if (found.st_ino, found.st_size, found.st_mtime_ns) != (inode, size, mtime) or not stat.S_ISREG(found.st_mode):
            return None
    return live


def _inside(name: object) -> bool:
    """Whether `name` is a file's path inside a site: relative, plain, never up and out of it."""
    return isinstance(name, str) and bool(name) and not name.startswith("/") and posixpath.normpath(name) == name \
        and ".." not in name.split("/")


def _write_manifest(spare: Path, out: Path, entries: dict[str, Entry], kept: dict[str, int] | None) -> None:
    """Say what `out` and the spare hold now (_read_manifest): a line for the two folders, then a line for
    each file of `out` (L) and of the spare (S); or, when that cannot be written, nothing."""
    path = spare.parent / MANIFEST
    with contextlib.suppress(OSError):
        path.unlink()  # a stale manifest is worse than none
    if UNWRITABLE.search("".join(entries)) or UNWRITABLE.search("".join(kept or ())):
        return
    spare_id = _folder_id(spare) if kept is not None else "-"
    with contextlib.suppress(OSError):
        spare.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".site-", dir=spare.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(f"statuspress-site-manifest {_folder_id(out)} {spare_id}\n")
                file.writelines(f"L\t{name}\t{key or ''}\t{ino}\t{size}\t{mtime}\n"
                                for name, (key, ino, size, mtime) in entries.items())
                file.writelines(f"S\t{name}\t{inode}\n" for name, inode in (kept or {}).items())
            os.replace(name, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _take_spare(spare: Path | None, out: Path, held: dict[str, int] | None
                ) -> tuple[Path, dict[str, int] | None]:
    """A folder beside `out` to build the new site in: the spare site when there is one on the same disk;
    and the files it holds, when the manifest knows them (`held`)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    if spare is not None and spare.is_dir() and not spare.is_symlink():
        try:
            if spare.stat().st_dev == out.parent.stat().st_dev:
                os.rmdir(staging)
                os.replace(spare, staging)
                return staging, held
        except OSError:
            staging.mkdir(exist_ok=True)
    return staging, {}  # a new, empty folder


def _fill(staging: Path, outputs: dict[str, bytes], out: Path, live: dict[str, Entry], held: dict[str, int] | None,
          processes: int = 1, keep: dict[str, Entry] | None = None) -> dict[str, Entry]:
    """Make `staging` hold exactly `outputs` and the files of `out` to `keep`: link what `out` already holds,
    write the rest, delete the others. `live` says what the files of `out` were made from, and `held` which
    files `staging` holds (else it is walked). Return what each file of `staging` is."""
    keep = keep or {}
    root, previous_root = str(staging), str(out)
    emptied = set()  # folders that may be left empty
    if held is None:
        held = {}
        for folder, subfolders, names in os.walk(root):
            for name in subfolders:
                if os.path.islink(os.path.join(folder, name)):  # never a way out of the folder
                    os.unlink(os.path.join(folder, name))
            inside = folder[len(root) + 1:]
            held.update((f"{inside}/{name}" if inside else name, 0) for name in names)
            if not names:
                emptied.add(inside)
    stale = set(held).difference(outputs, keep)
    folders = {name.rpartition("/")[0] for name in held} | {""}
    first = not os.path.isdir(previous_root)  # no site yet: nothing to link or compare

    def place(names: list[str]) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        for name in names:
            data = outputs.get(name)
            folder = name.rpartition("/")[0]
            if folder not in folders:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                folders.add(folder)
            target = f"{root}/{name}"
            source = f"{previous_root}/{name}"
            if data is None:  # a file to keep, as the live site holds it
                entries[name] = keep[name]
                if held.get(name) != keep[name][1] and not _link(source, target):
                    raise OSError(f"cannot link {source}")
                continue
            key = reuse.tag(data)
            previous = None if first else _unchanged(source, data, key, live.get(name))
            if previous is not None:
                entries[name] = (key, previous.st_ino, previous.st_size, previous.st_mtime_ns)
                if held.get(name) == previous.st_ino or _same_file(previous, target):
                    continue  # the spare site already links the file that stays (the manifest says, or the disk)
            if previous is None or not _link(source, target):
                written = write_file(target, data)
                entries[name] = (key, written.st_ino, written.st_size, written.st_mtime_ns)
        return entries

    names = [*outputs, *keep]
    # Two processes when there are many files to write; linking the unchanged ones takes less time than
    # starting a process would.
    changing = len(names) if first else sum(_changing(name, data, live) for name, data in outputs.items())
    mine, theirs = _halves(names) if processes > 1 and changing >= parallel.MINIMUM else (names, [])
    with aside(partial(place, theirs), processes, len(theirs)) as placed:  # the other half, by another process
        entries = place(mine)
        entries.update(placed())
    for name in filter(_inside, stale):  # a planted manifest cannot name a file elsewhere
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(root, name))
        emptied.add(posixpath.dirname(name))
    for folder in sorted(emptied, key=lambda f: f.count("/"), reverse=True):  # the deepest first
        while folder:
            try:
                os.rmdir(os.path.join(root, folder))  # only if empty
            except OSError:
                break
            folder = posixpath.dirname(folder)
    return entries


def _changing(name: str, data: bytes, live: dict[str, Entry]) -> bool:
    """Whether the file `name` is likely to be written, rather than linked: not made from the same key as
    the live site's file."""
    entry = live.get(name)
    return entry is None or entry[0] is None or entry[0] != reuse.tag(data)


def _halves(names: list[str]) -> tuple[list[str], list[str]]:
    """`names` in two parts about as long, each with all the files of some top folders: two processes that
    create files in the same folder wait for each other."""
    tops: dict[str, list[str]] = {}
    for name in names:
        tops.setdefault(name.partition("/")[0] if "/" in name else "", []).append(name)
    halves: tuple[list[str], list[str]] = ([], [])
    for top in sorted(tops.values(), key=len, reverse=True):
        min(halves, key=len).extend(top)
    return halves


def write_file(path: str, data: bytes) -> os.stat_result:
    """Write one output file as a new file and return its status (tests stop a build here). A file already
    at `path` is replaced, never written into: it may be a link to a file of the live site. Plain system
    calls: `open()` would also ask whether the file is a terminal and where it stands, for every file."""
    try:
        handle = os.open(path, NEW_FILE, 0o666)
    except FileExistsError:
        os.unlink(path)
        handle = os.open(path, NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        return os.fstat(handle)
    finally:
        os.close(handle)


NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | RAW


def _unchanged(path: str, data: bytes, key: str | None, entry: Entry | None) -> os.stat_result | None:
    """The file at `path`, when it holds exactly `data`; None when it does not or cannot be read. It is
    not read when the last build wrote it from the same `key` (its `entry`) and it is still that file."""
    try:
        found = os.lstat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return None
        if key is not None and entry is not None and entry == (key, found.st_ino, found.st_size, found.st_mtime_ns):
            return found
        with open(path, "rb") as file:
            return found if file.read() == data else None
    except OSError:
        return None


def _same_file(found: os.stat_result, path: str) -> bool:
    try:
        other = os.lstat(path)
    except OSError:
        return False
    return (other.st_ino, other.st_dev) == (found.st_ino, found.st_dev)


def _link(source: str, target: str) -> bool:
    """Hard-link `source` as `target`, in place of any file there; False on a file system without hard links,
    or a file gone since."""
    try:
        try:
            os.link(source, target)
        except FileExistsError:
            os.unlink(target)
            os.link(source, target)
    except OSError:
        return False
    return True
