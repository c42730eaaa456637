"""The embeddable notice (`embed/notice.html`, `embed/notice.json`) and the "we'll be back" pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from conftest import NOW, ROOT
from statuspress.build import build_site
from test_badges import HOSTILE, outputs_of

BASE = "https://status.example.com/"
QUIET = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # the example site has nothing going on
DB_UPGRADE_START = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # after its move
WEBHOOKS = BASE + "incidents/2026-11-24-delayed-webhooks/"
BACKUPS = BASE + "maintenance/2026-11-24-backup-storage-migration/"
DB_UPGRADE = BASE + "maintenance/2026-12-02-database-upgrade/"
At = Callable[[datetime], dict[str, bytes]]
NOTHING = "No incidents, and no maintenance in progress or in the next 24 hours."


@pytest.fixture(scope="module")
def example_at() -> At:
    built: dict[datetime, dict[str, bytes]] = {}

    def at(now: datetime) -> dict[str, bytes]:
        if now not in built:
            outputs, problems = build_site(ROOT, now)
            assert outputs is not None, [str(p) for p in problems]
            built[now] = outputs
        return built[now]

    return at


def embed_json(outputs: dict[str, bytes]) -> dict[str, Any]:
    data = json.loads(outputs["embed/notice.json"])
    assert isinstance(data, dict)
    return data


def listed(outputs: dict[str, bytes]) -> list[tuple[str, str, str]]:
    """Return (kind, title, state) of every notice in the JSON embed."""
    notices = embed_json(outputs)["notices"]
    assert isinstance(notices, list)
    return [(n["kind"], n["title"], n["state"]) for n in notices]


def links(fragment: bytes) -> list[tuple[str, str, str | None]]:
    """Return (text, href, target) of every link of an HTML fragment."""
    root = html.fragment_fromstring(fragment.decode("ascii"), create_parent="div")
    return [(a.text_content(), a.get("href", ""), a.get("target")) for a in root.iter("a")]


def test_embed_names_what_is_going_on_at_now(example_outputs: dict[str, bytes]) -> None:
    assert listed(example_outputs) == [
        ("incident", "Webhook deliveries delayed", "identified"),
        ("maintenance", "Backup storage migration", "in_progress"),
    ]
    data = embed_json(example_outputs)
    assert data["status"] == {"indicator": "minor", "description": "Minor service disruption"}
    assert data["message"] == "1 ongoing incident; 1 maintenance in progress."
    assert data["generated_at"] == "2026-11-24T12:00:00Z"
    incident, maintenance = data["notices"]
    assert incident == {
        "kind": "incident", "id": incident["id"], "title": "Webhook deliveries delayed", "url": WEBHOOKS,
        "state": "identified", "state_words": "Identified", "impact": "minor",
        "started": "2026-11-24T10:52:00Z", "updated": "2026-11-24T11:20:00Z",
        "components": [{"id": "webhooks", "name": "Webhooks", "status": "degraded_performance"}],
    }
    assert re.fullmatch(r"[a-z0-9]{4,32}", incident["id"])
    assert maintenance["impact"] == "maintenance" and maintenance["url"] == BACKUPS
    assert maintenance["window"] == {"start": "2026-11-24T11:00:00Z", "end": "2026-11-24T13:00:00Z",
                                     "text": "Tue 24 Nov 2026, 11:00–13:00 UTC (12:00–14:00 CET)"}
    assert maintenance["updated"] == "2026-11-24T11:02:00Z"


def test_embed_html_at_now(example_outputs: dict[str, bytes]) -> None:
    fragment = example_outputs["embed/notice.html"]
    found = links(fragment)
    assert found == [
        ("Example Cloud Status", BASE, "_top"),
        ("Webhook deliveries delayed", WEBHOOKS, "_top"),
        ("Backup storage migration", BACKUPS, "_top"),
    ]
    text = html.fragment_fromstring(fragment.decode("ascii"), create_parent="div").text_content()
    assert "Minor service disruption" in text
    assert "Identified · Minor impact · since 24 Nov 2026, 10:52 UTC (11:52 CET)" in text
    assert "In progress · Tue 24 Nov 2026, 11:00–13:00 UTC (12:00–14:00 CET)" in text
    assert "Status as of 24 Nov 2026, 12:00 UTC (13:00 CET)." in text  # a static banner says how fresh it is
    assert NOTHING not in text


def test_embed_html_is_inline_safe(example_outputs: dict[str, bytes], example_at: At) -> None:
    for outputs in (example_outputs, example_at(QUIET)):
        fragment = outputs["embed/notice.html"]
        fragment.decode("ascii")  # pure ASCII: reads right whatever charset the host sends
        assert not fragment.lstrip().lower().startswith((b"<!doctype", b"<html"))
        root = html.fragment_fromstring(fragment.decode("ascii"))  # one element, nothing around it
        assert root.tag == "aside"
        for element in root.iter():
            assert element.tag not in ("script", "style", "link", "iframe", "img", "form", "object", "embed", "meta")
            for attribute in element.attrib:
                assert attribute not in ("id", "style", "src") and not attribute.startswith("on"), attribute
            if element.tag == "a":
                assert element.get("href", "").startswith(BASE) and element.get("target") == "_top"
        assert all(c.startswith("statuspress-") for e in root.iter() for c in e.get("class", "").split())


def test_embed_says_plainly_when_there_is_nothing(example_at: At) -> None:
    outputs = example_at(QUIET)
    data = embed_json(outputs)
    assert data["notices"] == []
    assert data["message"] == NOTHING
    assert data["status"] == {"indicator": "none", "description": "All systems operational"}
    fragment = outputs["embed/notice.html"].decode("ascii")
    text = html.fragment_fromstring(fragment).text_content()
    assert "All systems operational" in text and NOTHING in text
    assert "<ul" not in fragment and links(outputs["embed/notice.html"]) == [("Example Cloud Status", BASE, "_top")]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (DB_UPGRADE_START - timedelta(hours=24, minutes=1), None),
        (DB_UPGRADE_START - timedelta(hours=24), "scheduled"),
        (DB_UPGRADE_START - timedelta(minutes=1), "scheduled"),
        (DB_UPGRADE_START + timedelta(minutes=30), "in_progress"),
        (DB_UPGRADE_START + timedelta(hours=1), None),  # completed at the end of its window
    ],
)
def test_maintenance_is_named_from_24_hours_before_its_window(
    example_at: At, now: datetime, expected: str | None
) -> None:
    outputs = example_at(now)
    states = [state for kind, title, state in listed(outputs) if title == "Database upgrade"]
    assert states == ([expected] if expected else [])
    hrefs = [href for _text, href, _target in links(outputs["embed/notice.html"])]
    assert (DB_UPGRADE in hrefs) is (expected is not None)
    if expected == "scheduled":
        text = html.fragment_fromstring(outputs["embed/notice.html"].decode("ascii")).text_content()
        assert "Starts within 24 hours · Wed 2 Dec 2026, 08:00–09:00 UTC" in text
        assert "1 maintenance in the next 24 hours" in str(embed_json(outputs)["message"])


MOVED = """\
---
title: Moved upgrade
components: {api: under_maintenance}
window: {start: 2026-12-10T10:00:00Z, end: 2026-12-10T11:00:00Z}
rescheduled:
  - from: {start: 2026-11-25T10:00:00Z, end: 2026-11-25T11:00:00Z}
    on: 2026-11-24T13:00:00Z
    reason: Vendor patch.
---
Upgrading.
"""


def test_the_window_named_is_the_one_announced_at_now(site: Callable[..., Path]) -> None:
    root = site({"maintenance/m.md": MOVED})
    before_move = json.loads(outputs_of(root, NOW)["embed/notice.json"])  # the old window is 22 h ahead
    assert [(n["title"], n["window"]["start"]) for n in before_move["notices"]] == [
        ("Moved upgrade", "2026-11-25T10:00:00Z")]
    after_move = json.loads(outputs_of(root, NOW + timedelta(hours=2))["embed/notice.json"])
    assert after_move["notices"] == [] and after_move["message"] == NOTHING


def test_embed_escapes_hostile_text(site: Callable[..., Path]) -> None:
    config = f"""\
name: '{HOSTILE.replace("'", "''")}'
url: https://status.test.example/
components:
  - {{id: api, name: '{HOSTILE.replace("'", "''")}'}}
"""
    incident = f"""\
---
title: '{HOSTILE.replace("'", "''")}'
impact: major
components: {{api: partial_outage}}
---
Summary.

## Investigating · 2026-11-24 11:00 UTC
Looking.
"""
    outputs = outputs_of(site({"incidents/a.md": incident}, config))
    fragment = outputs["embed/notice.html"]
    root = html.fragment_fromstring(fragment.decode("ascii"))
    assert not list(root.iter("script", "img"))
    assert [a.text_content() for a in root.iter("a")] == [HOSTILE, HOSTILE]
    assert b"<script" not in fragment and b"<img" not in fragment
    assert root.get("aria-label") == f"Service status: {HOSTILE}"
    data = json.loads(outputs["embed/notice.json"])
    assert data["notices"][0]["title"] == HOSTILE and data["page"]["name"] == HOSTILE
    assert b"<" not in outputs["embed/notice.json"]


# "We'll be back" pages


def offline(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in outputs.items() if name.endswith("/offline.html")}


def test_each_published_maintenance_has_an_offline_page(
    example_outputs: dict[str, bytes], example_at: At
) -> None:
    folders = sorted(f"maintenance/{p.stem}/offline.html" for p in (ROOT / "maintenance").glob("*.md"))
    assert sorted(offline(example_outputs)) == folders
    # before the database upgrade was announced (18 Nov 14:00 UTC) it has no page yet
    assert "maintenance/2026-12-02-database-upgrade/offline.html" not in example_at(QUIET - timedelta(days=3))


def test_offline_page_content(example_outputs: dict[str, bytes]) -> None:
    page = example_outputs["maintenance/2026-12-02-database-upgrade/offline.html"]
    root = html.fromstring(page)
    assert root.get("lang") == "en"
    assert root.findtext(".//title") == "Down for maintenance · Database upgrade · Example Cloud Status"
    text = " ".join(root.text_content().split())
    assert "We’ll be back soon" in text
    assert "Database upgrade" in text
    assert "Wed 2 Dec 2026, 08:00–09:00 UTC (09:00–10:00 CET)" in text  # the window after its move
    assert "API: Under maintenance" in text and "Dashboard: Degraded performance" in text
    assert "the dashboard will be read-only" in text  # the summary
    assert "UTC and Europe/Rome" in text
    hrefs = [a.get("href") for a in root.iter("a")]
    assert DB_UPGRADE in hrefs and BASE in hrefs
    assert "mailto:support@example.com" in hrefs


def test_offline_pages_are_self_contained(example_outputs: dict[str, bytes], site: Callable[..., Path]) -> None:
    maintenance = """\
---
title: Upgrade
components: {api: under_maintenance}
window: {start: 2026-11-24T11:30:00Z, end: 2026-11-24T13:00:00Z}
---
See [the plan](../../history/), [the FAQ](https://help.test.example/faq) and [below](#details).
"""
    scratch = outputs_of(site({"maintenance/m.md": maintenance}))
    pages = {**offline(example_outputs), **offline(scratch)}
    assert len(pages) == 4
    for name, page in pages.items():
        root = html.fromstring(page)
        assert page.startswith(b"<!DOCTYPE html>") and root.find("head/meta[@charset]") is not None, name
        for element in root.iter():
            assert element.tag not in ("script", "link", "img", "iframe", "object", "embed", "base"), name
            assert "src" not in element.attrib and "style" not in element.attrib, name
            assert not any(a.startswith("on") for a in element.attrib), name
            href = element.get("href")
            if href is not None:
                assert re.match(r"^(https://|mailto:|tel:)", href), f"{name}: {href}"
        style = "".join(s.text or "" for s in root.iter("style"))
        assert "url(" not in style and "@import" not in style, name
    relinked = [a.get("href") for a in html.fromstring(scratch["maintenance/m/offline.html"]).iter("a")]
    assert relinked[:3] == ["https://status.test.example/history/", "https://help.test.example/faq",
                            "https://status.test.example/maintenance/m/#details"]
    assert "https://status.test.example/maintenance/m/" in relinked


def test_offline_page_escapes_hostile_text(site: Callable[..., Path]) -> None:
    config = f"""\
name: Test
url: https://status.test.example/
contact: {{url: "javascript:alert(1)", email: support@test.example}}
components:
  - {{id: api, name: '{HOSTILE.replace("'", "''")}'}}
"""
    maintenance = f"""\
---
title: '{HOSTILE.replace("'", "''")}'
components: {{api: under_maintenance}}
window: {{start: 2026-11-24T11:30:00Z, end: 2026-11-24T13:00:00Z}}
---
<script>alert(2)</script> [x](javascript:alert(3))
"""
    page = outputs_of(site({"maintenance/m.md": maintenance}, config))["maintenance/m/offline.html"]
    root = html.fromstring(page)
    assert not list(root.iter("script", "img"))
    assert b"<script" not in page and b"<img" not in page and b"javascript:" not in page
    assert HOSTILE in root.findtext(".//strong", "")
    assert f"{HOSTILE}: Under maintenance" in root.text_content()
