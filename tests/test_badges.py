"""Badges (SVG and shields.io endpoint JSON) and the `_headers` file for Netlify and Cloudflare Pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from conftest import NOW, ROOT
from headers_file import header_rules, headers_for
from statuspress.badges import Badge, badge_files, char_width, text_width
from statuspress.build import build_site
from statuspress.load import load_site
from statuspress.render import environment
from statuspress.views import all_views

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLE_COMPONENTS = ("api", "dashboard", "auth", "webhooks", "database", "backups", "eu", "us")
SYSTEM_FONTS = {"system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"}

HOSTILE = """<script>alert("x")</script> & 'q' <img src=x onerror=alert(1)>"""


def outputs_of(root: Path, now: datetime = NOW) -> dict[str, bytes]:
    """Build only this module's files of a scratch site, so other outputs cannot mask or break them."""
    site, problems = load_site(root)
    assert site is not None and not any(p.is_error for p in problems), [str(p) for p in problems]
    views = all_views(site.config, [*site.incidents, *site.maintenance], now)
    return badge_files(site, views, now, environment(site))


def svgs(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in outputs.items() if name.endswith(".svg")}


def parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def words_and_colour(data: bytes) -> tuple[str, str, str]:
    """Return (title, message text, message background colour) of a badge."""
    root = parse(data)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    path = root.find(f"{SVG}path")
    assert path is not None
    return root.findtext(f"{SVG}title") or "", texts[-1] or "", path.get("fill", "")


def luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_there_is_an_overall_badge_and_one_per_component(example_outputs: dict[str, bytes]) -> None:
    expected = {"badge.svg", *(f"badges/{c}.svg" for c in EXAMPLE_COMPONENTS)}
    assert set(svgs(example_outputs)) == expected
    assert {n for n in example_outputs if n.startswith("badges/") and n.endswith(".json")} == {
        f"badges/{c}.json" for c in EXAMPLE_COMPONENTS
    }


def test_every_svg_is_well_formed_accessible_and_self_contained(example_outputs: dict[str, bytes]) -> None:
    found = svgs(example_outputs)
    assert found
    for name, data in found.items():
        root = parse(data)
        assert root.tag == f"{SVG}svg", name
        assert root.get("role") == "img", name
        title = root.find(f"{SVG}title")
        assert title is not None and title.text, name
        assert root.index(title) == 0, f"{name}: <title> must be the first child"
        assert root.get("aria-label") == title.text, name
        for element in root.iter():
            assert etree.QName(element).localname not in ("script", "image", "foreignObject", "style", "a"), name
            for attribute, value in element.attrib.items():
                assert etree.QName(attribute).localname not in ("href", "src"), f"{name}: {attribute}"
                assert not attribute.startswith("on"), f"{name}: {attribute}"
                assert "url(" not in value, f"{name}: {attribute}={value}"
        assert b"@import" not in data and b"@font-face" not in data and b"http" not in data.replace(
            b'xmlns="http://www.w3.org/2000/svg"', b""
        ), name
        for element in root.iter(f"{SVG}g"):
            family = element.get("font-family")
            if family:
                assert {f.strip().strip("'\"") for f in family.split(",")} <= SYSTEM_FONTS, name


def test_badge_words_and_colours_at_now(example_outputs: dict[str, bytes]) -> None:
    # At NOW: the webhook incident (minor, degraded) is open and the backup migration is in progress.
    expected = {
        "badge.svg": ("Example Cloud Status: Minor service disruption", "#8a5c00"),
        "badges/webhooks.svg": ("Webhooks: Degraded performance", "#8a5c00"),
        "badges/backups.svg": ("Backups: Under maintenance", "#0860ca"),
        "badges/api.svg": ("API: Operational", "#1a7f37"),
        "badges/database.svg": ("Managed databases: Operational", "#1a7f37"),
        "badges/eu.svg": ("EU (Frankfurt): Operational", "#1a7f37"),
    }
    for name, (title, colour) in expected.items():
        found_title, message, fill = words_and_colour(example_outputs[name])
        assert (found_title, fill) == (title, colour), name
        assert message == title.split(": ", 1)[1]


def test_badge_text_passes_wcag_aa_contrast(example_outputs: dict[str, bytes], site: Callable[..., Path]) -> None:
    root = site({"incidents/a.md": incident("critical", "major_outage"), "incidents/b.md": incident(
        "major", "partial_outage", "dashboard"), "maintenance/m.md": MAINTENANCE})
    outputs = outputs_of(root)
    fills = set()
    for data in [*svgs(example_outputs).values(), *svgs(outputs).values()]:
        svg = parse(data)
        text_fill = next(g.get("fill") for g in svg.iter(f"{SVG}g"))
        for shape in [*svg.iter(f"{SVG}rect"), *svg.iter(f"{SVG}path")]:
            fills.add(shape.get("fill"))
            assert contrast(text_fill or "", shape.get("fill") or "") >= 4.5, shape.get("fill")
    # every status colour was seen: label grey, operational, minor, major, critical, maintenance
    assert len(fills) == 6, fills


INCIDENT = """\
---
title: {title}
impact: {impact}
components: {{{component}: {status}}}
---
Summary.

## Investigating · 2026-11-24 11:00 UTC
Looking.
"""

MAINTENANCE = """\
---
title: Upgrade
components: {db: under_maintenance}
window: {start: 2026-11-24T11:30:00Z, end: 2026-11-24T13:00:00Z}
---
Upgrading.
"""


def incident(impact: str, status: str, component: str = "api", title: str = "Broken") -> str:
    return INCIDENT.format(title=title, impact=impact, component=component, status=status)


@pytest.mark.parametrize(
    ("impact", "status", "overall", "words", "colour"),
    [
        ("minor", "degraded_performance", "Minor service disruption", "Degraded performance", "#8a5c00"),
        ("major", "partial_outage", "Partial system outage", "Partial outage", "#b04700"),
        ("critical", "major_outage", "Major system outage", "Major outage", "#c4212c"),
    ],
)
def test_each_status_has_its_words_and_colour(
    site: Callable[..., Path], impact: str, status: str, overall: str, words: str, colour: str
) -> None:
    outputs = outputs_of(site({"incidents/a.md": incident(impact, status)}))
    assert words_and_colour(outputs["badges/api.svg"]) == (f"API: {words}", words, colour)
    assert words_and_colour(outputs["badge.svg"]) == (f"Test Status: {overall}", overall, colour)
    assert words_and_colour(outputs["badges/dashboard.svg"])[1:] == ("Operational", "#1a7f37")
    endpoint = json.loads(outputs["badges/api.json"])
    assert endpoint == {"schemaVersion": 1, "label": "API", "message": words, "color": colour.lstrip("#")}


def test_maintenance_alone_shows_as_maintenance(site: Callable[..., Path]) -> None:
    outputs = outputs_of(site({"maintenance/m.md": MAINTENANCE}))
    assert words_and_colour(outputs["badge.svg"]) == (
        "Test Status: Scheduled maintenance in progress", "Scheduled maintenance in progress", "#0860ca")
    assert words_and_colour(outputs["badges/db.svg"])[1:] == ("Under maintenance", "#0860ca")


def test_shields_endpoint_json_matches_the_svg(example_outputs: dict[str, bytes]) -> None:
    for component in EXAMPLE_COMPONENTS:
        data = json.loads(example_outputs[f"badges/{component}.json"])
        assert set(data) == {"schemaVersion", "label", "message", "color"}
        assert data["schemaVersion"] == 1
        assert re.fullmatch(r"[0-9a-f]{6}", data["color"])
        title, message, fill = words_and_colour(example_outputs[f"badges/{component}.svg"])
        assert (f"{data['label']}: {data['message']}", data["message"], "#" + data["color"]) == (title, message, fill)
    assert json.loads(example_outputs["badges/webhooks.json"]) == {
        "schemaVersion": 1, "label": "Webhooks", "message": "Degraded performance", "color": "8a5c00"}
    assert json.loads(example_outputs["badge.json"])["message"] == "Minor service disruption"


def test_text_width_is_estimated_without_fonts() -> None:
    assert text_width("API") == 18  # (667 + 667 + 278) * 11 / 1000 = 17.7, rounded up
    assert text_width("") == 0
    assert char_width("é") == char_width("e") == 556  # accents are measured by their letter
    assert char_width("\u0301") == 0  # a combining mark takes no room
    assert char_width("状") == 1000
    assert char_width("\u200b") == 0
    assert text_width("Major outage") > text_width("Operational") > text_width("API")


def test_badge_geometry_fits_its_texts(example_outputs: dict[str, bytes]) -> None:
    for name, data in svgs(example_outputs).items():
        root = parse(data)
        width = int(root.get("width", "0"))
        assert root.get("viewBox") == f"0 0 {width} 20", name
        label, message = root.iter(f"{SVG}text")
        assert int(label.get("textLength", "0")) == text_width(label.text or "")
        assert int(message.get("textLength", "0")) == text_width(message.text or "")
        assert width == text_width(label.text or "") + text_width(message.text or "") + 4 * 6, name
        assert float(label.get("x", "0")) < float(message.get("x", "0")) < width
    badge = Badge("A", "B", "#000000")
    assert badge.width == badge.label_width + badge.message_width


def test_hostile_names_are_escaped_in_badges(site: Callable[..., Path]) -> None:
    config = f"""\
name: '{HOSTILE.replace("'", "''")}'
url: https://status.test.example/
components:
  - {{id: api, name: '{HOSTILE.replace("'", "''")}'}}
"""
    # Control characters never reach here: the loader refuses them (tests/test_errors.py).
    outputs = outputs_of(site({"incidents/a.md": incident("minor", "degraded_performance")}, config))
    for name in ("badge.svg", "badges/api.svg"):
        root = parse(outputs[name])
        assert not list(root.iter("script", f"{SVG}script", f"{SVG}img", "img")), name
        assert b"<script" not in outputs[name] and b"<img" not in outputs[name], name
    title = parse(outputs["badges/api.svg"]).findtext(f"{SVG}title")
    assert title == f"{HOSTILE}: Degraded performance"
    assert json.loads(outputs["badges/api.json"])["label"] == HOSTILE
    assert b"<" not in outputs["badges/api.json"]  # safe even pasted inside a <script> element
    assert json.loads(outputs["badge.json"])["label"] == HOSTILE


def test_a_site_can_override_the_badge_template(site: Callable[..., Path]) -> None:
    root = site({"templates/badge.svg": '<svg xmlns="http://www.w3.org/2000/svg" role="img">'
                                        "<title>custom {{ badge.title }}</title></svg>\n"})
    outputs, problems = build_site(root, NOW)  # the whole build: overrides come through its environment
    assert outputs is not None, problems
    assert parse(outputs["badges/api.svg"]).findtext(f"{SVG}title") == "custom API: Operational"


def test_badges_are_deterministic(site: Callable[..., Path]) -> None:
    root = site({"incidents/a.md": incident("major", "partial_outage")})
    first, second = outputs_of(root), outputs_of(root)
    assert len(first) > 5
    assert first == second


# _headers


MACHINE_READABLE = ("api/v2/summary.json", "api/v2/incidents/unresolved.json", "feed.atom", "feeds/api.atom",
                    "maintenance.ics", "badge.svg", "badge.json", "badges/api.svg", "badges/api.json",
                    "embed/notice.html", "embed/notice.json")


def test_headers_allow_cross_origin_reads_of_machine_readable_files(example_outputs: dict[str, bytes]) -> None:
    rules = header_rules(example_outputs["_headers"])
    for path in MACHINE_READABLE:
        assert headers_for(rules, "/" + path).get("Access-Control-Allow-Origin") == ["*"], path
    # and every such file the build actually wrote, whoever wrote it
    for name in example_outputs:
        if name.startswith(("api/", "feeds/", "badges/", "embed/")) or name.endswith((".atom", ".ics")):
            assert headers_for(rules, "/" + name).get("Access-Control-Allow-Origin") == ["*"], name


def test_headers_keep_pages_same_origin_and_add_safe_defaults(example_outputs: dict[str, bytes]) -> None:
    rules = header_rules(example_outputs["_headers"])
    for path in ("/", "/index.html", "/incidents/2026-11-18-api-errors/", "/assets/style.css",
                 "/maintenance/2026-12-02-database-upgrade/offline.html"):
        found = headers_for(rules, path)
        assert "Access-Control-Allow-Origin" not in found, path
        assert found["X-Content-Type-Options"] == ["nosniff"], path
        assert found["Referrer-Policy"] == ["strict-origin-when-cross-origin"], path
    # No header is set by two rules that match one path: Cloudflare Pages would join the values.
    for name in example_outputs:
        for header, values in headers_for(rules, "/" + name).items():
            assert len(values) == 1, f"{header} set twice for /{name}"


def test_headers_file_does_not_depend_on_site_content(site: Callable[..., Path]) -> None:
    config = (ROOT / "site.yaml").read_text().replace("name: Example Cloud Status", 'name: "Evil\\n/*\\n  X-Evil: 1"')
    outputs = outputs_of(site(config=config))
    assert b"Evil" not in outputs["_headers"]
