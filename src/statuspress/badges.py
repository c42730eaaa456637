"""Badges, embeddable notices, offline pages and host headers: what other sites and servers use.

Every file here is meant to be used away from the status site (in a README, on the product's own
pages, by the product's web server during a maintenance window), so every link is absolute, nothing
loads another file, and no file runs a script. The texts come from notices and `site.yaml` and are
escaped by the (autoescaping) templates, by `json.dumps`, or both.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from jinja2 import Environment
from markupsafe import Markup

from . import asof, i18n, static, status, times
from .model import ComponentStatus, Indicator, Kind, Maintenance, Site
from .reuse import reused
from .views import NoticeView

BADGE = "badge.svg"
BADGE_JSON = "badge.json"
BADGES = "badges"
EMBED_HTML = "embed/notice.html"
EMBED_JSON = "embed/notice.json"
OFFLINE = "offline.html"
HEADERS = "_headers"
ASSETS = static.ASSETS

UPCOMING = timedelta(hours=24)  # maintenance starting this soon is named in the embed

# The light palette of assets/style.css. White 11px text on each passes WCAG AA (4.5:1 or more):
# operational 5.1, minor 5.8, major 5.6, critical 5.8, maintenance 5.9, label grey 7.5.
LABEL_COLOUR = "#555555"
TEXT_COLOUR = "#ffffff"
OK, MINOR, MAJOR, CRITICAL, MAINTENANCE = "#1a7f37", "#8a5c00", "#b04700", "#c4212c", "#0860ca"
COMPONENT_COLOURS = {
    ComponentStatus.OPERATIONAL: OK,
    ComponentStatus.DEGRADED_PERFORMANCE: MINOR,
    ComponentStatus.PARTIAL_OUTAGE: MAJOR,
    ComponentStatus.MAJOR_OUTAGE: CRITICAL,
    ComponentStatus.UNDER_MAINTENANCE: MAINTENANCE,
}
INDICATOR_COLOURS = {
    Indicator.NONE: OK,
    Indicator.MINOR: MINOR,
    Indicator.MAJOR: MAJOR,
    Indicator.CRITICAL: CRITICAL,
    Indicator.MAINTENANCE: MAINTENANCE,
}

# Text width, estimated without any font file: Helvetica's advance widths (1/1000 em) for printable
# ASCII, 32 (space) to 126 (~). The SVG pins each text to this width with `textLength`, so whichever
# system font renders it, the text fits its box.
FONT_SIZE = 11
PADDING = 6  # on each side of a text
HEIGHT = 20
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p to ~
)
WIDTHS = {chr(32 + i): w for i, w in enumerate(_ASCII_WIDTHS)}
WIDE = 1000  # CJK and other full-width characters
OTHER = 600  # any other character: a little wider than an average letter

# Characters XML 1.0 does not allow, even escaped; a YAML escape such as "\x01" could produce one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HREF = re.compile(r'href="([^"]*)"')


def char_width(char: str) -> int:
    """Return a character's estimated advance width in 1/1000 em."""
    if char in WIDTHS:
        return WIDTHS[char]
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return WIDE
    base = unicodedata.normalize("NFD", char)[0]  # é -> e
    return WIDTHS.get(base, OTHER)


def text_width(text: str, size: int = FONT_SIZE) -> int:
    """Return the estimated width of a text in pixels at `size`, rounded up: the same on every machine."""
    return math.ceil(sum(char_width(c) for c in text) * size / 1000)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Badge:
    """A flat, shields-like badge: the label on grey, the message on the status colour."""

    label: str
    message: str
    colour: str
    label_colour: str = LABEL_COLOUR
    text_colour: str = TEXT_COLOUR
    font_size: int = FONT_SIZE
    height: int = HEIGHT

    @property
    def title(self) -> str:
        return f"{self.label}: {self.message}"

    @property
    def label_text(self) -> int:
        return text_width(self.label, self.font_size)

    @property
    def message_text(self) -> int:
        return text_width(self.message, self.font_size)

    @property
    def label_width(self) -> int:
        return self.label_text + 2 * PADDING

    @property
    def message_width(self) -> int:
        return self.message_text + 2 * PADDING

    @property
    def width(self) -> int:
        return self.label_width + self.message_width

    @property
    def label_x(self) -> str:
        return _number(self.label_width / 2)

    @property
    def message_x(self) -> str:
        return _number(self.label_width + self.message_width / 2)

    @property
    def baseline(self) -> str:
        return _number(self.height / 2 + self.font_size * 0.35)

    def endpoint(self) -> dict[str, Any]:
        """Return the shields.io endpoint JSON of this badge."""
        return {"schemaVersion": 1, "label": self.label, "message": self.message, "color": self.colour.lstrip("#")}


def xml_text(text: str) -> str:
    """Drop the characters XML cannot carry at all; escaping is the template's job."""
    return _NOT_XML.sub("", text)


def dump_json(data: Any) -> bytes:
    """Serialise JSON that is also safe to paste inside an HTML <script> element."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return (text + "\n").encode("utf-8")


def render_badge(env: Environment, badge: Badge) -> bytes:
    clean = replace(badge, label=xml_text(badge.label) or "status", message=xml_text(badge.message))
    return env.get_template("badge.svg").render(badge=clean).encode("utf-8")


def badges(site: Site, now: datetime, env: Environment) -> dict[str, bytes]:
    """Return `badge.svg` (overall), `badges/<component>.svg` and the shields.io endpoint JSON of each."""
    config = site.config
    state = status.state_of(site, now)
    indicator, statuses = state.indicator, state.statuses
    lang = i18n.language(config.language)
    found: dict[str, Badge] = {"badge": Badge(config.name, lang.words(indicator), INDICATOR_COLOURS[indicator])}
    for component in config.components:
        st = statuses[component.id]
        found[f"{BADGES}/{component.id}"] = Badge(component.name, lang.words(st), COMPONENT_COLOURS[st])
    files: dict[str, bytes] = {}
    for name, badge in found.items():
        files[f"{name}.svg"] = render_badge(env, badge)
        files[f"{name}.json"] = dump_json(badge.endpoint())
    return files


# The embeddable notice


@dataclass(frozen=True)
class Current:
    """What the product's own pages should mention at `now`."""

    incidents: list[NoticeView]  # unresolved
    in_progress: list[NoticeView]  # maintenance in progress or verifying
    upcoming: list[NoticeView]  # maintenance starting within UPCOMING of now

    @property
    def notices(self) -> list[NoticeView]:
        return [*self.incidents, *self.in_progress, *self.upcoming]


def current(site: Site, views: list[NoticeView], now: datetime) -> Current:
    """Select the unresolved incidents and the maintenance in progress or starting within 24 hours."""
    maintenance = {m.slug: m for m in site.maintenance}
    incidents = [v for v in views if v.kind is Kind.INCIDENT and v.is_open]
    in_progress, upcoming = [], []
    for view in views:
        if view.kind is not Kind.MAINTENANCE:
            continue
        notice: Maintenance = maintenance[view.slug]
        if status.is_open(notice, now):
            in_progress.append(view)
        elif status.is_upcoming(notice, now) and status.window_at(notice, now).start <= now + UPCOMING:
            upcoming.append(view)
    upcoming.sort(key=lambda v: (v.time, v.slug))
    return Current(incidents, in_progress, upcoming)


def headline(found: Current, lang: i18n.Language | None = None) -> str:
    """Say in one plain sentence, in the site's language, what is going on, or that nothing is."""
    lang = lang or i18n.language(i18n.DEFAULT)
    if not found.notices:
        return lang.gettext("No incidents, and no maintenance in progress or in the next 24 hours.")
    parts = []
    if found.incidents:
        n = len(found.incidents)
        parts.append(lang.ngettext("%(num)d ongoing incident", "%(num)d ongoing incidents", n) % {"num": n})
    if found.in_progress:
        n = len(found.in_progress)
        parts.append(lang.ngettext("%(num)d maintenance in progress", "%(num)d maintenance windows in progress", n)
                     % {"num": n})
    if found.upcoming:
        n = len(found.upcoming)
        parts.append(lang.ngettext("%(num)d maintenance in the next 24 hours",
                                   "%(num)d maintenance windows in the next 24 hours", n) % {"num": n})
    # Translators: "%(parts)s." ends the sentence that lists what is going on; "; " separates its parts.
    return lang.gettext("%(parts)s.") % {"parts": lang.gettext("; ").join(parts)}


def _notice_json(site: Site, view: NoticeView) -> dict[str, Any]:
    config = site.config
    notices = (*site.incidents, *site.maintenance)
    data: dict[str, Any] = {
        "kind": view.kind.value,
        "id": next(n.id for n in notices if n.kind is view.kind and n.slug == view.slug),
        "title": view.title,
        "url": config.url + view.url_path,
        "state": view.state,
        "state_words": view.state_words,
        "impact": view.impact.value if view.impact else "maintenance",
    }
    if view.window is not None:
        data["window"] = {"start": times.iso(view.window.start), "end": times.iso(view.window.end),
                          "text": i18n.language(config.language).dates.span(view.window.start, view.window.end,
                                                                            config.zone)}
    if view.started is not None:
        data["started"] = times.iso(view.started)
    data["updated"] = times.iso(view.updated)
    data["components"] = [{"id": c.id, "name": c.name, "status": st.value} for c, st in view.components]
    return data


def embed_files(site: Site, views: list[NoticeView], now: datetime, env: Environment) -> dict[str, bytes]:
    """Return `embed/notice.html` and `embed/notice.json`: the banner for the product's own pages."""
    config = site.config
    found = current(site, views, now)
    indicator = status.state_of(site, now).indicator
    lang = i18n.language(config.language)
    message = headline(found, lang)
    page = env.get_template("embed_notice.html").render(
        site=config, now=now, indicator=indicator, current=found, message=message, as_of=asof.ASCII,
    )
    data = {
        "page": {"name": config.name, "url": config.url, "time_zone": config.time_zone},
        "generated_at": asof.ISO,  # as all the times the build shows: put in last (asof.py)
        "status": {"indicator": indicator.value, "description": lang.words(indicator)},
        "message": message,
        "notices": [_notice_json(site, v) for v in found.notices],
    }
    # Pure ASCII (character references for the rest), so it reads right inlined or framed, whatever
    # charset the host sends.
    return {
        EMBED_HTML: asof.Stamped(page.encode("ascii", "xmlcharrefreplace")),
        EMBED_JSON: asof.Stamped(dump_json(data)),
    }


# "We'll be back" pages


def absolute_links(fragment: str, base: str) -> str:
    """Make every href of sanitised HTML absolute, so the page works from whatever address serves it."""

    def fix(match: re.Match[str]) -> str:
        url = urljoin(base, html.unescape(match.group(1)))
        return f'href="{html.escape(url, quote=True)}"'

    return _HREF.sub(fix, fragment)


def offline_pages(site: Site, views: list[NoticeView], now: datetime, env: Environment) -> dict[str, bytes]:
    """Return `maintenance/<slug>/offline.html` for each published maintenance: one self-contained file.

    Its inline style is allowed by its own `<meta>` Content-Security-Policy (`csp`), by hash: the page is
    rendered once to find its `<style>` elements, then again with the policy that allows exactly them.
    """
    config = site.config
    contact_url = config.contact.url if re.match(r"^https?://", config.contact.url) else ""
    template = env.get_template(OFFLINE)
    pages: dict[str, bytes] = {}
    for view in views:
        if view.kind is not Kind.MAINTENANCE:
            continue
        url = config.url + view.url_path

        def render(view: NoticeView = view, url: str = url, at: datetime = view.settled or now) -> bytes:
            context = dict(site=config, now=at, notice=view, notice_url=url, contact_url=contact_url,
                           summary_html=absolute_links(view.summary_html, url))
            styles = [csp_hash(style) for style in inline_styles(template.render(**context, csp=""))]
            page = template.render(**context, csp=Markup(offline_policy(styles)))  # quotes and base64: safe
            return page.encode("utf-8")

        # a settled maintenance's page, as of the moment it settled, is made once (reuse.py)
        pages[view.url_path + OFFLINE] = reused(("offline", view.key), render) if view.settled else render()
    return pages


# Host headers
#
# `_headers` (Netlify, Cloudflare Pages) sets each header for a path pattern. No header is set by two rules
# that match one path: Netlify keeps the last of two, Cloudflare Pages joins them with a comma (two
# Cache-Control values, or two policies that both apply). So `/*` carries only what every file gets, and
# the rest is set folder by folder. The README gives the same settings for other hosts.

SHORT_CACHE = "public, max-age=60"  # pages, feeds, calendar, API, badges, embeds: an update shows within a minute
LONG_CACHE = "public, max-age=31536000, immutable"  # assets/: their names change with their content
# Features the site never uses, denied to it and to anything it might come to frame. Only names that current
# browsers know: Chromium logs an error for an unknown one.
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "sync-xhr", "usb",
    "xr-spatial-tracking",
))
# The embeddable notice: nothing to load, no frame-ancestors (any site may frame it), no X-Frame-Options.
EMBED_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'"
# Feeds, calendar, API and badges, should a browser open one as a document: no script, a unique origin.
DATA_POLICY = "default-src 'none'; sandbox"
CORS = (("Access-Control-Allow-Origin", "*"),)

_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)

Rule = tuple[str, tuple[tuple[str, str], ...]]


def csp_hash(text: str) -> str:
    """Return the CSP source that allows exactly this inline `<style>` text: `'sha256-<base64>'`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def inline_styles(page: str) -> list[str]:
    """Return the text of every `<style>` element of a page, as the browser hashes it."""
    return _STYLE.findall(page)


def page_policy(sources: Sequence[str] = (), styles: Sequence[str] = (), *, meta: bool = False) -> str:
    """Return the Content-Security-Policy of the site's pages: their own stylesheet and script, nothing else.

    `sources` are more directives (`img-src 'self'` for a site with images of its own), `styles` the hashes of
    inline styles to allow. For a `<meta>` element (`meta=True`) frame-ancestors is left out: browsers ignore
    it there (and Chromium logs an error).
    """
    directives = ["default-src 'none'", "script-src 'self'", " ".join(["style-src", "'self'", *styles]), *sources,
                  "base-uri 'none'", "form-action 'none'"]
    return "; ".join(directives if meta else [*directives, "frame-ancestors 'none'"])


def offline_policy(styles: Sequence[str]) -> str:
    """Return the `<meta>` Content-Security-Policy of an offline page: its inline style, by hash, and nothing else."""
    return "; ".join(["default-src 'none'", *([" ".join(["style-src", *styles])] if styles else []),
                      "base-uri 'none'", "form-action 'none'"])


def header_rules(sources: Sequence[str] = (), offline_styles: Sequence[str] = ()) -> tuple[Rule, ...]:
    """Return the rules of `_headers`: a path pattern and its headers, each header once for any path.

    `sources`: more directives the pages need (`static.policy_sources`); `offline_styles`: the hashes of the
    offline pages' inline styles, allowed in `/maintenance/*`, which holds the maintenance pages and their
    offline pages alike (a rule for `/maintenance/*/offline.html` alone would overlap it).
    """

    def page(styles: Sequence[str] = ()) -> tuple[tuple[str, str], ...]:
        return (("Content-Security-Policy", page_policy(sources, styles)), ("X-Frame-Options", "DENY"),
                ("Cache-Control", SHORT_CACHE))

    data = (*CORS, ("Content-Security-Policy", DATA_POLICY), ("Cache-Control", SHORT_CACHE))
    return (
        ("/*", (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("Permissions-Policy", PERMISSIONS))),
        ("/", page()),
        ("/index.html", page()),
        ("/404.html", page()),
        ("/history/*", page()),
        ("/components/*", page()),
        ("/incidents/*", page()),
        ("/maintenance/*", page(offline_styles)),
        (f"/{ASSETS}/*", (("Cache-Control", LONG_CACHE),)),
        ("/api/*", data),
        ("/feed.atom", data),
        ("/feeds/*", data),
        ("/maintenance.ics", data),
        (f"/{BADGE}", data),
        (f"/{BADGE_JSON}", data),
        (f"/{BADGES}/*", data),
        ("/embed/*", (*CORS, ("Content-Security-Policy", EMBED_POLICY), ("Cache-Control", SHORT_CACHE))),
    )


def headers_file(sources: Sequence[str] = (), offline_styles: Sequence[str] = ()) -> bytes:
    """Return `_headers` for Netlify and Cloudflare Pages; other hosts ignore it (see the README)."""
    lines = [
        "# Response headers for Netlify and Cloudflare Pages, written by statuspress build.",
        "# A strict Content-Security-Policy for the pages; embed/ may be framed by any site. Files in assets/",
        "# carry a hash of their content in their names and may be cached for a year; everything else for a",
        "# minute. Widgets on other sites may read the machine-readable files from the browser (CORS).",
    ]
    for path, headers in header_rules(sources, offline_styles):
        lines.append(path)
        lines += [f"  {name}: {value}" for name, value in headers]
    return ("\n".join(lines) + "\n").encode("ascii")


def badge_files(site: Site, views: list[NoticeView], now: datetime, env: Environment) -> dict[str, bytes]:
    """Return the badges, embeds, offline pages and `_headers`, keyed by path."""
    files = badges(site, now, env)
    files.update(embed_files(site, views, now, env))
    offline = offline_pages(site, views, now, env)
    files.update(offline)
    styles = sorted({csp_hash(style) for page in offline.values() for style in inline_styles(page.decode("utf-8"))})
    sources: tuple[str, ...] = env.globals["asset_sources"]  # type: ignore[assignment]  # set by render.environment
    files[HEADERS] = headers_file(sources, styles)
    return files
