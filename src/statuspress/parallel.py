"""Cold builds of long histories: what settled notices show, made in worker processes.

The costly part of a build is the same for every settled notice: its Markdown, its page and its API
object. Before the build proper, `prepare` has worker processes (forked, so they start at once and
share what was loaded) make those of the settled notices the store does not hold yet, and keeps them
in the store (reuse.py), where the build then finds them. The output is the same bytes either way:
the workers call the very functions the build calls, under the same keys. Small jobs stay in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TypeVar

from jinja2 import Environment

from . import reuse, status
from .api import Api
from .cache import BuildCache
from .load import Loaded, load_notice
from .model import Kind, Notice, Problem, Site, SiteConfig
from .render import environment, notice_page
from .static import Assets
from .views import notice_view, settled_key

MINIMUM = 400  # settled notices to make, below which workers cost more than they save
SAMPLE = 64  # notices looked up to tell a cache that holds a history from one that does not
CHUNK = 250  # notices per task: small enough to share out evenly, large enough to be cheap to send

J = TypeVar("J")
R = TypeVar("R")

# set before the workers fork, which inherit it: the site, `now`, its static files and its notices
_job: tuple[Site, datetime, Assets, tuple[Notice, ...]] | None = None


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
    # What the workers inherit (the site, what the store holds) is out of the garbage collector's sight
    # while they run, so that their collections neither scan it nor copy its pages (gc.freeze).
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from zip(chunks, pool.imap(work, chunks), strict=True)
    finally:
        gc.unfreeze()


def prepare(site: Site, now: datetime, static: Assets, processes: int) -> int:
    """Make in `processes` workers what the settled notices show that the store lacks; return how many."""
    store = reuse.store
    if store is None:
        return 0
    notices = (*site.incidents, *site.maintenance)

    def lacking(indexes: Iterable[int]) -> list[int]:
        return [i for i in indexes if status.is_published(n := notices[i], now) and (moment := status.settled_at(
                n, now)) is not None and store.recall(reuse.key(("view", settled_key(n, moment)))) is None]

    # A cache holds all of a long history or little of it (outputs are made and dropped together): when a
    # sample of SAMPLE notices lacks nothing, a few that settled since will be made in the build itself.
    everything = range(len(notices))
    if not _worth_sharing(len(notices), processes) or not lacking(everything[:: max(1, len(notices) // SAMPLE)]):
        return 0
    todo = lacking(everything)  # by index: the workers have the notices already, forked with the site
    if not _worth_sharing(len(todo), processes):
        return 0
    global _job
    _job = (site, now, static, notices)
    try:
        for _, made in _share_out(todo, _make, processes):
            for key, value in made.items():
                store.keep(key, value)
    finally:
        _job = None
    return len(todo)


def read_notices(texts: list[tuple[bytes, str, Kind]], config: SiteConfig, store: BuildCache,
                 processes: int) -> list[Loaded]:
    """Read notice files as `store.notice` does (load.ReadAll), those the cache lacks in worker processes."""
    keys = [store.notice_key(data, path, kind, config) for data, path, kind in texts]
    todo = [i for i, key in enumerate(keys) if not store.has_notice(key)]
    if _worth_sharing(len(todo), processes):
        global _reading
        _reading = (texts, config)
        try:
            for chunk, loaded in _share_out(todo, _read, processes):
                for index, found in zip(chunk, loaded, strict=True):
                    store.keep_notice(keys[index], found)
        finally:
            _reading = None
    return [store.notice(data, path, kind, config) for data, path, kind in texts]


_reading: tuple[list[tuple[bytes, str, Kind]], SiteConfig] | None = None  # inherited by the workers


def _read(indexes: list[int]) -> list[Loaded]:
    """In a worker: read the notice files at `indexes`."""
    assert _reading is not None
    texts, config = _reading
    return [_loaded(load_notice(*texts[i], config)) for i in indexes]


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
    indicator = api.indicator  # not shown on settled pages
    recorder = reuse.Memory()
    reuse.store = recorder
    for notice in map(notices.__getitem__, indexes):
        view = notice_view(notice, site.config, now)
        notice_page(env, site.config, view, now, indicator)
        api.body(notice)
    return recorder.made
