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
import os
import pickle
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from . import __version__, markup, reuse
from .load import Loaded, load_notice
from .model import Kind, Notice, Problem, SiteConfig

FOLDER = ".statuspress-cache"
FORMAT = 3  # raise when what is stored, or how it is computed, changes
FILE = "build.pickle"
SAFE = {
    "builtins": {"set", "frozenset", "tuple", "list", "dict", "str", "bytes", "int", "float", "complex", "bool"},
    "datetime": {"datetime", "date", "time", "timedelta", "timezone"},
    "zoneinfo": {"ZoneInfo", "ZoneInfo._unpickle"},
    "zoneinfo._zoneinfo": {"ZoneInfo", "ZoneInfo._unpickle"},
}
Signature = tuple[int, int, int, int, int]  # a file's modification and change times, size, inode and device
RACY_NS = 2_000_000_000  # a file changed this close to the build that read it is read again next time


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
        if previous is not None:
            self._old_notices, self._old_markdown, self._old_outputs, self._old_files = (
                previous.notices, previous.markdown, previous.outputs, previous.files)
            return
        try:
            with self.path.open("rb") as file, _settled_heap():
                stored = _Unpickler(file).load()
            if isinstance(stored, tuple) and len(stored) == 6 and stored[:2] == (__version__, FORMAT):
                self._old_notices, self._old_markdown, self._old_outputs, self._old_files = stored[2:]
        except Exception:  # noqa: BLE001 — missing, truncated, from another version or planted: start afresh
            self._old_notices, self._old_markdown, self._old_outputs, self._old_files = {}, {}, {}, {}

    def notice(self, data: bytes, path: str, kind: Kind, config: SiteConfig) -> Loaded:
        """Return `load_notice(data, path, kind, config)`, from the cache when the same input was loaded before."""
        key = self.notice_key(data, path, kind, config)
        signature = self._signed.pop(path, None)
        if signature is not None:
            self.files[path] = (signature, kind.value, self._config[1], key)
        found = _carried(self.notices, self._old_notices, key)
        if found is None:
            notice, problems = load_notice(data, path, kind, config)
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

    def get(self, key: markup.MemoKey) -> str | None:
        return _carried(self.markdown, self._old_markdown, key)

    def put(self, key: markup.MemoKey, value: str) -> None:
        self.markdown[key] = value

    def recall(self, key: str) -> object | None:
        return _carried(self.outputs, self._old_outputs, key)

    def keep(self, key: str, value: object) -> None:
        self.outputs[key] = value

    def save(self) -> None:
        """Keep what this build used (and nothing older), written whole or not at all."""
        global _last
        if (self.notices.keys() == self._old_notices.keys() and self.markdown.keys() == self._old_markdown.keys()
                and self.outputs.keys() == self._old_outputs.keys() and self.files == self._old_files):
            _last = (self.path, stamp(self.path), self)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".build-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as file:
                    stored = (__version__, FORMAT, self.notices, self.markdown, self.outputs, self.files)
                    pickle.dump(stored, file, pickle.HIGHEST_PROTOCOL)
                os.replace(name, self.path)
                _last = (self.path, stamp(self.path), self)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(name)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


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


_last: tuple[Path, tuple[int, int, int] | None, BuildCache] | None = None  # the file as the last save left it


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
    last = _last[2] if _last is not None and _last[0] == path and _last[1] == stamp(path) is not None else None
    cache = BuildCache(folder, last)
    previous = markup.memo, reuse.store, reuse.scope
    markup.memo = reuse.store = cache
    try:
        yield cache
    finally:
        markup.memo, reuse.store, reuse.scope = previous
        reuse.forget()
