"""Per-component Atom feeds: valid RFC 4287 like the site-wide feed, the right entries with the same ids,
and every page's alternate links pointing at files that exist."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import etree, html

from conftest import NOW, ROOT
from statuspress.build import build_site
from statuspress.load import load_site

SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"
COMPONENTS = ("api", "dashboard", "auth", "webhooks", "database", "backups", "eu", "us")

EXPECTED = {  # the example site at NOW: which notices name each component, most recently changed first
    "api": ["Database upgrade", "Elevated error rates on the API"],
    "dashboard": ["Database upgrade", "Elevated error rates on the API", "Dashboard slow to load in the US region"],
    "auth": ["Some sign-ins with two-factor authentication failed"],
    "webhooks": ["Webhook deliveries delayed"],
    "database": [],
    "backups": ["Backup storage migration"],
    "eu": ["Network upgrade in the EU region"],
    "us": ["Dashboard slow to load in the US region"],
}


def feed_path(component: str) -> str:
    return f"feeds/{component}.atom"


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def test_every_component_has_a_feed(example_outputs: dict[str, bytes]) -> None:
    feeds = sorted(name for name in example_outputs if name.startswith("feeds/"))
    assert feeds == sorted(feed_path(c) for c in COMPONENTS)


@pytest.mark.parametrize("component", COMPONENTS)
def test_component_feed_is_valid_rfc4287(
    component: str, example_outputs: dict[str, bytes], schema: etree.RelaxNG
) -> None:
    document = etree.fromstring(example_outputs[feed_path(component)])
    assert schema.validate(etree.ElementTree(document)), schema.error_log
    # What RELAX NG cannot check, as for the main feed: an author, one alternate link per entry.
    assert document.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in document.iter(f"{ATOM}entry"):
        links = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(links) == 1 and links[0].get("href", "").startswith("https://status.example.com/")
    # its own id and self link, distinct from the site-wide feed's
    url = f"https://status.example.com/{feed_path(component)}"
    assert document.findtext(f"{ATOM}id") == url
    assert [link.get("href") for link in document.findall(f"{ATOM}link") if link.get("rel") == "self"] == [url]


@pytest.mark.parametrize("component", COMPONENTS)
def test_component_feed_reads_cleanly_with_the_right_entries(
    component: str, example_outputs: dict[str, bytes]
) -> None:
    parsed = feedparser.parse(example_outputs[feed_path(component)])
    assert not parsed.bozo, parsed.get("bozo_exception")
    site, _ = load_site(ROOT)
    assert site is not None
    name = site.config.component(component).name
    assert parsed.feed.title == f"Example Cloud Status: {name}"
    assert [e.title for e in parsed.entries] == EXPECTED[component]
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)


def test_entries_are_those_naming_the_component(example_outputs: dict[str, bytes]) -> None:
    # Computed from the content rather than listed: every published notice is in the feed of each of its
    # components, and in no other.
    site, _ = load_site(ROOT)
    assert site is not None
    main = {e.id: e for e in feedparser.parse(example_outputs["feed.atom"]).entries}
    notices = {f"https://status.example.com/{n.url_path}": n for n in (*site.incidents, *site.maintenance)}
    for component in COMPONENTS:
        entries = feedparser.parse(example_outputs[feed_path(component)]).entries
        expected = {i for i in main if component in dict(notices[i].components)}
        assert {e.id for e in entries} == expected, component
        for entry in entries:  # the same entry as in the site-wide feed: id, updated, published, content
            twin = main[entry.id]
            assert (entry.updated, entry.get("published"), entry.link) == (
                twin.updated, twin.get("published"), twin.link)
            assert entry.content[0].value == twin.content[0].value


def test_an_empty_component_feed_is_valid(example_outputs: dict[str, bytes], schema: etree.RelaxNG) -> None:
    data = example_outputs[feed_path("database")]
    assert schema.validate(etree.ElementTree(etree.fromstring(data)))
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.entries == []


def test_time_travel_keeps_unpublished_notices_out_of_component_feeds() -> None:
    earlier, _ = build_site(ROOT, NOW - timedelta(hours=4))  # before the webhooks incident was posted
    assert earlier is not None
    assert feedparser.parse(earlier[feed_path("webhooks")]).entries == []
    assert b"Webhook deliveries delayed" not in earlier[feed_path("webhooks")]


def alternates(data: bytes) -> list[tuple[str, str]]:
    return [(link.get("type", ""), link.get("href", ""))
            for link in html.fromstring(data).iter("link") if link.get("rel") == "alternate"]


def resolve(page: str, href: str, base: str) -> str:
    """Return the output file a link of `page` points at, for a site served at `base`."""
    absolute = urljoin(urljoin(base, page), href)
    assert absolute.startswith(base), (page, href)
    target = urlsplit(absolute).path[len(urlsplit(base).path):]
    return target + "index.html" if target.endswith("/") or not target else target


@pytest.mark.parametrize("url", ["https://status.example.com/", "https://example.github.io/status/"])
def test_every_alternate_link_resolves_to_a_file(url: str, site: Callable[..., Path]) -> None:
    config = (ROOT / "site.yaml").read_text().replace("https://status.example.com/", url)
    root = site(config=config)
    for folder in ("incidents", "maintenance"):
        (root / folder).mkdir(exist_ok=True)
        for path in (ROOT / folder).glob("*.md"):
            (root / folder / path.name).write_bytes(path.read_bytes())
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    checked = 0
    for name, data in outputs.items():
        if not name.endswith(".html") or "<html" not in data.decode()[:200]:
            continue
        for kind, href in alternates(data):
            target = resolve(name, href, url)
            assert target in outputs, f"{name} links {href}: no such file"
            if kind == "application/atom+xml":
                assert outputs[target].startswith(b"<?xml") and b"<feed" in outputs[target][:200], target
            elif kind == "text/calendar":
                assert outputs[target].startswith(b"BEGIN:VCALENDAR\r\n"), target
            else:
                pytest.fail(f"{name}: unexpected alternate type {kind!r}")
            checked += 1
    assert checked > 20


def test_pages_list_the_feeds_where_they_apply(example_outputs: dict[str, bytes]) -> None:
    home = alternates(example_outputs["index.html"])
    assert home == [("application/atom+xml", "feed.atom")] + [
        ("application/atom+xml", feed_path(c)) for c in COMPONENTS] + [("text/calendar", "maintenance.ics")]
    # a notice page: the site-wide feed and the feeds of its own components, in the notice's order
    page = "incidents/2026-11-18-api-errors/index.html"
    assert alternates(example_outputs[page]) == [
        ("application/atom+xml", "../../feed.atom"),
        ("application/atom+xml", "../../feeds/api.atom"),
        ("application/atom+xml", "../../feeds/dashboard.atom"),
    ]
    page = "maintenance/2026-11-24-backup-storage-migration/index.html"
    assert alternates(example_outputs[page]) == [
        ("application/atom+xml", "../../feed.atom"),
        ("application/atom+xml", "../../feeds/backups.atom"),
        ("text/calendar", "../../maintenance.ics"),
    ]
    # pages about no component in particular list only the site-wide feed
    for name in ("history/index.html", "404.html"):
        assert [kind for kind, _ in alternates(example_outputs[name])] == ["application/atom+xml"], name
    # titles name the site and the component, for a reader's autodiscovery list
    tree = html.fromstring(example_outputs["index.html"])
    titles = [link.get("title") for link in tree.iter("link") if link.get("rel") == "alternate"]
    assert "Example Cloud Status: Managed databases" in titles


def test_the_home_page_subscribe_block(example_outputs: dict[str, bytes]) -> None:
    tree = html.fromstring(example_outputs["index.html"])
    (block,) = tree.xpath('//section[@aria-labelledby="subscribe-heading"]')
    assert block.xpath("string(.//h2)") == "Subscribe"
    hrefs = [a.get("href") for a in block.iter("a")]
    assert hrefs == ["feed.atom", *(feed_path(c) for c in COMPONENTS),
                     "webcal://status.example.com/maintenance.ics", "maintenance.ics"]
    text = block.text_content()
    assert "/feed subscribe https://status.example.com/feed.atom" in text
    assert "https://status.example.com/maintenance.ics" in text
    for href in hrefs:
        if not href.startswith("webcal:"):
            assert posixpath.normpath(href) in example_outputs, href


def test_component_feeds_are_deterministic(example_outputs: dict[str, bytes]) -> None:
    again, _ = build_site(ROOT, NOW)
    assert again is not None
    for component in COMPONENTS:
        assert again[feed_path(component)] == example_outputs[feed_path(component)]
