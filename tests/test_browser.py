"""The example site as a customer's browser sees it (issue 5, "Tested as a customer would").

The example site is built at NOW into a temporary folder and served over HTTP on 127.0.0.1; Debian's
Chromium, driven by Playwright (never `playwright install`), opens its pages in light and dark mode at
1280 and 375 px wide. Checked:

- axe-core: zero violations of the WCAG 2.1 A and AA rules;
- the Nu HTML Checker (vnu) on every built page: zero errors;
- every request a page makes goes to the local server, and none fails;
- screenshots of the home page (copied to docs/screenshots/ only with STATUSPRESS_SCREENSHOTS=1);
- every page, the offline pages and the embeddable notice served with the headers of the built `_headers`,
  path by path (issue 7): not one Content-Security-Policy violation, and only the embed may be framed by
  another site; `load_under_policy` loads pages under one given policy (the harness checks).

Without Chromium, Playwright, node_modules (`npm ci`) or Java the tests skip, saying what is missing;
with STATUSPRESS_REQUIRE_BROWSER=1 (set by .ci/run, which installs them all) a missing piece fails.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

import pytest

from conftest import NOW, ROOT
from headers_file import Rules, header_rules, served_headers

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this
# closed network refuses; a fresh profile comes from Playwright (a new temporary --user-data-dir).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VARIANTS = [("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)]
VIEWPORT_HEIGHT = 800
STRICT_POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:"
SCREENSHOTS = ROOT / "docs" / "screenshots"

REQUIRE = os.environ.get("STATUSPRESS_REQUIRE_BROWSER") == "1"


def missing(what: str) -> NoReturn:
    """Skip (or, under STATUSPRESS_REQUIRE_BROWSER=1, fail) because a tool of the browser tests is missing."""
    if REQUIRE:
        pytest.fail(f"{what}; STATUSPRESS_REQUIRE_BROWSER=1 demands the browser tests (bash .ci/run installs "
                    "everything they need)", pytrace=False)
    pytest.skip(f"browser test skipped: {what}; bash .ci/run installs all it needs (README: Tested in a real browser)")


# --- the built site -------------------------------------------------------------------------------

def is_document(name: str, data: bytes) -> bool:
    """A whole HTML page, as opposed to a fragment meant to be embedded in another page."""
    return name.endswith(".html") and data.lstrip()[:15].lower() == b"<!doctype html>"


def url_path(name: str) -> str:
    """The path a file is served at: `incidents/x/index.html` -> `incidents/x/`."""
    return name.removesuffix("index.html") if name.rsplit("/", 1)[-1] == "index.html" else name


def shape(name: str) -> str:
    """The kind of page a file is: its path with the folders between the first and the file as `*`."""
    parts = name.split("/")
    return "/".join([parts[0], *["*"] * (len(parts) - 2), parts[-1]]) if len(parts) > 2 else name


def key_pages(outputs: dict[str, bytes]) -> list[str]:
    """One page of each kind the build wrote, the largest (the one with the most content) of its kind.

    So: home, 404, the history, an incident, a maintenance and its offline page, and (once there are
    any) a component page and a second history page, whatever the build comes to write.
    """
    chosen: dict[str, str] = {}
    for name, data in sorted(outputs.items()):
        if is_document(name, data):
            best = chosen.get(shape(name))
            if best is None or len(data) > len(outputs[best]):  # on a tie, the first by name
                chosen[shape(name)] = name
    return sorted(chosen.values())


@pytest.fixture(scope="module")
def site_files(example_outputs: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built at NOW, written into a temporary folder."""
    out = tmp_path_factory.mktemp("browser-site")
    for name, data in example_outputs.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return out


@pytest.fixture(scope="module")
def pages(example_outputs: dict[str, bytes]) -> list[str]:
    """Every whole HTML page of the build (fragments such as embed/notice.html excluded)."""
    found = [name for name, data in example_outputs.items() if is_document(name, data)]
    assert "index.html" in found and "history/index.html" in found, found
    return found


# --- the local server -----------------------------------------------------------------------------

class SiteServer:
    """Serves a folder on 127.0.0.1 (a free port) from a thread; `headers` are added to every response, and
    while `rules` (a parsed `_headers`) are set, the headers they give the request's path, as a host would."""

    def __init__(self, root: Path) -> None:
        self.headers: dict[str, str] = {}
        self.rules: Rules = []
        extra, server = self.headers, self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def end_headers(self) -> None:
                for key, value in {**served_headers(server.rules, self.path), **extra}.items():
                    self.send_header(key, value)
                super().end_headers()

            def log_message(self, *args: Any) -> None:  # quiet: pytest shows what matters
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, page: str) -> str:
        return f"{self.origin}/{url_path(page)}"

    @contextmanager
    def with_headers(self, headers: dict[str, str]) -> Iterator[None]:
        """Add response headers (a Content-Security-Policy, say) for the duration of the block."""
        saved = dict(self.headers)
        self.headers.update(headers)
        try:
            yield
        finally:
            self.headers.clear()
            self.headers.update(saved)

    @contextmanager
    def with_headers_file(self, rules: Rules) -> Iterator[None]:
        """Send the headers of a `_headers` file, path by path, for the duration of the block."""
        saved, self.rules = self.rules, rules
        try:
            yield
        finally:
            self.rules = saved

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def server(site_files: Path) -> Iterator[SiteServer]:
    srv = SiteServer(site_files)
    yield srv
    srv.close()


# --- the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        missing(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        missing(f"{AXE_JS.relative_to(ROOT)} is missing (npm ci at the repository root)")
    return AXE_JS.read_text(encoding="utf-8")


def foreign(urls: list[str], origin: str) -> list[str]:
    """The URLs that are not on `origin` (data: and blob: URLs are part of the page)."""
    return [url for url in urls if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).netloc != urlsplit(origin).netloc]


def leaves_the_machine(url: str) -> bool:
    return urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname != "127.0.0.1"


def new_context(browser: Any, scheme: str = "light", width: int = 1280, **options: Any) -> Any:
    """A fresh browser profile: a mode, a width, a reader in UTC at NOW, and no request but to 127.0.0.1.

    A page's request to another host is still seen (and counted) by `Tab`, then aborted here, so a test
    never sends traffic off this machine, even for a page that asks for a web font or a CDN.
    """
    options = {"locale": "en-GB", "timezone_id": "UTC", **options}
    context = browser.new_context(viewport={"width": width, "height": VIEWPORT_HEIGHT}, color_scheme=scheme,
                                  device_scale_factor=1, **options)
    context.set_default_timeout(15_000)
    if hasattr(context, "clock"):  # Playwright 1.45+: the reader's clock says NOW, as the build's did
        context.clock.set_fixed_time(NOW)
    context.route(leaves_the_machine, lambda route: route.abort("blockedbyclient"))
    return context


# Chromium's warnings about a header it ignores in part: `Error with Permissions-Policy header: Unrecognized
# feature: 'web-share'.`, a Content-Security-Policy directive it does not know or ignores.
HEADER_WARNING = re.compile(r"policy|header", re.IGNORECASE)

# Registered before any script of the page runs, so it sees every violation of the page's policy.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`
  + (e.sample ? ` «${e.sample}»` : '')));
"""


@dataclass
class PageReport:
    """What one page did while loading: its requests and what went wrong."""

    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # HTTP status >= 400, or no answer at all
    console_errors: list[str] = field(default_factory=list)
    header_warnings: list[str] = field(default_factory=list)  # a header or policy the browser could not use
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page's scripts
    csp_violations: list[str] = field(default_factory=list)


class Tab:
    """One tab of a browser context, reused for page after page; `open` records what a page did."""

    def __init__(self, context: Any) -> None:
        self.report = PageReport("")
        self.page = context.new_page()
        self.page.add_init_script(CSP_LISTENER)
        self.page.on("request", lambda request: self.report.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.report.failed.append(f"{request.url} ({request.failure})"))
        self.page.on("response", lambda response: response.status >= 400
                     and self.report.failed.append(f"{response.url} (HTTP {response.status})"))
        self.page.on("console", lambda message: message.type == "error"
                     and self.report.console_errors.append(message.text))
        self.page.on("console", lambda message: message.type == "warning" and HEADER_WARNING.search(message.text)
                     and self.report.header_warnings.append(message.text))
        self.page.on("pageerror", lambda error: self.report.page_errors.append(str(error)))

    def open(self, url: str) -> PageReport:
        """Load `url` (until its load event) and return what it requested and what went wrong."""
        self.report = report = PageReport(url)
        self.page.goto(url, wait_until="load")
        # securitypolicyviolation events are queued as tasks: let them run before reading them.
        report.csp_violations += self.page.evaluate(
            "() => new Promise((done) => setTimeout(() => done(window.__cspViolations || []), 0))")
        return report


def load_pages(browser: Any, server: SiteServer, pages: list[str],
               variants: list[tuple[str, int]] | None = None) -> dict[str, list[str]]:
    """Load every page as the server now serves it; what each one broke, by page.

    A violation is a `securitypolicyviolation` event, a console error (Chromium logs each refusal there
    too, and any header it cannot parse, such as an unknown Permissions-Policy feature), a request that
    failed, or an uncaught script error.
    """
    problems: dict[str, list[str]] = {}
    for scheme, width in variants or [("light", 1280)]:
        context = new_context(browser, scheme, width)
        try:
            tab = Tab(context)
            for page in pages:
                report = tab.open(server.url(page))
                found = [*report.csp_violations, *(f"console: {t}" for t in report.console_errors),
                         *(f"warning: {t}" for t in report.header_warnings), *(f"failed: {t}" for t in report.failed),
                         *(f"script error: {t}" for t in report.page_errors)]
                if found:
                    problems.setdefault(f"{page} [{scheme} {width}px]", []).extend(found)
        finally:
            context.close()
    return problems


def load_under_policy(browser: Any, server: SiteServer, policy: str, pages: list[str],
                      variants: list[tuple[str, int]] | None = None) -> dict[str, list[str]]:
    """Load every page served with `Content-Security-Policy: policy` (and no other rules); what each one broke."""
    with server.with_headers({"Content-Security-Policy": policy}):
        return load_pages(browser, server, pages, variants)


def load_under_headers_file(browser: Any, server: SiteServer, headers_file: bytes, pages: list[str],
                            variants: list[tuple[str, int]] | None = None) -> dict[str, list[str]]:
    """Load every page served with the headers `_headers` gives its path, as Netlify or Cloudflare Pages would."""
    with server.with_headers_file(header_rules(headers_file)):
        return load_pages(browser, server, pages, variants)


def report_problems(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n" + "\n".join(f"    {p}" for p in found) for page, found in problems.items())


# --- the tests ------------------------------------------------------------------------------------

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))}));
}"""


def axe_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A and AA rules on an open page."""
    page.add_script_tag(content=axe_source)
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG21_AA_TAGS)
    return violations


@pytest.mark.parametrize(("scheme", "width"), VARIANTS, ids=[f"{s}-{w}px" for s, w in VARIANTS])
def test_axe_finds_no_wcag21_aa_violation(browser: Any, server: SiteServer, axe_source: str,
                                          example_outputs: dict[str, bytes], scheme: str, width: int) -> None:
    """One page of each kind (home, history, an incident, a maintenance, ...): WCAG 2.1 A and AA."""
    findings: list[str] = []
    # bypass_csp only so that axe can be injected into pages that ship a <meta> CSP (issue 7).
    context = new_context(browser, scheme, width, bypass_csp=True)
    try:
        tab = Tab(context)
        for name in key_pages(example_outputs):
            tab.open(server.url(name))
            for violation in axe_violations(tab.page, axe_source):
                findings.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}")
                for node in violation["nodes"]:
                    summary = " ".join((node["summary"] or "").split())
                    findings.append(f"    {node['target']}  {node['html'][:160]}\n        {summary[:400]}")
    finally:
        context.close()
    assert not findings, f"axe-core, {scheme} mode, {width} px wide:\n" + "\n".join(findings)


def test_pages_request_nothing_from_other_hosts(browser: Any, server: SiteServer, pages: list[str]) -> None:
    """Every page, in every mode and width: each request goes to the local server, and each succeeds."""
    elsewhere: list[str] = []
    failed: list[str] = []
    counts: dict[str, int] = {}
    for scheme, width in VARIANTS:
        context = new_context(browser, scheme, width)
        try:
            tab = Tab(context)
            for name in pages:
                report = tab.open(server.url(name))
                counts[name] = max(counts.get(name, 0), len(report.requests))
                where = f"{name} [{scheme} {width}px]"
                elsewhere += [f"{where}: {url}" for url in foreign(report.requests, server.origin)]
                failed += [f"{where}: {what}" for what in report.failed]
        finally:
            context.close()
    assert not elsewhere, "requests to another host:\n" + "\n".join(elsewhere)
    assert not failed, "requests that failed:\n" + "\n".join(failed)
    assert all(counts.values()), counts  # every page was really loaded (its own document is a request)


def test_every_page_is_valid_html(example_outputs: dict[str, bytes], tmp_path: Path) -> None:
    """The Nu HTML Checker on every HTML file of the build: zero errors.

    Whole pages are checked as they are. A fragment (embed/notice.html, meant to be pasted into another
    site's page) is checked inside a minimal valid document, so only the fragment's own markup counts.
    """
    java = shutil.which("java")
    if java is None:
        missing("java is not on PATH (Debian package default-jre-headless)")
    if not VNU_JAR.exists():
        missing(f"{VNU_JAR.relative_to(ROOT)} is missing (npm ci at the repository root)")
    checked: dict[str, str] = {}  # the file given to vnu -> the built file it stands for
    offsets: dict[str, int] = {}  # lines added before the built file's own
    for name, data in example_outputs.items():
        if not name.endswith(".html"):
            continue
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if is_document(name, data):
            target.write_bytes(data)
            checked[str(target)] = name
        else:
            # The wrapper takes one line, so the fragment's line N is the report's line N + 1.
            target.write_bytes(b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fragment</title>'
                               b"</head><body>\n" + data + b"\n</body></html>\n")
            checked[str(target)] = f"{name} (a fragment, checked inside a minimal document)"
            offsets[str(target)] = 1
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", "--exit-zero-always",
         *sorted(checked)],
        capture_output=True, text=True, timeout=300, check=False)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")

    def where(message: dict[str, Any]) -> str:
        path = unquote(urlsplit(message.get("url", "")).path)
        line = message.get("lastLine")
        line = "?" if line is None else line - offsets.get(path, 0)
        return f"{checked.get(path, message.get('url', '?'))}:{line}"

    errors = [
        f"{where(m)}: {m['type']}: {m['message']}"
        + (f"\n    «{' '.join(m['extract'].split())}»" if m.get("extract") else "")
        for m in messages if m.get("type") != "info"
    ]
    assert not errors, "Nu HTML Checker:\n" + "\n".join(errors)


def test_home_page_screenshots(browser: Any, server: SiteServer, tmp_path: Path) -> None:
    """The first screen of the home page in light and dark mode at both widths, as the README shows it.

    Written to a temporary folder; with STATUSPRESS_SCREENSHOTS=1 also to docs/screenshots/.
    """
    shots: dict[tuple[str, int], bytes] = {}
    for scheme, width in VARIANTS:
        context = new_context(browser, scheme, width)
        try:
            tab = Tab(context)
            tab.open(server.url("index.html"))
            path = tmp_path / f"home-{scheme}-{width}.png"
            tab.page.screenshot(path=str(path), animations="disabled", caret="hide")
            shots[scheme, width] = path.read_bytes()
        finally:
            context.close()
        assert shots[scheme, width].startswith(b"\x89PNG"), (scheme, width)
    for width in (1280, 375):
        assert shots["light", width] != shots["dark", width], f"dark mode looks like light mode at {width} px"
    if os.environ.get("STATUSPRESS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for (scheme, width), png in shots.items():
            (SCREENSHOTS / f"home-{scheme}-{width}.png").write_bytes(png)


def test_every_page_loads_under_a_strict_csp(browser: Any, server: SiteServer, pages: list[str],
                                             example_outputs: dict[str, bytes]) -> None:
    """Every page (the offline pages included) and the embeddable notice, each served with the headers the built
    `_headers` gives its path (its Content-Security-Policy, Permissions-Policy, ...) and with its own <meta>
    policy: not one violation, not one header the browser ignores, not one failed request."""
    documents = [*pages, "embed/notice.html"]
    assert any(name.endswith("/offline.html") for name in documents) and "404.html" in documents
    problems = load_under_headers_file(browser, server, example_outputs["_headers"], documents)
    assert not problems, "under the headers of _headers:\n" + report_problems(problems)


def test_machine_readable_files_open_under_their_policy(browser: Any, server: SiteServer,
                                                       example_outputs: dict[str, bytes]) -> None:
    """A badge or an API file opened as a document gets `default-src 'none'; sandbox` and shows without a word
    from the browser. (A plain context: Playwright's clock would inject a script, which the sandbox refuses.)"""
    context = browser.new_context()
    context.route(leaves_the_machine, lambda route: route.abort("blockedbyclient"))
    messages: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
        with server.with_headers_file(header_rules(example_outputs["_headers"])):
            for name in ("badge.svg", "badges/api.svg", "api/v2/summary.json", "embed/notice.json"):
                response = page.goto(server.url(name), wait_until="load")
                assert response is not None and response.ok, name
                assert "'none'" in response.headers["content-security-policy"], name
                page.wait_for_timeout(50)  # console messages arrive as tasks
    finally:
        context.close()
    assert messages == []


FRAMES = """<!DOCTYPE html><html lang="en"><head><title>The product</title></head><body>
<iframe id="embed" title="Service status" src="{embed}"></iframe>
<iframe id="page" title="Status page" src="{page}"></iframe>
</body></html>"""


def test_only_the_embed_may_be_framed_by_another_site(browser: Any, server: SiteServer, tmp_path: Path,
                                                     example_outputs: dict[str, bytes]) -> None:
    """A page of another origin (another port of 127.0.0.1) frames the embed and the home page: the embed shows,
    the home page is refused (frame-ancestors 'none', X-Frame-Options: DENY), as the shipped `_headers` say."""
    (tmp_path / "product.html").write_text(FRAMES.format(embed=server.url("embed/notice.html"),
                                                         page=server.url("index.html")), encoding="utf-8")
    product = SiteServer(tmp_path)
    context = new_context(browser)
    try:
        page = context.new_page()
        with server.with_headers_file(header_rules(example_outputs["_headers"])):
            page.goto(product.url("product.html"), wait_until="load")
            embed = page.frame_locator("#embed").locator("aside.statuspress-notice")
            assert "Status as of" in embed.inner_text()
            framed = {frame.name or frame.url: frame.url for frame in page.frames if frame.parent_frame is not None}
            home = page.query_selector("#page").content_frame()
            assert home is not None and home.query_selector("main") is None, framed  # refused: an error page
    finally:
        context.close()
        product.close()


def test_csp_harness_sees_violations(browser: Any, server: SiteServer, site_files: Path,
                                    example_outputs: dict[str, bytes]) -> None:
    """The CSP helpers notice a violation (a page with inline style), so a clean result means something: under
    one given policy, and under the rules of `_headers` for the path the page is served at."""
    probe = site_files / "csp-probe.html"
    probe.write_text('<!DOCTYPE html><html lang="en"><head><title>probe</title><style>p{color:red}</style></head>'
                     "<body><p>probe</p></body></html>", encoding="utf-8")
    (site_files / "incidents" / "csp-probe.html").write_bytes(probe.read_bytes())
    try:
        problems = load_under_policy(browser, server, STRICT_POLICY, ["csp-probe.html"])
        assert problems and any("style-src" in p for p in problems["csp-probe.html [light 1280px]"]), problems
        assert not load_under_policy(browser, server, "default-src 'none'; style-src 'unsafe-inline'",
                                     ["csp-probe.html"])
        problems = load_under_headers_file(browser, server, example_outputs["_headers"], ["incidents/csp-probe.html"])
        assert any("style-src" in p for p in problems["incidents/csp-probe.html [light 1280px]"]), problems
        with server.with_headers({"Permissions-Policy": "camera=(), no-such-feature=()"}):  # a header in part ignored
            problems = load_pages(browser, server, ["index.html"])
        assert any("no-such-feature" in p for p in problems["index.html [light 1280px]"]), problems
    finally:
        probe.unlink()
        (site_files / "incidents" / "csp-probe.html").unlink()


def test_axe_harness_sees_violations(browser: Any, server: SiteServer, site_files: Path, axe_source: str) -> None:
    """axe-core really runs: a page without `lang`, with an image without text, is reported."""
    probe = site_files / "axe-probe.html"
    probe.write_text('<!DOCTYPE html><html><head><title>probe</title></head><body><main><h1>probe</h1>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1"></main></body></html>',
                     encoding="utf-8")
    context = new_context(browser)
    try:
        tab = Tab(context)
        tab.open(server.url("axe-probe.html"))
        found = {v["id"] for v in axe_violations(tab.page, axe_source)}
    finally:
        context.close()
        probe.unlink()
    assert {"html-has-lang", "image-alt"} <= found, found


def test_request_harness_sees_other_hosts(browser: Any, server: SiteServer, site_files: Path,
                                         example_outputs: dict[str, bytes]) -> None:
    """A page that loads its stylesheet from another host is caught (and the request never leaves)."""
    other = server.origin.replace("127.0.0.1", "localhost")
    (css,) = [name for name in example_outputs if name.startswith("assets/style.")]  # fingerprinted
    probe = site_files / "request-probe.html"
    probe.write_text(f'<!DOCTYPE html><html lang="en"><head><title>probe</title><link rel="stylesheet" '
                     f'href="{other}/assets/style.css"><link rel="stylesheet" href="{css}"></head>'
                     "<body><p>probe</p></body></html>", encoding="utf-8")
    context = new_context(browser)
    try:
        report = Tab(context).open(server.url("request-probe.html"))
    finally:
        context.close()
        probe.unlink()
    assert foreign(report.requests, server.origin) == [f"{other}/assets/style.css"], report.requests
    assert [url for url in report.failed if not url.startswith(other)] == [], report.failed  # ours loaded
    assert any(url.startswith(other) for url in report.failed), report.failed  # aborted, not fetched
