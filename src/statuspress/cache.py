"""The build cache in `.statuspress-cache/`: parsed notices, rendered Markdown and the outputs of
settled notices (reuse.py) from earlier builds.

Safe to delete at any time. Every entry is keyed by a hash of all it was made from (a notice's bytes,
path and kind, and the site configuration; Markdown's text and options; for outputs, the templates,
static files and the moment the notice settled), and the whole file by the package version and
FORMAT, so an edit or an upgrade never serves stale output: a cached build is byte-identical to a
cold one. The file is read back with an unpickler that builds only the package's
model classes and plain values, so a planted cache file cannot run code.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import __version__, reuse
from .model import Kind, SiteConfig

if TYPE_CHECKING:  # a quiet rebuild (quiet.py) reads its record without loading the reader or Markdown
    from . import markup
    from .load import Loaded

FOLDER = ".statuspress-cache"
FORMAT = 4  # raise when what is stored, or how it is computed, changes
FILE = "build.pickle"  # what a build kept, whole
DELTA = "build-delta.pickle"  # what later builds added to it, while that is little (BuildCache.save)
DELTA_SHARE = 0.1  # the delta is at most this share of the entries; beyond, the whole file is written anew
CHUNK = 1000  # entries pickled together (write_entries)
DEAD_SHARE = 0.5  # nor may more than this share of FILE's entries have gone unused (a cold build makes more)
SAFE = {
    "builtins": {"set", "frozenset", "tuple", "list", "dict", "str", "bytes", "int", "float", "complex", "bool"},
    "datetime": {"datetime", "date", "time", "timedelta", "timezone"},
    "zoneinfo": {"ZoneInfo", "ZoneInfo._unpickle"},
    "zoneinfo._zoneinfo": {"ZoneInfo", "ZoneInfo._unpickle"},
}
Signature = tuple[int, int, int, int, int]  # a file's modification and change times, size, inode and device
RACY_NS = 2_000_000_000  # a file changed this close to the build that read it is read again next time
Mark = tuple[int, int, int]  # how many notices, Markdown texts and outputs a build has used (BuildCache.mark)
Used = tuple[list[tuple[Any, Any]], ...]  # what it used since: per part, (key, value or None) (BuildCache.since)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        ours = module in ("statuspress.model", "statuspress.views") and not name.startswith("_")
        if name in SAFE.get(module, ()) or ours:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


class BuildCache:
    """What one build may reuse from the previous one, and what it made for the next."""

    def __init__(self, folder: Path, previous: BuildCache | None = None) -> None:
        """Read the cache file in `folder`; or take over from `previous`, this process's last build, when
        the file is still the one that build read or wrote (`statuspress serve` rebuilds on every save)."""
        self.path = folder / FILE
        self.notices: dict[str, Loaded] = {}
        self.markdown: dict[markup.MemoKey, str] = {}
        self._old_notices: dict[str, Loaded] = {}
        self._old_markdown: dict[markup.MemoKey, str] = {}
        self.outputs: dict[str, object] = {}
        self._old_outputs: dict[str, object] = {}
        # a notice file's path -> its signature when read, its kind, the configuration's fingerprint, its key
        self.files: dict[str, tuple[Signature, str, str, str]] = {}
        self._old_files: dict[str, tuple[Signature, str, str, str]] = {}
        self._signed: dict[str, Signature] = {}  # files to sign once read: they are not racy
        self._started = time.time_ns()
        self.hits = 0
        self._config: tuple[SiteConfig | None, str] = (None, "")  # the configuration, and its fingerprint
        self._base: tuple[str, int] = ("", 0)  # FILE's token, and how many entries it holds
        self._in_base: dict[str, AbstractSet[Any]] = {}  # the keys FILE holds, by part
        if previous is not None:
            self._old_notices, self._old_markdown, self._old_outputs, self._old_files = (
                previous.notices, previous.markdown, previous.outputs, previous.files)
            self._base, self._in_base = previous._base, previous._in_base
            return
        try:
            with _settled_heap():
                base, delta = read_entries(self.path), read_entries(self.path.with_name(DELTA))
            if base is not None:
                token, notices, markdown, outputs, files = base
                self._in_base = {"notices": set(notices), "markdown": set(markdown), "outputs": set(outputs)}
                self._base = (token, sum(map(len, self._in_base.values())))
                if delta is not None and delta[0] == token:  # else a delta to another FILE: ignored
                    notices.update(delta[1])
                    markdown.update(delta[2])
                    outputs.update(delta[3])
                    files = delta[4]
                self._old_notices, self._old_markdown, self._old_outputs, self._old_files = (
                    notices, markdown, outputs, files)
        except Exception:  # noqa: BLE001 — truncated or planted: start afresh
            self._old_notices, self._old_markdown, self._old_outputs, self._old_files = {}, {}, {}, {}
            self._base, self._in_base = ("", 0), {}

    def notice(self, data: bytes, path: str, kind: Kind, config: SiteConfig) -> Loaded:
        """Return `load_notice(data, path, kind, config)`, from the cache when the same input was loaded before."""
        from .load import load_notice
        return self.read_as(self.notice_key(data, path, kind, config), path, kind,
                            lambda: load_notice(data, path, kind, config))

    def read_as(self, key: str, path: str, kind: Kind, read: Callable[[], Loaded]) -> Loaded:
        """`notice` of the file at `path` whose `notice_key` is `key`: what the cache holds, or `read()`."""
        signature = self._signed.pop(path, None)
        if signature is not None:
            self.files[path] = (signature, kind.value, self._config[1], key)
        found = _carried(self.notices, self._old_notices, key)
        if found is None:
            notice, problems = read()
            found = self.notices[key] = (notice, list(problems))
        else:
            self.hits += 1
        return found[0], list(found[1])

    def unchanged(self, path: str, kind: Kind, config: SiteConfig, found: os.stat_result) -> Loaded | None:
        """What `notice` returned for the file at `path` in an earlier build, when `found` (its status now)
        shows the same file, untouched since (load.Known); else None, and the file is signed when read.

        A file changed within RACY_NS of the build that read it is not signed: its times could stay the
        same through a second change (git's "racy" files), so it is read again next time."""
        signature = (found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino, found.st_dev)
        if self._config[0] is not config:
            self.notice_key(b"", path, kind, config)  # the configuration's fingerprint
        signed = _carried(self.files, self._old_files, path)
        if signed is not None and signed[:3] == (signature, kind.value, self._config[1]):
            loaded = _carried(self.notices, self._old_notices, signed[3])
            if loaded is not None:
                self.hits += 1
                return loaded[0], list(loaded[1])
        self.files.pop(path, None)
        if max(found.st_mtime_ns, found.st_ctime_ns) < self._started - RACY_NS:
            self._signed[path] = signature
        return None

    def notice_key(self, data: bytes, path: str, kind: Kind, config: SiteConfig) -> str:
        """What `notice` keeps a notice's reading under: a hash of all it is read from."""
        if self._config[0] is not config:
            self._config = (config, hashlib.sha256(repr(config).encode()).hexdigest())
        return hashlib.sha256(f"{kind.value}\0{path}\0{self._config[1]}\0".encode() + data).hexdigest()

    def has_notice(self, key: str) -> bool:
        return key in self.notices or key in self._old_notices

    def keep_notice(self, key: str, loaded: Loaded) -> None:
        """Keep a notice read elsewhere (parallel.py), as `notice` would have."""
        self.notices[key] = loaded

    def mark(self) -> Mark:
        """How much this build has used so far, for `since`."""
        return len(self.notices), len(self.markdown), len(self.outputs)

    def since(self, mark: Mark) -> Used:
        """What this build used after `mark`, for another process's copy of this cache to `take`: each entry
        with its value when this build made it, with None when it carried it over from the last build."""
        found = []
        for (used, old), start in zip(self._parts(), mark, strict=True):
            found.append([(key, None if old.get(key) is value else value)
                          for key, value in itertools.islice(used.items(), start, None)])
        return tuple(found)

    def take(self, used: Used) -> None:
        """Use what another process's copy of this cache used (`since`), as if this build had."""
        for (mine, old), entries in zip(self._parts(), used, strict=True):
            for key, value in entries:
                if value is None:
                    _carried(mine, old, key)
                else:
                    mine[key] = value

    def _parts(self) -> tuple[tuple[dict[Any, Any], dict[Any, Any]], ...]:
        return ((self.notices, self._old_notices), (self.markdown, self._old_markdown),
                (self.outputs, self._old_outputs))

    def get(self, key: markup.MemoKey) -> str | None:
        return _carried(self.markdown, self._old_markdown, key)

    def put(self, key: markup.MemoKey, value: str) -> None:
        self.markdown[key] = value

    def recall(self, key: str) -> object | None:
        return _carried(self.outputs, self._old_outputs, key)

    def keep(self, key: str, value: object) -> None:
        self.outputs[key] = value

    def save(self) -> None:
        """Keep what this build used, written whole or not at all: as a small DELTA to FILE when this
        build added little and left little of FILE unused; else FILE anew, with nothing older."""
        global _last
        if (self.notices.keys() == self._old_notices.keys() and self.markdown.keys() == self._old_markdown.keys()
                and self.outputs.keys() == self._old_outputs.keys() and self.files == self._old_files):
            _last = (self.path, _stamps(self.path), self)
            return
        parts: dict[str, dict[Any, Any]] = {"notices": self.notices, "markdown": self.markdown, "outputs": self.outputs}
        used = sum(map(len, parts.values()))
        token, stored = self._base
        # counted and picked out by set operations: a long history's build uses tens of thousands of entries
        fresh = {part: made.keys() - self._in_base.get(part, set()) for part, made in parts.items()}
        new = sum(map(len, fresh.values())) if token else used
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if token and new <= DELTA_SHARE * used and stored - (used - new) <= DEAD_SHARE * stored:
                added = [{k: made[k] for k in fresh[part]} for part, made in parts.items()]
                write_entries(self.path.with_name(DELTA), (token, *added, self.files))
            else:
                token = os.urandom(16).hex()
                write_entries(self.path, (token, self.notices, self.markdown, self.outputs, self.files))
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path.with_name(DELTA))
                self._base = (token, used)
                self._in_base = {part: made.keys() for part, made in parts.items()}
            _last = (self.path, _stamps(self.path), self)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def read_entries(path: Path) -> tuple[Any, ...] | None:
    """The entries of a cache file of this version and FORMAT (write_entries); None if there is none."""
    try:
        with path.open("rb") as file:
            head = _Unpickler(file).load()
            if not (isinstance(head, tuple) and len(head) == 4 and head[:2] == (__version__, FORMAT)):
                return None  # from another version
            token, parts = head[2:]
            found: list[dict[Any, Any]] = []
            for chunks in parts:
                part: dict[Any, Any] = {}
                for _ in range(chunks):
                    part.update(_Unpickler(file).load())  # a new memo for each, as in write_entries
                found.append(part)
    except FileNotFoundError:
        return None
    return (token, *found)


def write_entries(path: Path, entries: tuple[Any, ...]) -> None:
    """Write a cache file whole or not at all: a token, then each dict of `entries` in chunks of CHUNK
    entries. Each chunk is pickled on its own, so the pickler's memo of what it wrote (which otherwise
    holds every object of a long history at once, at the build's peak of memory) stays small."""
    token, *parts = entries
    handle, name = tempfile.mkstemp(prefix=".build-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            pickler = pickle.Pickler(file, pickle.HIGHEST_PROTOCOL)
            pickler.dump((__version__, FORMAT, token, [-(-len(part) // CHUNK) for part in parts]))
            for part in parts:
                items = iter(part.items())
                for _ in range(-(-len(part) // CHUNK)):
                    pickler.clear_memo()
                    pickler.dump(dict(itertools.islice(items, CHUNK)))
        os.replace(name, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _stamps(path: Path) -> tuple[object, ...]:
    """The stamps of the cache files: they changed if these did."""
    return stamp(path), stamp(path.with_name(DELTA))


@contextlib.contextmanager
def _settled_heap() -> Iterator[None]:
    """Read a large cache without the garbage collector scanning its objects, as they are made and
    every time after: they live as long as the build (gc.freeze), and hold no cycles to collect."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


K = TypeVar("K")
V = TypeVar("V")


def _carried(used: dict[K, V], kept: dict[K, V], key: K) -> V | None:
    """Look `key` up in what this build used, else in what the last build kept, carrying it over."""
    found = used.get(key)
    if found is None:
        found = kept.get(key)
        if found is not None:
            used[key] = found
    return found


_last: tuple[Path, tuple[object, ...], BuildCache] | None = None  # the files as the last save left them


def forget() -> None:
    """Let go of the last build's cache, which this process would otherwise keep for its next build."""
    global _last
    _last = None


def stamp(path: Path) -> tuple[int, int, int] | None:
    """A file's modification time, size and inode: it changed if these did; None if it is not there."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino


@contextlib.contextmanager
def using(folder: Path | None) -> Iterator[BuildCache | None]:
    """Use the cache in `folder` for the length of a build (with None, a store in memory for the build's
    outputs, and no Markdown memo); the caller saves it."""
    reuse.forget(tags=True)
    if folder is None:
        previous_store, reuse.store = reuse.store, reuse.Memory()
        try:
            yield None
        finally:
            reuse.store = previous_store
            reuse.forget()
        return
    path = folder / FILE
    last = _last[2] if _last is not None and _last[0] == path and _last[1] == _stamps(path) and stamp(path) else None
    cache = BuildCache(folder, last)
    from . import markup

    previous = markup.memo, reuse.store, reuse.scope
    markup.memo = reuse.store = cache
    try:
        yield cache
    finally:
        markup.memo, reuse.store, reuse.scope = previous
        reuse.forget()
