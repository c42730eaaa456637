"""The Atom feed: valid RFC 4287 (RELAX NG with lxml), readable by feedparser, with stable entry ids."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import NOW, ROOT
from statuspress.build import build_site
from statuspress.feeds import ENTRIES

SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def feed(example_outputs: dict[str, bytes]) -> bytes:
    return example_outputs["feed.atom"]


def test_feed_is_valid_rfc4287(feed: bytes) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    document = etree.fromstring(feed)
    assert schema.validate(etree.ElementTree(document)), schema.error_log
    # What RELAX NG cannot check: every entry has an author (or the feed has one) and an alternate link.
    assert document.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in document.iter(f"{ATOM}entry"):
        links = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(links) == 1 and links[0].get("href", "").startswith("https://status.example.com/")


def test_feed_reads_cleanly_in_feedparser(feed: bytes) -> None:
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Example Cloud Status"
    titles = [e.title for e in parsed.entries]
    assert len(titles) == 7
    assert "Elevated error rates on the API" in titles and "Database upgrade" in titles
    # newest change first
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert parsed.entries[0].title == "Webhook deliveries delayed"


def test_every_page_links_the_feed(example_outputs: dict[str, bytes]) -> None:
    for name, data in example_outputs.items():
        if name.endswith(".html") and not name.endswith("/offline.html") and not name.startswith("embed/"):
            assert b'rel="alternate" type="application/atom+xml"' in data, name


def entries(feed: bytes) -> dict[str, tuple[str, str]]:
    parsed = feedparser.parse(feed)
    return {e.link: (e.id, e.updated) for e in parsed.entries}


def test_entry_ids_stay_and_updated_moves_when_a_notice_is_updated() -> None:
    before, _ = build_site(ROOT, NOW - timedelta(minutes=45))  # before the webhooks' Identified update
    after, _ = build_site(ROOT, NOW)
    assert before and after
    old, new = entries(before["feed.atom"]), entries(after["feed.atom"])
    link = "https://status.example.com/incidents/2026-11-24-delayed-webhooks/"
    assert old[link][0] == new[link][0] == link
    assert old[link][1] == "2026-11-24T10:52:00+00:00"
    assert new[link][1] == "2026-11-24T11:20:00+00:00"
    moved = "https://status.example.com/maintenance/2026-12-02-database-upgrade/"
    assert new[moved][1] == "2026-11-24T09:00:00+00:00"  # its move, after its announcement


def test_a_feed_holds_the_fifty_most_recently_changed_notices(generated_outputs: dict[str, bytes]) -> None:
    """History pages hold every notice; a feed, however long the history, the latest `ENTRIES`."""
    parsed = feedparser.parse(generated_outputs["feed.atom"])
    assert not parsed.bozo
    assert len(parsed.entries) == ENTRIES == 50
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    api = json.loads(generated_outputs["api/v2/incidents.json"])  # 50 most recent incidents, as Statuspage
    newest = {i["shortlink"] for i in api["incidents"][:40]}
    assert newest <= {e.link for e in parsed.entries}
    history = b"".join(data for name, data in generated_outputs.items() if name.startswith("history/"))
    assert history.count(b'class="notice-line"') == 126  # every notice, on three pages
    component = feedparser.parse(generated_outputs["feeds/c1.atom"])
    assert 0 < len(component.entries) <= 50
