"""Cold builds of long histories: what settled notices show, made in worker processes.

The costly part of a build is the same for every settled notice: its Markdown, its page and its API
object. Worker processes (forked, so they start at once and share what was loaded) make those of the
settled notices the store does not hold yet, and keep them in the store (reuse.py), where the build
then finds them: the workers that read and parse the notice files make them as they go
(`read_notices`), and `prepare` has workers make those still lacking (notices the cache had parsed).
The output is the same bytes either way: the workers call the very functions the build calls, under
the same keys. Small jobs stay in-process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from multiprocessing.connection import Connection
from typing import NamedTuple, TypeVar

from jinja2 import Environment

from . import reuse, status
from .api import Api
from .cache import BuildCache
from .load import Loaded, Unread, load_notice, read_bytes, read_one
from .model import Incident, Maintenance, Notice, Problem, Site, SiteConfig
from .render import environment, notice_page
from .static import Assets
from .views import forget_keys, notice_view, settled_key

MINIMUM = 400  # settled notices to make, below which workers cost more than they save
SAMPLE = 64  # notices looked up to tell a cache that holds a history from one that does not
CHUNK = 250  # notices per task: small enough to share out evenly, large enough to be cheap to send
SEND = 1000  # paths per message from a process working `aside`

J = TypeVar("J")
R = TypeVar("R")
V = TypeVar("V")

# set before the workers fork, which inherit it: the site, `now`, its static files and its notices
_job: tuple[Site, datetime, Assets, tuple[Notice, ...]] | None = None


class Making(NamedTuple):
    """What the workers that read notice files need to make the settled ones' outputs as they go."""

    site: Site  # the site's root and configuration; its notices are not read yet
    now: datetime
    static: Assets
    scope: str  # reuse.scope, as the build will set it


made_reading = 0  # settled notices the reading workers made in this build (read_notices); `prepare` counts them


def workers() -> int:
    """The worker processes a cold build may use: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _worth_sharing(jobs: int, processes: int) -> bool:
    return processes > 1 and jobs >= MINIMUM and "fork" in multiprocessing.get_all_start_methods()


def _share_out(jobs: list[J], work: Callable[[list[J]], R], processes: int) -> Iterator[tuple[list[J], R]]:
    """Hand `jobs` to forked workers in chunks; yield each chunk with what `work` returned for it, in order."""
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    with _forking(), multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from zip(chunks, pool.imap(work, chunks), strict=True)


@contextlib.contextmanager
def _forking() -> Iterator[None]:
    """Fork what runs inside with what exists now out of the garbage collector's sight (gc.freeze), so
    that the new processes' collections neither scan it nor copy its pages. In a build, it stays so in
    this process too, until the build ends (build.build_with_summary); else only until this ends."""
    frozen = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen:
            gc.unfreeze()


def prepare(site: Site, now: datetime, static: Assets, processes: int) -> int:
    """Make in `processes` workers what the settled notices show that the store lacks; return how many
    settled notices workers made in this build, with those the reading workers made (`made_reading`)."""
    global made_reading
    already, made_reading = made_reading, 0
    store = reuse.store
    if store is None:
        return already
    notices = (*site.incidents, *site.maintenance)

    def lacking(indexes: Iterable[int]) -> list[int]:
        return [i for i in indexes if _lacks(store, notices[i], now)]

    # A cache holds all of a long history or little of it (outputs are made and dropped together): when a
    # sample of SAMPLE notices lacks nothing, a few that settled since will be made in the build itself.
    everything = range(len(notices))
    if not _worth_sharing(len(notices), processes) or not lacking(everything[:: max(1, len(notices) // SAMPLE)]):
        return already
    todo = lacking(everything)  # by index: the workers have the notices already, forked with the site
    if not _worth_sharing(len(todo), processes):
        return already
    global _job
    _job = (site, now, static, notices)
    try:
        for _, made in _share_out(todo, _make, processes):
            for key, value in made.items():
                store.keep(key, value)
    except Exception:  # noqa: BLE001 — a broken template: the build makes the rest itself, and reports it
        return already
    finally:
        _job = None
    return already + len(todo)


@contextlib.contextmanager
def aside(work: Callable[[], dict[str, V]], processes: int, size: int) -> Iterator[Callable[[], dict[str, V]]]:
    """Start `work` in a forked process while the caller goes on, when the build may use `processes` and
    the work is large enough to make it worth it (`size`: notices, or files); yield a function that waits
    for what it made: files of the site by path, or anything else by path.

    What `work` looked up or kept in the build's cache and how it tagged its files (reuse.py) come back
    with them, as if it had run here. Should the process fail, or not be started, the function does
    `work` here, so that its errors are raised where they would have been."""
    if not _worth_sharing(size, processes):
        yield work
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    try:
        with _forking():
            process = context.Process(target=_run_aside, args=(work, reader, writer), daemon=True)
            process.start()
    finally:
        writer.close()

    def result() -> dict[str, V]:
        files: dict[str, V] = {}
        try:
            while isinstance(part := reader.recv(), dict):  # the files, a part at a time, then the rest
                files.update(part)
        except (EOFError, OSError):
            part = None
        finally:
            reader.close()
            process.join()
        if part is None:
            return work()
        used, tags = part
        if used is not None and isinstance(reuse.store, BuildCache):
            reuse.store.take(tuple([(key, files[value.name] if isinstance(value, _File) else value)
                                    for key, value in entries] for entries in used))
        for name, named in tags.items():
            if isinstance(data := files[name], bytes):
                reuse.tagged(data, named)
        return files

    try:
        yield result
    finally:
        if process.is_alive():  # the caller stopped before it asked for the result
            process.kill()
            process.join()
        reader.close()


class _File(NamedTuple):
    """Stands for the file `name`, sent apart, in what a process working `aside` used from the cache."""

    name: str


def _run_aside(work: Callable[[], dict[str, V]], reader: Connection, writer: Connection) -> None:
    """In the forked process: do `work`, then send what it made, SEND paths at a time (the receiver holds
    a part twice for a moment, not all of them), then what it used from the cache and how it tagged its
    files; None if it failed."""
    reader.close()  # the parent's end: should the parent stop, sending fails rather than waits for ever
    store = reuse.store if isinstance(reuse.store, BuildCache) else None  # else a store for this build only
    mark = store.mark() if store is not None else None
    try:
        files = work()
        used = store.since(mark) if store is not None and mark is not None else None
    except BaseException:  # noqa: BLE001  # the parent does the work again and reports the error
        with contextlib.suppress(OSError):
            writer.send(None)
        return
    names = {id(data): name for name, data in files.items()}
    if used is not None:  # what is also a file is sent once, as the file
        used = tuple([(key, _File(names[id(value)]) if id(value) in names else value) for key, value in entries]
                     for entries in used)
    tags = {name: named for name, data in files.items() if isinstance(data, bytes) and (named := reuse.tag(data))}
    order = list(files)
    with contextlib.suppress(OSError):
        for start in range(0, len(order), SEND):
            writer.send({name: files[name] for name in order[start : start + SEND]})
        writer.send((used, tags))


def read_notices(files: list[Unread], config: SiteConfig, store: BuildCache, processes: int,
                 making: Callable[[SiteConfig], Making] | None = None) -> list[Loaded | Problem]:
    """Read notice files as `store.notice` does (load.ReadAll); many of them in worker processes, which
    read each file and parse those the cache lacks. With `making` (what the workers need, from the
    configuration), they also make the outputs of the settled notices they parse, as `prepare` would."""
    if not _worth_sharing(len(files), processes):
        return [read_one(file, config, store.notice) for file in files]
    global _reading, made_reading
    _reading = (files, config, store, making(config) if making is not None else None)
    found: list[Loaded | Problem] = []
    try:
        for chunk, (results, made, outputs) in _share_out(list(range(len(files))), _read, processes):
            made_reading += made
            for key, value in outputs.items():
                store.keep(key, value)
            for file, result in zip(map(files.__getitem__, chunk), results, strict=True):
                if isinstance(result, Problem):
                    found.append(result)
                    continue
                key, loaded = result
                if loaded is not None:
                    store.keep_notice(key, loaded)
                found.append(store.read_as(key, file.relative, file.kind, partial(_unexpected, file, config)))
    finally:
        _reading = None
    return found


_reading: tuple[list[Unread], SiteConfig, BuildCache, Making | None] | None = None  # inherited by the workers


def _read(indexes: list[int]) -> tuple[list[tuple[str, Loaded | None] | Problem], int, dict[str, object]]:
    """In a worker: read the notice files at `indexes`; return each one's key in the store, with its reading
    if the store lacks it, or why it cannot be read; then, with `Making`, how many settled notices it made
    the outputs of, and these by key."""
    assert _reading is not None
    files, config, store, making = _reading
    found: list[tuple[str, Loaded | None] | Problem] = []
    parsed: list[Notice] = []
    for file in map(files.__getitem__, indexes):
        data = read_bytes(file)
        if isinstance(data, Problem):
            found.append(data)
            continue
        key = store.notice_key(data, file.relative, file.kind, config)
        loaded = None if store.has_notice(key) else _loaded(load_notice(data, file.relative, file.kind, config))
        found.append((key, loaded))
        if loaded is not None and loaded[0] is not None and not any(p.is_error for p in loaded[1]):
            parsed.append(loaded[0])
    if making is None:
        return found, 0, {}
    return (found, *_make_settled(making, store, parsed))


def _make_settled(making: Making, store: BuildCache, notices: list[Notice]) -> tuple[int, dict[str, object]]:
    """In a reading worker: make the view, page and API object of those of `notices` that are settled and
    that `store` lacks, as `_make` does; return how many, and what was made by key."""
    site, now = making.site, making.now
    reuse.scope = making.scope  # as the build sets it once the notices are read
    todo = [n for n in notices if _lacks(store, n, now)]
    if not todo:
        return 0, {}
    global _reading_env
    if _reading_env is None:
        _reading_env = environment(site, making.static)
    # The API objects of these notices: each is made from its notice alone (and the configuration).
    api = Api(replace(site, incidents=tuple(n for n in todo if isinstance(n, Incident)),
                      maintenance=tuple(n for n in todo if isinstance(n, Maintenance))), now)
    try:
        return len(todo), _made(_reading_env, site.config, now, api, todo)
    except Exception:  # noqa: BLE001 — a broken template: the build makes them itself, and reports it
        return 0, {}


def _lacks(store: reuse.Store, notice: Notice, now: datetime) -> bool:
    """Whether `notice` is settled at `now` and `store` lacks what it shows (its view, made with its page)."""
    return status.is_published(notice, now) and (moment := status.settled_at(notice, now)) is not None \
        and store.recall(reuse.key(("view", settled_key(notice, moment)))) is None


def _made(env: Environment, config: SiteConfig, now: datetime, api: Api, notices: Iterable[Notice]
          ) -> dict[str, object]:
    """In a worker: make the view, page and API object of settled `notices`; return them by key. Then let go
    of what the functions that made them remember for the length of a build (reuse.forget,
    views.forget_keys): it would hold every notice the worker made, which it is about to send."""
    recorder, kept = reuse.Memory(), reuse.store
    reuse.store = recorder
    try:
        for notice in notices:
            notice_page(env, config, notice_view(notice, config, now), now, api.indicator)  # not shown: settled
            api.body(notice)
    finally:
        reuse.store = kept
        reuse.forget()
        forget_keys()
    return recorder.made


_reading_env: Environment | None = None  # a reading worker's template environment, made once


def _unexpected(file: Unread, config: SiteConfig) -> Loaded:
    """What the store lacks though the worker found it there (it cannot): the file read again, here."""
    found = read_one(file, config)
    if isinstance(found, Problem):
        return None, [found]
    return found


def _loaded(found: tuple[Notice | None, list[Problem]]) -> Loaded:
    return found[0], list(found[1])


_worker: tuple[Environment, Api] | None = None  # a worker's template environment and API, made once


def _make(indexes: list[int]) -> dict[str, object]:
    """In a worker: make the view, page and API object of the settled notices at `indexes` in the site;
    return them by key."""
    global _worker
    assert _job is not None
    site, now, static, notices = _job
    if _worker is None:
        _worker = (environment(site, static), Api(site, now))
    env, api = _worker
    return _made(env, site.config, now, api, map(notices.__getitem__, indexes))
