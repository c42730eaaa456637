"""A page per component, and what every page owes its reader (issue 5): times in <time> elements, a
small home page, and no inline script or style."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from lxml import html

from conftest import NOW, ROOT
from statuspress.build import build_site
from statuspress.load import load_site
from statuspress.render import range_parts
from statuspress.times import date_range
from statuspress.views import all_views

COMPONENTS = ("api", "dashboard", "auth", "webhooks", "database", "backups", "eu", "us")
ASSETS = ROOT / "src" / "statuspress" / "templates" / "assets"
HOME_BUDGET = 30_000  # bytes of HTML, CSS and JS, uncompressed (issue 5)

INCIDENT = """\
---
title: {title}
impact: minor
components: {{{components}}}
---
Summary of {title}.

## {label} · {time}
Looking.
"""


def incident(title: str, time: str, components: str = "api: degraded_performance", label: str = "Resolved") -> str:
    return INCIDENT.format(title=title, time=time, components=components, label=label)


def resolve(page: str, href: str) -> str:
    """The output file a relative link of `page` points at (fragment dropped)."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href.split("#")[0] or posixpath.basename(page)))
    if target == ".":
        return "index.html"
    return target if target.endswith(".html") else target + "/index.html"


def pages(outputs: dict[str, bytes]) -> dict[str, bytes]:
    """The site's own HTML pages: not the offline pages (served by the product) nor embeddable fragments."""
    return {name: data for name, data in outputs.items()
            if name.endswith(".html") and not name.endswith("/offline.html") and not name.startswith("embed/")}


# --- a page per component -------------------------------------------------------------------------

def test_every_component_has_a_page(example_outputs: dict[str, bytes]) -> None:
    site, _ = load_site(ROOT)
    assert site is not None
    config = site.config
    assert tuple(c.id for c in config.components) == COMPONENTS
    for component in config.components:
        name = f"components/{component.id}/index.html"
        tree = html.fromstring(example_outputs[name])
        assert tree.findtext(".//h1").strip() == component.name
        assert tree.findtext(".//title") == f"{component.name} · Example Cloud Status"
        current = " ".join(tree.find_class("current")[0].text_content().split())
        assert current.startswith("Current status: ")
        feed = f"../../feeds/{component.id}.atom"
        assert feed in [a.get("href") for a in tree.iter("a")], name
        alternates = [link.get("href") for link in tree.iter("link") if link.get("rel") == "alternate"]
        assert alternates == ["../../feed.atom", feed]
        assert example_outputs[f"feeds/{component.id}.atom"].startswith(b"<?xml")
        if component.group:
            assert component.group in tree.find_class("kicker")[0].text_content()


def test_the_current_status_of_each_component(example_outputs: dict[str, bytes]) -> None:
    def current(cid: str) -> str:
        tree = html.fromstring(example_outputs[f"components/{cid}/index.html"])
        return " ".join(tree.find_class("current")[0].text_content().split())

    assert current("webhooks") == "Current status: Degraded performance"
    assert current("backups") == "Current status: Under maintenance"
    assert current("api") == "Current status: Operational"
    # what is happening now comes first
    webhooks = html.fromstring(example_outputs["components/webhooks/index.html"])
    (now,) = webhooks.xpath('//section[@aria-labelledby="open-heading"]')
    assert [a.text for a in now.iter("a")] == ["Webhook deliveries delayed"]
    api = html.fromstring(example_outputs["components/api/index.html"])
    assert not api.xpath('//section[@aria-labelledby="open-heading"]')


def test_the_home_page_links_each_component_to_its_page(example_outputs: dict[str, bytes]) -> None:
    tree = html.fromstring(example_outputs["index.html"])
    (section,) = tree.xpath('//section[@aria-labelledby="components-heading"]')
    links = [(a.get("href"), a.text) for a in section.find_class("name") if a.tag == "a"]
    assert [href for href, _ in links] == [f"components/{cid}/" for cid in COMPONENTS]
    for href, name in links:
        assert html.fromstring(example_outputs[resolve("index.html", href)]).findtext(".//h1").strip() == name


def test_a_component_page_lists_its_notices_newest_first(example_outputs: dict[str, bytes]) -> None:
    def listed(cid: str) -> list[str]:
        tree = html.fromstring(example_outputs[f"components/{cid}/index.html"])
        (section,) = tree.xpath('//section[@aria-labelledby="notices-heading"]')
        return [a.get("href") for a in section.iter("a")]

    assert listed("api") == ["../../maintenance/2026-12-02-database-upgrade/", "../../incidents/2026-11-18-api-errors/"]
    assert listed("dashboard") == [  # two notices name the dashboard as well as another component
        "../../maintenance/2026-12-02-database-upgrade/", "../../incidents/2026-11-18-api-errors/",
        "../../incidents/2026-10-29-dashboard-slow/"]
    assert listed("us") == ["../../incidents/2026-10-29-dashboard-slow/"]
    assert listed("database") == []
    tree = html.fromstring(example_outputs["components/database/index.html"])
    assert "None has been published." in tree.text_content()


def test_pagination_keeps_every_notice(site: Callable[..., Path]) -> None:
    files = {
        f"incidents/2026-{1 + n % 10:02d}-{1 + n % 28:02d}-case-{n}.md": incident(
            f"Case {n}", f"2026-{1 + n % 10:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d} UTC",
            "api: partial_outage" if n % 3 else "api: partial_outage, dashboard: degraded_performance")
        for n in range(120)
    }
    root = site(files)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "history_per_page: 50\n")
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    api = sorted(name for name in outputs if name.startswith("components/api/"))
    assert api == ["components/api/2/index.html", "components/api/3/index.html", "components/api/index.html"]
    order = ["components/api/index.html", "components/api/2/index.html", "components/api/3/index.html"]
    titles: list[str] = []
    for name in order:
        tree = html.fromstring(outputs[name])
        (section,) = tree.xpath('//section[@aria-labelledby="notices-heading"]')
        titles += [a.text for a in section.find_class("notice-line") for a in a.iter("a")]
    assert sorted(titles) == sorted(f"Case {n}" for n in range(120))  # each once, none lost
    times = {f"Case {n}": (1 + n % 10, 1 + n % 28, n % 24, n % 60) for n in range(120)}
    assert [times[t] for t in titles] == sorted((times[t] for t in titles), reverse=True)  # newest first
    assert 'rel="next" href="../../../components/api/3/"' in outputs["components/api/2/index.html"].decode()
    assert 'rel="prev" href="../../../components/api/"' in outputs["components/api/2/index.html"].decode()
    assert 'rel="next" href="../../components/api/2/"' in outputs["components/api/index.html"].decode()
    assert "page 3 of 3" in outputs["components/api/3/index.html"].decode()
    # the bar and the availability are on the first page only
    assert b'class="bar"' in outputs["components/api/index.html"]
    assert b'class="bar"' not in outputs["components/api/2/index.html"]
    # a component named by a third of the notices: 40 of them, on one page
    assert "components/dashboard/2/index.html" not in outputs
    dashboard = html.fromstring(outputs["components/dashboard/index.html"])
    assert len(dashboard.find_class("notice-line")) == 40
    for name in order:
        for element in html.fromstring(outputs[name]).iter("a"):
            href = element.get("href")
            if href and not href.startswith(("http", "mailto:", "tel:", "#")):
                assert resolve(name, href) in outputs or href.endswith(".atom"), (name, href)


def test_a_day_with_two_notices_links_to_its_entry_on_the_component_page(site: Callable[..., Path]) -> None:
    root = site({
        "incidents/a.md": incident("First", "2026-11-20 09:00 UTC"),
        "incidents/b.md": incident("Second", "2026-11-20 15:00 UTC", "api: major_outage"),
        "incidents/c.md": incident("Alone", "2026-11-21 15:00 UTC"),
    })
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    for page in ("index.html", "components/api/index.html"):
        tree = html.fromstring(outputs[page])
        (bar,) = [b for b in tree.find_class("bar") if b.get("aria-label").startswith("API")]
        links = {a.get("href"): " ".join(a.text_content().split()) for a in bar.iter("a")}
        assert len(links) == 2, links
        (two,) = [href for href in links if "#" in href]
        assert links[two] == "Fri 20 Nov 2026: Major outage. First; Second"
        target, anchor = two.split("#")
        assert resolve(page, two) == "components/api/index.html"
        entry = html.fromstring(outputs["components/api/index.html"]).get_element_by_id(anchor)
        assert [a.text for a in entry.iter("a")] == ["First", "Second"]
        assert "Major outage" in entry.text_content()
        (one,) = [href for href in links if "#" not in href]
        assert resolve(page, one) == "incidents/c/index.html"
    # the dashboard had nothing: no link in its bar, and its page says so
    dashboard = html.fromstring(outputs["components/dashboard/index.html"])
    assert not list(dashboard.find_class("bar")[0].iter("a"))
    assert dashboard.find_class("days")[0].text_content().strip() == "None."


# --- times ----------------------------------------------------------------------------------------

CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
DATE = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z)?$")


def authored_html() -> list[bytes]:
    """The HTML of every notice's Markdown: authors write times in their own words, not in <time>."""
    site, _ = load_site(ROOT)
    assert site is not None
    views = all_views(site.config, [*site.incidents, *site.maintenance], NOW)
    found = [v.summary_html for v in views] + [u.html for v in views for u in v.updates]
    found += [v.postmortem_html for v in views]
    return sorted((f.encode() for f in found if f), key=len, reverse=True)


def test_every_time_on_every_page_is_in_a_time_element(example_outputs: dict[str, bytes]) -> None:
    authored = authored_html()
    checked = 0
    for name, data in pages(example_outputs).items():
        for fragment in authored:
            data = data.replace(fragment, b"")
        tree = html.fromstring(data)
        for element in tree.iter():
            if element.tag in ("time", "script", "style", "title") or not isinstance(element.tag, str):
                continue
            inside = any(a.tag == "time" for a in element.iterancestors())
            for text in (element.text, element.tail if element.tag != "time" else None):
                if text and not inside:
                    assert not CLOCK.search(text), (name, text)
                    assert not DATE.search(text), (name, text)
        for element in tree.iter("time"):
            value = element.get("datetime")
            assert value and ISO.match(value), (name, html.tostring(element))
            checked += 1
            if "T" in value and "UTC" in element.text_content():
                assert "CET" in element.text_content(), (name, element.text_content())  # and the site's zone
    assert checked > 100


def test_times_show_utc_and_the_site_zone(example_outputs: dict[str, bytes]) -> None:
    home = example_outputs["index.html"].decode()
    assert '<time datetime="2026-11-24T11:20:00Z">24 Nov, 11:20 UTC (12:20 CET)</time>' in home
    assert ('<time class="window" datetime="2026-11-24T11:00:00Z" data-end="2026-11-24T13:00:00Z">'
            "Tue 24 Nov 2026, 11:00–13:00 UTC (12:00–14:00 CET)</time>") in home
    page = example_outputs["incidents/2026-11-18-api-errors/index.html"].decode()
    assert '<time datetime="2026-11-18T09:41:00Z">18 Nov 2026, 09:41 UTC (10:41 CET)</time>' in page


@pytest.mark.parametrize(("first", "last"), [
    (date(2026, 11, 19), date(2026, 11, 23)),
    (date(2026, 10, 28), date(2026, 11, 3)),
    (date(2025, 12, 28), date(2026, 1, 3)),
])
def test_a_quiet_stretch_reads_as_before_with_a_time_element_at_each_end(first: date, last: date) -> None:
    a, sep, b = range_parts(first, last)
    assert a + sep + b == date_range(first, last)


def test_quiet_stretches_are_summarised(example_outputs: dict[str, bytes]) -> None:
    tree = html.fromstring(example_outputs["index.html"])
    quiet = [" ".join(p.text_content().split()) for p in tree.find_class("quiet")]
    assert quiet[:2] == ["No incidents reported 19–23 Nov 2026.", "No incidents reported 13–17 Nov 2026."]
    assert "No incidents reported on Wed 11 Nov 2026." in quiet


# --- the home page at a glance, and what it costs -------------------------------------------------

def test_the_home_page_shows_ongoing_notices_briefly(example_outputs: dict[str, bytes]) -> None:
    tree = html.fromstring(example_outputs["index.html"])
    (ongoing,) = tree.xpath('//section[@aria-labelledby="unresolved-heading"]')
    text = " ".join(ongoing.text_content().split())
    assert "Webhook deliveries delayed" in text and "Identified" in text
    assert "Latest update: Identified · 24 Nov, 11:20 UTC (12:20 CET) A queue consumer fell behind" in text
    assert "Next update by 24 Nov, 12:30 UTC (13:30 CET)" in text
    assert "Webhook deliveries are arriving up to 15 minutes late" not in text  # the summary is on its page
    (maintenance,) = tree.xpath('//section[@aria-labelledby="in-progress-heading"]')
    assert "Backup storage migration" in maintenance.text_content()
    order = [tree.xpath(f'//section[@aria-labelledby="{h}"]')[0] for h in
             ("overall", "unresolved-heading", "in-progress-heading", "components-heading", "recent-heading")]
    positions = [list(tree.iter()).index(section) for section in order]
    assert positions == sorted(positions)


def test_the_home_page_stays_under_its_budget(example_outputs: dict[str, bytes]) -> None:
    home = example_outputs["index.html"]
    tree = html.fromstring(home)
    loaded = [link.get("href") for link in tree.iter("link") if link.get("rel") == "stylesheet"]
    loaded += [s.get("src") for s in tree.iter("script")] + [i.get("src") for i in tree.iter("img")]
    assert [re.sub(r"\.[0-9a-f]{8}\.", ".", path) for path in sorted(loaded)] == [
        "assets/local-time.js", "assets/style.css"]  # fingerprinted: assets/style.3f2a9c1e.css
    total = len(home) + sum(len(example_outputs[path]) for path in loaded)
    assert total < HOME_BUDGET, f"the home page needs {total} bytes of HTML, CSS and JS"


def test_the_script_is_a_file_and_no_page_has_inline_script_or_style(example_outputs: dict[str, bytes]) -> None:
    script = (ASSETS / "local-time.js").read_text()
    (published,) = [name for name in example_outputs if re.fullmatch(r"assets/local-time\.[0-9a-f]{8}\.js", name)]
    assert example_outputs[published] == script.encode()
    assert "fetch(" not in script and "XMLHttpRequest" not in script and "://" not in script  # no request
    assert "innerHTML" not in script  # text only: nothing it adds can become markup
    found = pages(example_outputs)
    assert len(found) > 15
    for name, data in found.items():
        tree = html.fromstring(data)
        assert not list(tree.iter("style")), name
        scripts = list(tree.iter("script"))
        assert [s.get("src") for s in scripts] == ["../" * name.count("/") + published] or (
            name == "404.html" and [s.get("src") for s in scripts] == ["/" + published]), name
        assert all(s.get("defer") is not None and not (s.text or "").strip() for s in scripts), name
        for element in tree.iter():
            if isinstance(element.tag, str):
                attributes = [a for a in element.attrib if a == "style" or a.startswith("on")]
                assert not attributes, (name, element.tag, attributes)


def test_a_component_without_history_yet(site: Callable[..., Path]) -> None:
    config = """\
name: Test Status
url: https://status.test.example/
time_zone: Europe/Rome
components:
  - {id: api, name: API, since: 2026-12-01}
  - {id: web, name: Website, since: 2026-11-24}
uptime: {days: 30}
"""
    outputs, problems = build_site(site(config=config), NOW)
    assert outputs is not None, problems
    page = html.fromstring(outputs["components/api/index.html"])
    assert " ".join(page.find_class("availability")[0].text_content().split()) == (
        "No data yet: history starts Tue 1 Dec 2026.")
    (bar,) = page.find_class("bar")
    assert bar.get("aria-label") == "API: last 30 days"
    assert [i.get("class") for i in bar] == ["n r16", "n r8", "n r4", "n r2"]
    home = html.fromstring(outputs["index.html"])
    metas = [" ".join(p.text_content().split()) for p in home.find_class("uptime-meta")]
    # today is the first day of the website's history: its availability covers today so far
    assert metas == ["26 Oct No data yet Today", "26 Oct 100.00% uptime since 24 Nov Today"]
