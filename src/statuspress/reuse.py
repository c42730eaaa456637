"""Outputs reused from earlier builds: what a settled notice shows is made once, then kept in the cache.

A build that has a cache (cache.py) sets `store` and `scope` for its length. `reused(parts, make)`
returns what `make()` returns, from the store when the same `parts` were made before in the same
`scope`: a fingerprint of everything every output depends on (the package, the configuration, the
templates, the static files). Without a store, it simply calls `make()`. Callers name in `parts`
everything else their output depends on, `now` included unless the output is settled
(status.settled_at), so a reused output is always the bytes a cold build makes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from .model import Notice

T = TypeVar("T")


class Store(Protocol):
    """Where outputs are looked up and kept; cache.BuildCache is one."""

    def recall(self, key: str) -> object | None: ...

    def keep(self, key: str, value: object) -> None: ...


store: Store | None = None  # None: every output is made afresh
scope = ""


def reused(parts: tuple[object, ...], make: Callable[[], T]) -> T:
    """Return `make()`, or what it returned in an earlier build for the same `parts` in the same scope.
    What a build asks for again (a notice's line, on each page that lists it) is found by its `parts`,
    without hashing them into a key each time."""
    if store is None:
        return make()
    try:
        found = _here.get(parts)
    except TypeError:  # parts that cannot be a dict's key
        return reused_as(key(parts), make)
    if found is None:
        found = _here[parts] = reused_as(key(parts), make)
    return found  # type: ignore[return-value]  # the parts name what was made, so it is a T


def reused_as(named: str, make: Callable[[], T]) -> T:
    """`reused` of the parts whose key is `named`."""
    if store is None:
        return make()
    found = store.recall(named)
    if found is None:
        found = make()
        store.keep(named, found)
    if isinstance(found, bytes):
        tagged(found, named)
    return found  # type: ignore[return-value]  # the key names what was made, so it is a T


def tagged(data: bytes, named: str) -> bytes:
    """`data`, the bytes of a file, tagged with the key `named` of all they were made from: a file written
    from bytes with the same key holds the same bytes, so the writer need not read it to compare
    (write.write_site). The tag lasts until the next build starts."""
    _tags[id(data)] = (data, named)
    return data


def tag(data: bytes) -> str | None:
    """The key `data` was tagged with in the last build, if any."""
    found = _tags.get(id(data))
    return found[1] if found is not None and found[0] is data else None


_tags: dict[int, tuple[bytes, str]] = {}  # by the bytes' identity


def key(parts: tuple[object, ...]) -> str:
    """The key of what `parts` name, in the current scope."""
    return hashlib.sha256(f"{scope}\0{parts!r}".encode()).hexdigest()


class Memory:
    """A store for the length of one build without a cache: what several outputs share is made once."""

    def __init__(self) -> None:
        self.made: dict[str, object] = {}

    def recall(self, key: str) -> object | None:
        return self.made.get(key)

    def keep(self, key: str, value: object) -> None:
        self.made[key] = value


def digest(notice: Notice) -> str:
    """A notice's fingerprint: its kind, its path and its text, from which (with the configuration) it is read."""
    found = _digests.get(id(notice))
    if found is None or found[0] is not notice:
        found = _digests[id(notice)] = (notice, hashlib.sha256(
            f"{notice.kind.value}\0{notice.path}\0{notice.source}".encode()).hexdigest())
    return found[1]


_digests: dict[int, tuple[Notice, str]] = {}  # by the notice's identity, for the length of a build (forget)
_here: dict[tuple[object, ...], object] = {}  # what `reused` returned in this build, by its parts (forget)


def forget(tags: bool = False) -> None:
    """Drop what the last build fingerprinted (the next build's notices may be others), and its `tags`."""
    _digests.clear()
    _here.clear()
    if tags:
        _tags.clear()
