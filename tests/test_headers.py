"""Secure and ready for a traffic spike (issue 7): the policies of `_headers` and the pages' <meta>, the caching
of every file, and fingerprinted assets. The browser side (every page loaded under these very headers, with
zero violations) is in test_browser.py."""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import html

from conftest import NOW, ROOT
from headers_file import header_rules, headers_for, request_paths, served_headers
from statuspress.build import build_site
from statuspress.static import fingerprint

LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60"
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
EMBED_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'"
DATA_POLICY = "default-src 'none'; sandbox"
FINGERPRINTED = re.compile(r"assets/(?P<stem>.+)\.(?P<hash>[0-9a-f]{8})(?P<suffix>\.[^./]+)")


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for directive in filter(None, (d.strip() for d in policy.split(";"))):
        name, *sources = directive.split()
        assert name not in found, f"{name} twice in {policy!r}"
        found[name] = sources
    return found


def is_document(name: str, data: bytes) -> bool:
    return name.endswith(".html") and data.lstrip()[:15].lower() == b"<!doctype html>"


def meta_policies(data: bytes) -> list[str]:
    return [m.get("content") for m in html.fromstring(data).iter("meta")
            if m.get("http-equiv") == "Content-Security-Policy"]


def built(site: Callable[..., Path], files: dict[str, str]) -> dict[str, bytes]:
    outputs, problems = build_site(site(files), NOW)
    assert outputs is not None, [str(p) for p in problems]
    return outputs


@pytest.fixture(scope="module")
def rules(example_outputs: dict[str, bytes]) -> list[tuple[str, dict[str, str]]]:
    return header_rules(example_outputs["_headers"])


# --- _headers, path by path -----------------------------------------------------------------------

def test_every_file_gets_exactly_one_cache_control(example_outputs: dict[str, bytes], rules: list) -> None:
    """A year for the fingerprinted assets, a minute for everything else: pages, feeds, calendar, API, badges."""
    for name in example_outputs:
        if name == "_headers":  # read by the host, never served
            continue
        for path in request_paths(name):
            found = headers_for(rules, path)
            assert found.get("Cache-Control") == [LONG if name.startswith("assets/") else SHORT], path


def test_every_html_file_gets_its_policy(example_outputs: dict[str, bytes], rules: list) -> None:
    """The pages may not be framed; the embeddable notice may, by any site; no header comes twice."""
    offline_hashes = set()
    for name, data in example_outputs.items():
        if name.endswith("/offline.html"):
            offline_hashes |= {sha256_source(s.text or "") for s in html.fromstring(data).iter("style")}
    assert len(offline_hashes) == 1  # one stylesheet, whatever the notice
    for name, data in example_outputs.items():
        for path in ([] if name == "_headers" else request_paths(name)):
            found = headers_for(rules, path)
            assert all(len(values) == 1 for values in found.values()), (path, found)
            policy = found.get("Content-Security-Policy", [""])[0]
            if name.startswith("embed/"):
                assert policy == EMBED_POLICY and "X-Frame-Options" not in found, path
            elif is_document(name, data):
                expected = PAGE_POLICY
                if name.startswith("maintenance/"):  # the maintenance pages and their offline pages: one rule
                    expected = PAGE_POLICY.replace("style-src 'self'", f"style-src 'self' {min(offline_hashes)}")
                assert policy == expected and found["X-Frame-Options"] == ["DENY"], path
            elif name.startswith(("api/", "feeds/", "badges/", "badge.", "feed.", "maintenance.ics")):
                assert policy == DATA_POLICY, path
            else:
                assert name.startswith("assets/") and not policy, path


def test_every_path_gets_the_safe_defaults(example_outputs: dict[str, bytes], rules: list) -> None:
    paths = [p for name in example_outputs for p in request_paths(name)] + ["/no/such/page", "/assets/gone.css"]
    for path in paths:
        found = served_headers(rules, path)
        assert found["X-Content-Type-Options"] == "nosniff", path
        assert found["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        features = dict(f.split("=") for f in found["Permissions-Policy"].split(", "))
        assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(features), path
        assert set(features.values()) == {"()"}, path  # every feature denied to everyone


def test_policies_allow_only_what_the_site_uses(rules: list) -> None:
    for pattern, headers in rules:
        policy = headers.get("Content-Security-Policy")
        if policy is None:
            continue
        found = directives(policy)
        assert found["default-src"] == ["'none'"], pattern
        for name, sources in found.items():
            assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources), pattern
            assert name in {"default-src", "script-src", "style-src", "base-uri", "form-action", "frame-ancestors",
                            "sandbox"}, (pattern, name)


# --- the pages' own policy ------------------------------------------------------------------------

def test_every_page_carries_the_header_policy_in_a_meta_element(example_outputs: dict[str, bytes],
                                                                rules: list) -> None:
    """For hosts that cannot set headers: the same policy, less frame-ancestors (ignored in <meta>), first in <head>."""
    documents = {name: data for name, data in example_outputs.items() if is_document(name, data)}
    assert len(documents) > 20
    for name, data in documents.items():
        (policy,) = meta_policies(data)
        header = served_headers(rules, "/" + name)["Content-Security-Policy"]
        if name.endswith("/offline.html"):
            styles = [sha256_source(s.text or "") for s in html.fromstring(data).iter("style")]
            assert policy == f"default-src 'none'; style-src {styles[0]}; base-uri 'none'; form-action 'none'", name
            assert styles[0] in header, name  # the header of /maintenance/* allows it too
        else:  # a maintenance page's header also allows its offline page's style; its <meta> needs not
            assert policy == PAGE_POLICY.removesuffix("; frame-ancestors 'none'"), name
            assert directives(header)["style-src"][0] == "'self'" and "frame-ancestors" in header, name
        head = [e for e in html.fromstring(data).find("head") if isinstance(e.tag, str)]
        assert head[0].get("charset") == "utf-8" and head[1].get("http-equiv") == "Content-Security-Policy", name


def test_no_inline_script_or_style_but_the_hashed_offline_style(example_outputs: dict[str, bytes]) -> None:
    """Every HTML file (pages, offline pages, the embed): scripts are files, styles are files or hashed."""
    checked = 0
    for name, data in example_outputs.items():
        if not name.endswith(".html"):
            continue
        checked += 1
        tree = html.fromstring(data)
        assert all(s.get("src") and not (s.text or "").strip() for s in tree.iter("script")), name
        styles = list(tree.iter("style"))
        if name.endswith("/offline.html"):
            (policy,) = meta_policies(data)
            assert len(styles) == 1 and f"style-src {sha256_source(styles[0].text or '')};" in policy, name
        else:
            assert not styles, name
        for element in tree.iter():
            if isinstance(element.tag, str):
                assert not [a for a in element.attrib if a == "style" or a.startswith("on")], (name, element.tag)
                assert not (element.get("href") or "").lower().startswith("javascript:"), name
    assert checked > 20


# --- fingerprinted assets -------------------------------------------------------------------------

def test_assets_are_named_by_the_hash_of_their_content(example_outputs: dict[str, bytes]) -> None:
    assets = {name: data for name, data in example_outputs.items() if name.startswith("assets/")}
    assert len(assets) == 2
    for name, data in assets.items():
        match = FINGERPRINTED.fullmatch(name)
        assert match, name
        assert match["hash"] == hashlib.sha256(data).hexdigest()[:8], name
    defaults = ROOT / "src" / "statuspress" / "templates" / "assets"
    for source in defaults.iterdir():
        assert example_outputs[fingerprint(source.name, source.read_bytes())] == source.read_bytes()


def test_every_page_links_the_current_assets(example_outputs: dict[str, bytes]) -> None:
    current = sorted(name for name in example_outputs if name.startswith("assets/"))
    for name, data in example_outputs.items():
        if not is_document(name, data) or name.endswith("/offline.html"):
            continue
        tree = html.fromstring(data)
        links = [e.get("href") for e in tree.iter("link") if e.get("rel") == "stylesheet"]
        links += [e.get("src") for e in tree.iter("script")]
        base = "/" if name == "404.html" else "/" + posixpath.dirname(name)  # the 404 page links from the root
        resolved = sorted(posixpath.normpath(posixpath.join(base, link)).lstrip("/") for link in links)
        assert resolved == current, name


def test_a_changed_stylesheet_gets_a_new_name_and_every_page_follows(site: Callable[..., Path]) -> None:
    first = built(site, {"templates/assets/style.css": "body{color:#111}"})
    second = built(site, {"templates/assets/style.css": "body{color:#222}"})
    old, new = fingerprint("style.css", b"body{color:#111}"), fingerprint("style.css", b"body{color:#222}")
    assert old != new and old in first and new in second and old not in second
    assert "assets/style.css" not in second  # no unfingerprinted copy: nothing outside the site links it
    for name, data in second.items():
        if is_document(name, data) and not name.endswith("/offline.html"):
            assert new.encode() in data and old.encode() not in data, name


def test_site_images_and_fonts_are_fingerprinted_linked_and_allowed(site: Callable[..., Path]) -> None:
    """A stylesheet's url(...) follows the renamed file, and the policy lets the site's own images and fonts in."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    outputs = built(site, {
        "templates/assets/logo.svg": svg,
        "templates/assets/fonts/body.woff2": "not really a font",
        "templates/assets/style.css": "h1{background:url(logo.svg)}\n"
                                      "@font-face{font-family:b;src:url('fonts/body.woff2?v=2') format('woff2')}\n"
                                      "p{background:url(data:image/gif;base64,R0lGOD==)}",
    })
    logo = fingerprint("logo.svg", svg.encode())
    font = fingerprint("fonts/body.woff2", b"not really a font")
    (css,) = [name for name in outputs if name.startswith("assets/style.")]
    text = outputs[css].decode()
    assert f"url({posixpath.basename(logo)})" in text and "url('fonts/body." in text
    assert f"url('{font.removeprefix('assets/')}?v=2')" in text
    assert "url(data:image/gif;base64,R0lGOD==)" in text  # not a file of ours: left alone
    assert css == fingerprint("style.css", outputs[css])  # the hash is of what is published
    (policy,) = meta_policies(outputs["index.html"])
    assert "img-src 'self'" in policy and "font-src 'self'" in policy
    rules = header_rules(outputs["_headers"])
    assert "img-src 'self'; font-src 'self'" in served_headers(rules, "/")["Content-Security-Policy"]


def test_an_unknown_asset_is_a_template_error(site: Callable[..., Path]) -> None:
    root = site({"templates/404.html": "{% extends 'base.html' %}{% block main %}"
                                       "<img src=\"{{ root }}{{ asset('logo.png') }}\" alt=\"\">{% endblock %}"})
    outputs, problems = build_site(root, NOW)
    assert outputs is None
    assert any("asset('logo.png'): no such file in assets/" in str(p) for p in problems), [str(p) for p in problems]


def test_the_home_page_links_its_assets_with_the_site_at_a_sub_path(site: Callable[..., Path]) -> None:
    config = (ROOT / "site.yaml").read_text().replace("https://status.example.com/", "https://example.github.io/s/")
    outputs, _ = build_site(site(config=config), NOW)
    assert outputs is not None
    (css,) = [name for name in outputs if name.startswith("assets/style.")]
    assert f'href="{css}"'.encode() in outputs["index.html"]
    assert f'href="/s/{css}"'.encode() in outputs["404.html"]
