"""The Atom feeds (RFC 4287): the site-wide feed and one per component, with entry ids that never change."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from functools import partial

from jinja2 import Environment

from . import asof, i18n
from .model import Component, Site, SiteConfig
from .reuse import reused
from .views import NoticeView, views_naming

FEED = "feed.atom"
COMPONENT_FEEDS = "feeds"

GENERATOR_URI = "https://pypi.org/project/statuspress/"
ENTRIES = 50  # a feed holds the notices changed most recently; the history pages hold them all


def component_feed(component_id: str) -> str:
    """Return the path of a component's feed: `feeds/<component>.atom` (component ids are file-name safe)."""
    return f"{COMPONENT_FEEDS}/{component_id}.atom"


def entry_id(config: SiteConfig, view: NoticeView) -> str:
    """Return an entry's permanent id: the absolute URL of the notice, from its kind and file name.

    The same notice has the same id in every feed it appears in, so a reader subscribed to the
    site-wide feed and to a component's feed can recognise it as one entry.
    """
    return config.url + view.url_path


def atom_feed(
    config: SiteConfig,
    views: list[NoticeView],
    now: datetime,
    content: Callable[[NoticeView], str],
    path: str,
    component: Component | None = None,
) -> bytes:
    """Render a feed of the `ENTRIES` most recently changed published notices (all, or those naming
    `component`), most recently changed first. A feed of settled notices only is made once (reuse.py)."""
    ordered = latest(views)
    if ordered and all(v.settled for v in ordered):
        return reused(("feed", path, tuple(v.key for v in ordered)),
                      partial(_atom, config, ordered, now, content, path, component))
    atom = _atom(config, ordered, now, content, path, component)
    if not ordered:  # its only time is `now`'s: put in last, as the pages' (asof.py)
        return asof.Stamped(atom.replace(asof.updated(now), asof.UPDATED))
    return atom


def _atom(config: SiteConfig, ordered: list[NoticeView], now: datetime, content: Callable[[NoticeView], str],
          path: str, component: Component | None) -> bytes:
    from feedgen.feed import FeedGenerator  # here: a build whose feeds are all kept does not load it

    feed = FeedGenerator()
    if component is None:
        feed.id(config.url)
        feed.title(config.name)
        if config.description:
            feed.subtitle(config.description)
    else:
        feed.id(config.url + path)
        feed.title(f"{config.name}: {component.name}")
        lang = i18n.language(config.language)
        subtitle = (lang.gettext("Incidents and maintenance affecting %(component)s (%(description)s)")
                    if component.description else lang.gettext("Incidents and maintenance affecting %(component)s"))
        feed.subtitle(subtitle % {"component": component.name, "description": component.description})
    feed.link(href=config.url, rel="alternate", type="text/html")
    feed.link(href=config.url + path, rel="self", type="application/atom+xml")
    feed.author({"name": config.name, **({"email": config.contact.email} if config.contact.email else {})})
    feed.language(config.language)
    feed.generator("statuspress", uri=GENERATOR_URI)  # no version: output must not change with upgrades
    feed.updated(ordered[0].updated if ordered else now)
    for view in ordered:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(config, view))
        entry.title(view.title)
        entry.link(href=config.url + view.url_path, rel="alternate", type="text/html")
        entry.updated(view.updated)
        first = view.updates[-1].at if view.updates else view.announced
        if first is not None:
            entry.published(first)
        entry.author({"name": view.author or config.name})
        entry.content(content(view), type="html")
    atom: bytes = feed.atom_str(pretty=True, encoding="UTF-8")
    return atom


def latest(views: list[NoticeView]) -> list[NoticeView]:
    """Return the notices a feed holds: the `ENTRIES` most recently changed, in that order."""
    return heapq.nlargest(ENTRIES, views, key=_changed)


def _changed(view: NoticeView) -> tuple[datetime, str, str]:
    return view.updated, view.kind, view.slug  # a Kind sorts as its value


def feed_files(site: Site, views: list[NoticeView], now: datetime, env: Environment) -> dict[str, bytes]:
    """Return every feed of the site, keyed by its path: `feed.atom` and `feeds/<component>.atom`."""
    config = site.config
    template = env.get_template("feed_entry.html")
    made: dict[str, str] = {}

    def content(view: NoticeView) -> str:
        """An entry's HTML, made once for every feed it is in; a settled notice's, once for every build."""
        if view.url_path not in made:
            made[view.url_path] = (
                template.render(site=config, notice=view, now=now) if view.settled is None
                else reused(("entry", view.key), partial(template.render, site=config, notice=view, now=view.settled))
            )
        return made[view.url_path]

    files = {FEED: atom_feed(config, views, now, content, FEED)}
    # Each component's latest, from every view ranked once: the first `ENTRIES` of them naming it.
    naming = views_naming(config, sorted(views, key=_changed, reverse=True))
    for component in config.components:
        path = component_feed(component.id)
        files[path] = atom_feed(config, naming[component.id][:ENTRIES], now, content, path, component)
    return files
