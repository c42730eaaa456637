"""Static files: the package's `templates/assets/`, each replaced or joined by the site's file of the same name.

Every file is published under a name that carries a hash of its content (`style.css` becomes
`assets/style.3f2a9c1e.css`), so a host may let browsers and CDNs keep it for a year: a changed file
gets a new name, and the pages of the same build link that name. Templates get a file's published
path from the `asset` function (`{{ root }}{{ asset('style.css') }}`). A stylesheet's `url(...)` to
another file of the folder is rewritten to that file's published name, so site stylesheets may use
images and fonts of their own.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from jinja2 import TemplateRuntimeError

from .model import Site

ASSETS = "assets"
HASH_CHARS = 8  # hex digits of SHA-256 in a published name: a new version collides with 1 chance in 4 billion
IMAGES = frozenset({".avif", ".gif", ".ico", ".jpeg", ".jpg", ".png", ".svg", ".webp"})
FONTS = frozenset({".otf", ".ttf", ".woff", ".woff2"})
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""")


@dataclass(frozen=True)
class Assets:
    """The static files of a build: `paths` maps a file's name in assets/ to its published path."""

    paths: dict[str, str]  # "style.css" -> "assets/style.3f2a9c1e.css"
    files: dict[str, bytes]  # "assets/style.3f2a9c1e.css" -> its content

    def path(self, name: str) -> str:
        """Return the published path of `name` (the template function `asset`)."""
        try:
            return self.paths[name]
        except KeyError:
            known = ", ".join(sorted(self.paths))
            raise TemplateRuntimeError(f"asset({name!r}): no such file in assets/ (there are {known})") from None


def sources(site: Site) -> dict[str, bytes]:
    """Return every static file by its name in assets/: the defaults, then the site's `templates/assets/`."""
    found: dict[str, bytes] = {}
    default = files("statuspress") / "templates" / ASSETS
    for item in sorted(default.iterdir(), key=lambda i: i.name):
        if item.is_file():
            found[item.name] = item.read_bytes()
    overrides = Path(site.root) / "templates" / ASSETS
    if overrides.is_dir():
        for path in sorted(p for p in overrides.rglob("*") if p.is_file()):
            found[path.relative_to(overrides).as_posix()] = path.read_bytes()
    return found


def fingerprint(name: str, data: bytes) -> str:
    """Return the published path of a file: `style.css` -> `assets/style.<first 8 hex of its SHA-256>.css`."""
    stem, suffix = posixpath.splitext(name)
    return f"{ASSETS}/{stem}.{hashlib.sha256(data).hexdigest()[:HASH_CHARS]}{suffix}"


def _relink_css(name: str, data: bytes, paths: dict[str, str]) -> bytes:
    """Point each `url(...)` of a stylesheet at the published name of the file it names, if that is an asset."""
    folder = posixpath.dirname(name)
    text = data.decode("utf-8", "surrogateescape")

    def relink(match: re.Match[str]) -> str:
        quote, url = match.group(1), match.group(2)
        cut = next((i for i, char in enumerate(url) if char in "?#"), len(url))
        target, tail = url[:cut], url[cut:]  # `font.woff2?v=2#x` -> `font.woff2`, `?v=2#x`
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/", target):  # data:, https:, /absolute: not ours to change
            return match.group(0)
        published = paths.get(posixpath.normpath(posixpath.join(folder, target)))
        if published is None:
            return match.group(0)
        href = posixpath.relpath(published, posixpath.join(ASSETS, folder))
        return f"url({quote}{href}{tail}{quote})"

    return _CSS_URL.sub(relink, text).encode("utf-8", "surrogateescape")


def load_assets(site: Site) -> Assets:
    """Read and fingerprint the static files; stylesheets last, so their `url(...)`s can name the others."""
    found = sources(site)
    paths: dict[str, str] = {}
    published: dict[str, bytes] = {}
    for name in sorted(found, key=lambda n: (n.endswith(".css"), n)):
        data = _relink_css(name, found[name], paths) if name.endswith(".css") else found[name]
        paths[name] = fingerprint(name, data)
        published[paths[name]] = data
    return Assets(paths, published)


def policy_sources(names: Iterable[str]) -> tuple[str, ...]:
    """The Content-Security-Policy directives that static files of these names need: images, fonts."""
    suffixes = {posixpath.splitext(name)[1].lower() for name in names}
    return (*(["img-src 'self'"] if suffixes & IMAGES else []), *(["font-src 'self'"] if suffixes & FONTS else []))
