"""Nothing injected: a notice full of injection attempts survives in no output format.

The same site is built twice: once with plain words, once with attacks in every place a writer
controls (the title, the author, component and group names in site.yaml, the summary, the updates,
the postmortem, the reasons of moves). The text of an attack must come out as text: every HTML page
and fragment, SVG badge, Atom feed, JSON file and the calendar of the hostile build may hold no
element, attribute, URL scheme, JSON key or calendar property that the plain build does not hold,
and the titles must read back exactly as written. `test_the_checks_catch_*` show that each check
fails on output that lets an attack through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import markdown
import pytest
from lxml import etree

from conftest import NOW
from statuspress.build import build_site
from statuspress.markup import is_external, to_html

# One line each: a title must stay under the 200-character limit.
TITLE = ("""<script>alert("t1")</script><img src=x onerror=alert("t2")>"'><svg/onload=alert("t3")>"""
         """{{'inj'~'ected'}}]]>&amp;""")
TITLE_2 = """</title><script>alert("t4")</script><!-- --><a href="javascript:alert('t5')">x</a>${'inj'+'ected'}"""
AUTHOR = """Mallory <iframe src="javascript:alert('a1')"></iframe> " onmouseover="alert('a2')"""
COMPONENT = """API <b onmouseover=alert("c1")>"</b>' --><script>alert("c2")</script>"""
GROUP = """Core </h2><style>body{display:none}</style>"""
SITE_NAME = """Status <script>alert("s1")</script> & <meta http-equiv="refresh" content="0;url=https://evil.example/">"""
REASON = """A vendor <a href=javascript:alert("r1")>asked</a>; END:VEVENT BEGIN:VALARM ACTION:AUDIO"""

PLAIN = """\
Text with a [link](https://example.org/notes "Notes") and a [relative link](../../history/), `code`, **bold**.

- an item"""
BODY = PLAIN + """

<script>alert("m1")</script>
<img src=x onerror=alert("m2")>
<iframe src="javascript:alert('m3')"></iframe>
<a href="javascript:alert('m4')" onclick="alert('m5')">click</a> <p style="position:fixed">styled</p>
[js](javascript:alert('m6')) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgnbTcnKTwvc2NyaXB0Pg==)
[vb](vbscript:msgbox) [tab](java&#x09;script:alert('m8')) [entity](&#106;avascript:alert('m9'))
[upper](JaVaScRiPt:alert('m10')) [spaced]( javascript:alert('m11')) <javascript:alert('m12')>
![image](x" onerror="alert('m13')) ![data](data:image/svg+xml,<svg/onload=alert('m14')>)
{{ 'inj' ~ 'ected' }} {% raw %} ${'inj'+'ected'}
]]></content><script>alert('m15')</script>
END:VEVENT
BEGIN:VALARM
ACTION:AUDIO"""

SITE_YAML = """\
name: '{site_name}'
url: https://status.test.example/
description: '{site_name}'
time_zone: Europe/Rome
contact: {{name: '{author}', email: support@test.example}}
components:
  - {{id: api, name: '{component}', description: '{component}', group: '{group}'}}
  - {{id: web, name: Website, group: '{group}'}}
"""
INCIDENT = """\
---
title: '{title}'
impact: major
components: {{api: partial_outage, web: degraded_performance}}
author: '{author}'
---
{body}

## Monitoring · 2026-11-24 11:30 UTC
{body}

## Investigating · 2026-11-24 10:00 UTC
{body}

## Postmortem · 2026-11-24 11:45 UTC
### What went wrong
{body}
"""
MAINTENANCE = """\
---
title: '{title}'
components: {{api: under_maintenance}}
window: {{start: 2026-11-24T11:00:00Z, end: 2026-11-24T13:00:00Z}}
author: '{author}'
rescheduled:
  - from: {{start: 2026-11-20T11:00:00Z, end: 2026-11-20T13:00:00Z}}
    on: 2026-11-19T09:00:00Z
    reason: '{reason}'
announced: 2026-11-17T09:00:00Z
---
{body}

## In progress · 2026-11-24 11:00 UTC
{body}
"""


def quoted(text: str) -> str:
    return text.replace("'", "''")  # inside a single-quoted YAML scalar


def write_site(root: Path, hostile: bool) -> Path:
    """The site with attacks, or the same site with plain words in their places."""
    words = dict(
        site_name=SITE_NAME if hostile else "Status of Test",
        author=AUTHOR if hostile else "Giulia Rossi",
        component=COMPONENT if hostile else "API",
        group=GROUP if hostile else "Core",
    )
    root.mkdir()
    (root / "site.yaml").write_text(SITE_YAML.format(**{k: quoted(v) for k, v in words.items()}), encoding="utf-8")
    body = BODY if hostile else PLAIN
    files = {
        "incidents/2026-11-24-attack.md": INCIDENT.format(
            title=quoted(TITLE if hostile else "Errors on the API"), author=quoted(words["author"]), body=body),
        "maintenance/2026-11-24-attack.md": MAINTENANCE.format(
            title=quoted(TITLE_2 if hostile else "Upgrade of the API"), author=quoted(words["author"]), body=body,
            reason=quoted(REASON if hostile else "A vendor asked us to wait.")),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(plain, hostile) outputs, both built at NOW."""
    built = []
    for hostile in (False, True):
        root = write_site(tmp_path_factory.mktemp("site") / ("hostile" if hostile else "plain"), hostile)
        outputs, problems = build_site(root, NOW)
        assert outputs is not None, [str(p) for p in problems]
        assert not any(p.is_error for p in problems)
        built.append(outputs)
    return built[0], built[1]


# --- what each format may hold ----------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href", "background",
                  "{http://www.w3.org/1999/xlink}href", "content"}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel", "webcal"}
IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")


def scheme(url: str) -> str:
    """The scheme of a URL as a browser reads it: white space and control characters dropped."""
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", IGNORED_IN_URLS.sub("", url))
    return match[1].lower() if match else ""


class Markup(HTMLParser):
    """The elements and attributes of an HTML document or fragment, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, tuple((name, value or "") for name, value in attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(data: str) -> Markup:
    parser = Markup()
    parser.feed(data)
    parser.close()
    return parser


def shape(elements: list[tuple[str, tuple[tuple[str, str], ...]]]) -> set[tuple[str, str]]:
    """The (element, attribute) pairs used, and each element on its own."""
    return {(tag, name) for tag, attrs in elements for name, _ in attrs} | {(tag, "") for tag, _ in elements}


def element_problems(name: str, elements: list[tuple[str, tuple[tuple[str, str], ...]]],
                     allowed: set[tuple[str, str]], scripts: set[str]) -> Iterator[str]:
    """Attacks that survived as markup: new elements or attributes, handlers, bad URLs, new scripts."""
    for pair in sorted(shape(elements) - allowed):
        yield f"{name}: <{pair[0]}{' ' + pair[1] if pair[1] else ''}> is not in the plain build"
    for tag, attrs in elements:
        for attribute, value in attrs:
            if attribute.lower().startswith("on"):
                yield f"{name}: an event handler <{tag} {attribute}={value!r}>"
            if attribute in URL_ATTRIBUTES and scheme(value) not in SAFE_SCHEMES:
                yield f"{name}: a {scheme(value)}: URL in <{tag} {attribute}={value!r}>"
        if tag == "script" and repr(attrs) not in scripts:
            yield f"{name}: a script {attrs!r}"


def html_problems(name: str, plain: bytes, hostile: bytes) -> Iterator[str]:
    before, after = parse_html(plain.decode()), parse_html(hostile.decode())
    scripts = {repr(attrs) for tag, attrs in before.elements if tag == "script"}
    yield from element_problems(name, after.elements, shape(before.elements), scripts)


def xml_elements(root: Any) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [(str(e.tag), tuple((str(k), str(v)) for k, v in e.attrib.items()))
            for e in root.iter() if isinstance(e.tag, str)]


def read_xml(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def xml_problems(name: str, plain: bytes, hostile: bytes) -> Iterator[str]:
    """SVG and Atom: the same checks on the XML, and on the HTML inside each Atom entry."""
    try:
        before, after = read_xml(plain), read_xml(hostile)
    except etree.XMLSyntaxError as exc:
        yield f"{name}: not well-formed XML: {exc}"
        return
    yield from element_problems(name, xml_elements(after), shape(xml_elements(before)), set())
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in after.iter(f"{atom}content", f"{atom}summary"):
        if entry.get("type") == "html":
            plain_html = "".join(e.text or "" for e in before.iter(f"{atom}content", f"{atom}summary"))
            yield from html_problems(f"{name} (entry content)", plain_html.encode(), (entry.text or "").encode())


def json_shape(value: Any) -> Any:
    """The keys and list lengths of a JSON value, not its texts."""
    if isinstance(value, dict):
        return {key: json_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_shape(item) for item in value]
    return type(value).__name__


def json_problems(name: str, plain: bytes, hostile: bytes) -> Iterator[str]:
    try:
        after = json.loads(hostile)
    except ValueError as exc:
        yield f"{name}: not JSON: {exc}"
        return
    if json_shape(after) != json_shape(json.loads(plain)):
        yield f"{name}: the keys or lists differ from the plain build"
    if not name.startswith("api/") and re.search(rb"[<>&]", hostile):
        # README: the embed and badge JSON write <, > and & as \u escapes, safe even inside a <script>
        yield f"{name}: a raw <, > or & in JSON meant to be pasted into pages"


def ics_problems(name: str, plain: bytes, hostile: bytes) -> Iterator[str]:
    def layout(data: bytes) -> list[tuple[str, tuple[str, ...]]]:
        calendar = icalendar.Calendar.from_ical(data)
        return [(part.name, tuple(sorted(part.keys()))) for part in calendar.walk()]

    try:
        after = layout(hostile)
    except ValueError as exc:
        yield f"{name}: not iCalendar: {exc}"
        return
    if after != layout(plain):
        yield f"{name}: components or properties differ from the plain build: {after}"
    if re.search(rb"^(BEGIN|END):(?!VCALENDAR|VEVENT|VTIMEZONE|STANDARD|DAYLIGHT)", hostile, re.MULTILINE):
        yield f"{name}: a line that opens or closes another component"


def checked_files(outputs: dict[str, bytes]) -> list[str]:
    """Every output the issue names: pages, feeds, the calendar, the API, embeds and badges."""
    return sorted(
        name for name in outputs
        if name.endswith(".html") or name in ("feed.atom", "maintenance.ics", "badge.svg", "badge.json")
        or name.startswith(("feeds/", "api/", "embed/", "badges/"))
    )


def unknown_format(name: str, plain: bytes, hostile: bytes) -> Iterator[str]:
    yield f"{name}: a format this test does not know"


def violations(plain: dict[str, bytes], hostile: dict[str, bytes]) -> list[str]:
    found = []
    for name in checked_files(hostile):
        if name not in plain:
            found.append(f"{name}: not in the plain build")
            continue
        check: Callable[[str, bytes, bytes], Iterator[str]] = (
            html_problems if name.endswith(".html")
            else xml_problems if name.endswith((".atom", ".svg"))
            else json_problems if name.endswith(".json")
            else ics_problems if name.endswith(".ics")
            else unknown_format
        )
        found.extend(check(name, plain[name], hostile[name]))
        if b"injected" in hostile[name]:  # a template expression in the content was evaluated
            found.append(f"{name}: a template expression was evaluated")
    return found


# --- the tests -----------------------------------------------------------------------------------------

def test_the_two_builds_have_the_same_files(builds: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    plain, hostile = builds
    assert sorted(plain) == sorted(hostile)
    names = checked_files(hostile)
    for expected in ("index.html", "feed.atom", "feeds/api.atom", "maintenance.ics", "api/v2/summary.json",
                     "embed/notice.html", "embed/notice.json", "badges/api.svg", "badges/api.json", "badge.svg",
                     "maintenance/2026-11-24-attack/offline.html", "incidents/2026-11-24-attack/index.html"):
        assert expected in names


def test_no_injection_survives_in_any_output(builds: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    plain, hostile = builds
    assert violations(plain, hostile) == []


def test_the_attacks_are_shown_as_text(builds: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    """Escaped, not dropped: readers see exactly what was written."""
    _, hostile = builds
    page = "".join(parse_html(hostile["incidents/2026-11-24-attack/index.html"].decode()).text)
    for text in (TITLE, AUTHOR, COMPONENT, '<script>alert("m1")</script>', "{{ 'inj' ~ 'ected' }}"):
        assert text in page
    maintenance = "".join(parse_html(hostile["maintenance/2026-11-24-attack/index.html"].decode()).text)
    assert TITLE_2 in maintenance and REASON in maintenance
    feed = read_xml(hostile["feed.atom"])
    atom = "{http://www.w3.org/2005/Atom}"
    assert sorted(e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")) == sorted([TITLE, TITLE_2])
    assert feed.findtext(f"{atom}title") == SITE_NAME
    badge = read_xml(hostile["badges/api.svg"])
    assert COMPONENT in badge.findtext("{http://www.w3.org/2000/svg}title")
    events = icalendar.Calendar.from_ical(hostile["maintenance.ics"]).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [TITLE_2]
    summary = json.loads(hostile["api/v2/summary.json"])
    assert summary["page"]["name"] == SITE_NAME
    assert [i["name"] for i in summary["incidents"]] == [TITLE]
    assert json.loads(hostile["embed/notice.json"])["page"]["name"] == SITE_NAME


def test_links_to_other_hosts_get_rel_and_relative_links_do_not(
    builds: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    _, hostile = builds
    page = parse_html(hostile["incidents/2026-11-24-attack/index.html"].decode())
    links = [dict(attrs) for tag, attrs in page.elements if tag == "a"]
    external = [link for link in links if link.get("href") == "https://example.org/notes"]
    relative = [link for link in links if link.get("href") == "../../history/"]
    emptied = [link for link in links if "href" not in link]  # javascript:, data:, vbscript: links
    assert len(external) == 4 and len(relative) >= 4 and len(emptied) >= 4 * 7  # summary, 2 updates, postmortem
    assert all(link.get("rel") == "noopener nofollow" for link in external + emptied)
    assert not any("rel" in link for link in relative)


@pytest.mark.parametrize(("markdown", "expected"), [
    ("[x](https://evil.example/a)", '<p><a href="https://evil.example/a" rel="noopener nofollow">x</a></p>'),
    ("<https://evil.example/>", '<p><a href="https://evil.example/" rel="noopener nofollow">https://evil.example/</a></p>'),
    ("[x](//evil.example/a)", '<p><a href="//evil.example/a" rel="noopener nofollow">x</a></p>'),
    ("[x](/\\evil.example/a)", '<p><a href="/\\evil.example/a" rel="noopener nofollow">x</a></p>'),
    ("[x](../history/)", '<p><a href="../history/">x</a></p>'),
    ("[x](#updates)", '<p><a href="#updates">x</a></p>'),
    ("[x](mailto:help@example.com)", '<p><a href="mailto:help@example.com">x</a></p>'),
    ("[x](https://status.example.com/history/)", '<p><a href="https://status.example.com/history/">x</a></p>'),
    ("[x](javascript:alert(1))", '<p><a rel="noopener nofollow">x</a></p>'),
    ("[x](JAVA&#x09;SCRIPT:alert(1))", '<p><a rel="noopener nofollow">x</a></p>'),
    ("[x](data:text/html,hi)", '<p><a rel="noopener nofollow">x</a></p>'),
    ("[x](vbscript:msgbox)", '<p><a rel="noopener nofollow">x</a></p>'),
    ('<a href="javascript:alert(1)">x</a>', "<p>&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;</p>"),
    ("![x](https://evil.example/pixel.png)", "<p></p>"),
])
def test_links_in_markdown(markdown: str, expected: str) -> None:
    assert to_html(markdown, "https://status.example.com/") == expected


def test_without_the_site_url_only_relative_links_are_the_site() -> None:
    assert not is_external("../history/") and not is_external("mailto:a@example.com")
    assert is_external("https://status.example.com/") and is_external("//x.example")
    assert not is_external("https://STATUS.example.com/a", "https://status.example.com/")


def test_markdown_too_deep_for_the_parser_is_shown_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader refuses such text; should any reach the renderer, it is text, not a traceback."""
    deep = "- " * 2000 + "<script>x</script>"
    assert "&lt;script&gt;" in to_html(deep) and "<script>" not in to_html(deep)  # Markdown 3.11 nests it

    def too_deep(self: object, text: str) -> str:
        raise RecursionError  # as older Markdown releases did on such text
    monkeypatch.setattr(markdown.Markdown, "convert", too_deep)
    assert to_html(deep + " ") == "<p>" + "- " * 2000 + "&lt;script&gt;x&lt;/script&gt; </p>\n"
    monkeypatch.undo()
    assert to_html("[a](https://a.example/)") == '<p><a href="https://a.example/" rel="noopener nofollow">a</a></p>'


# The checks must be able to fail: each lets one attack through and expects it to be caught.

def mutated(hostile: dict[str, bytes], name: str, old: bytes, new: bytes) -> dict[str, bytes]:
    assert old in hostile[name], (name, old)
    return {**hostile, name: hostile[name].replace(old, new, 1)}


@pytest.mark.parametrize(("name", "old", "new"), [
    ("incidents/2026-11-24-attack/index.html", b"&lt;script&gt;", b"<script>"),
    ("incidents/2026-11-24-attack/index.html", b"<a href=\"https://example.org/notes\"",
     b"<a href=\"javascript:alert(1)\""),
    ("incidents/2026-11-24-attack/index.html", b"<p>", b"<p onclick=\"alert(1)\">"),
    ("embed/notice.html", b"</aside>", b"<iframe src=\"https://evil.example/\"></iframe></aside>"),
    ("feed.atom", b"&amp;lt;script&amp;gt;", b"&lt;script&gt;"),
    ("feeds/api.atom", b"<title>", b"<title><img src=x onerror=alert(1)/>"),
    ("badges/api.svg", b"<title>", b"<script>alert(1)</script><title>"),
    ("api/v2/summary.json", b'"page": {', b'"page": {"injected": 1, '),
    ("embed/notice.json", b"\\u003cscript\\u003e", b"<script>"),
    ("maintenance.ics", b"END:VEVENT", b"BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT"),
])
def test_the_checks_catch_an_injection(
    builds: tuple[dict[str, bytes], dict[str, bytes]], name: str, old: bytes, new: bytes
) -> None:
    plain, hostile = builds
    assert violations(plain, mutated(hostile, name, old, new)) != []
