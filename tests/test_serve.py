"""`statuspress serve`: serves the last good build, rebuilds on save, reloads pages, stops cleanly."""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urljoin
from urllib.request import urlopen

import pytest
from lxml import html

import statuspress.cli
import statuspress.serve
from conftest import NOW, NOW_TEXT, SITE_YAML, Result
from statuspress.build import build_site, notice_pages
from statuspress.model import Problem
from statuspress.serve import PreviewServer, watched
from statuspress.times import parse_time

NOTICE = """\
---
title: {title}
impact: {impact}
components: {{api: degraded_performance}}
---
Summary of {title}.

## Investigating · 2026-11-24 10:00 UTC
Looking.
"""
PATH = "incidents/2026-11-24-api.md"
PAGE = "incidents/2026-11-24-api/"
SCRIPT = b'<script src="/__statuspress/reload.js" data-generation="'
WAIT = 10.0  # seconds: the longest any test waits for a rebuild before failing


def notice(title: str, impact: str = "minor") -> str:
    return NOTICE.format(title=title, impact=impact)


def until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Fetch `url` without following redirects; return the status, the headers and the body."""
    parts = url.removeprefix("http://").split("/", 1)
    host, port = parts[0].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request(method, "/" + parts[1])
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Recording(PreviewServer):
    """The server, noting every path the watcher reported as changed."""

    seen: list[str]

    def changed(self, path: str) -> None:
        self.seen.append(path)
        super().changed(path)


@dataclass
class Served:
    server: Recording
    root: Path
    lines: list[str]
    builds: list[int]

    @property
    def url(self) -> str:
        return self.server.url

    def state(self) -> dict[str, Any]:
        status, _, body = get(self.url + "__statuspress/state")
        assert status == 200
        result: dict[str, Any] = json.loads(body)
        return result

    def page(self, path: str = PAGE) -> bytes:
        status, _, body = get(self.url + path)
        assert status == 200, (status, body[:300])
        return body


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection or name lookup that would leave 127.0.0.1."""
    connect = socket.socket.connect

    def checked(self: socket.socket, address: Any) -> None:
        assert isinstance(address, str) or address[0] in ("127.0.0.1", "::1"), f"connection to {address}"
        connect(self, address)

    def lookup(*args: object) -> None:
        raise AssertionError(f"a name lookup: {args}")

    monkeypatch.setattr(socket.socket, "connect", checked)
    monkeypatch.setattr(socket, "gethostbyaddr", lookup)
    monkeypatch.setattr(socket, "getfqdn", lookup)


@pytest.fixture
def serve(site: Callable[..., Path]) -> Iterator[Callable[..., Served]]:
    """Start a preview server on a free port of 127.0.0.1 for a scratch site; stop it after the test."""
    servers: list[PreviewServer] = []

    def start(files: dict[str, str] | None = None,
              rebuild: Callable[[Path], tuple[dict[str, bytes] | None, list[Problem]]] | None = None) -> Served:
        root = site(files)
        builds: list[int] = []
        lines: list[str] = []

        def build() -> tuple[dict[str, bytes] | None, list[Problem]]:
            builds.append(1)
            return rebuild(root) if rebuild else build_site(root, NOW)

        server = Recording(build, root, port=0, say=lines.append)
        server.seen = []
        servers.append(server)
        server.start()
        return Served(server, root, lines, builds)

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


def test_serves_the_site_and_shows_an_edit(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors")})
    assert served.url.startswith("http://127.0.0.1:")
    assert b"Summary of API errors." in served.page()
    before = served.state()
    (served.root / PATH).write_text(notice("API errors, edited"), encoding="utf-8")
    until(lambda: b"Summary of API errors, edited." in served.page(), "the edit to be served")
    after = served.state()
    assert after["generation"] != before["generation"] and after["errors"] == []
    assert b"API errors, edited" in served.page("")  # the home page lists it too
    until(lambda: any(line.startswith(f"statuspress: {PATH} changed; built in ") for line in served.lines),
          "the rebuild to be reported")


def next_event(stream: Any) -> dict[str, Any]:
    """Read server-sent events until the next `data:` one."""
    while True:
        line = stream.readline()
        assert line, "the event stream ended"
        if line.startswith(b"data: "):
            result: dict[str, Any] = json.loads(line[6:])
            return result


def test_the_event_stream_announces_each_rebuild(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors")})
    with urlopen(served.url + "__statuspress/events", timeout=WAIT) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        first = next_event(stream)  # the state at once, so a page that missed a rebuild reloads
        assert first == served.state()
        (served.root / PATH).write_text(notice("API errors, edited"), encoding="utf-8")
        second = next_event(stream)
        assert second["generation"] != first["generation"] and second["errors"] == []
        assert b"API errors, edited" in served.page()
        (served.root / PATH).write_text(notice("API errors, edited", impact="huge"), encoding="utf-8")
        third = next_event(stream)  # a failed rebuild keeps the generation: no reload, an overlay
        assert third["generation"] == second["generation"]
        assert third["errors"][0]["text"].startswith(f"{PATH}:3: error: 'impact' cannot be 'huge'")


def test_a_broken_edit_keeps_the_last_good_build_and_a_fix_recovers(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors")})
    good = served.state()["generation"]
    (served.root / PATH).write_text(notice("Broken edit", impact="huge"), encoding="utf-8")
    errors = until(lambda: served.state()["errors"], "the error to be reported")
    assert errors == [{"path": PATH, "line": 3, "message": "'impact' cannot be 'huge'",
                       "hint": "expected one of: none, minor, major, critical",
                       "text": f"{PATH}:3: error: 'impact' cannot be 'huge'; "
                               "expected one of: none, minor, major, critical"}]
    page = served.page()
    assert b"Summary of API errors." in page and b"Broken edit" not in page
    assert SCRIPT + good.encode() + b'"' in page  # the script shows the errors over the last good build
    until(lambda: f"{PATH}:3: error: 'impact' cannot be 'huge'; expected one of: none, minor, major, critical"
          in served.lines, "the error in the terminal")
    assert any("rebuild failed (1 error, 0 warnings); still serving the last good build" in line
               for line in served.lines)
    (served.root / PATH).write_text(notice("Fixed edit"), encoding="utf-8")
    until(lambda: b"Summary of Fixed edit." in served.page(), "the fix to be served")
    state = served.state()
    assert state["errors"] == [] and state["generation"] != good


def test_the_reload_script_is_only_in_served_html(serve: Callable[..., Served],
                                                 run: Callable[..., Result]) -> None:
    served = serve({PATH: notice("API errors")})
    for path in ("", PAGE, "history/"):
        page = served.page(path)
        assert page.count(SCRIPT) == 1 and page.index(SCRIPT) < page.rindex(b"</body>")
        scripts = list(html.fromstring(page).iter("script"))
        assert [s for s in scripts if s.get("src") == "/__statuspress/reload.js"] == scripts[-1:]
        assert not any((s.text or "").strip() for s in scripts)  # not inline: a strict CSP allows it
    status, headers, page = get(served.url + "no/such/page/")
    assert status == 404 and headers["Content-Type"] == "text/html; charset=utf-8" and SCRIPT in page
    (css,) = [a.get("href") for a in html.fromstring(served.page("")).iter("link") if a.get("rel") == "stylesheet"]
    for path, kind in (("feed.atom", "application/atom+xml"), (css, "text/css"),
                       ("api/v2/summary.json", "application/json"), ("badge.svg", "image/svg+xml"),
                       ("maintenance.ics", "text/calendar"), ("_headers", "text/plain")):
        status, headers, body = get(served.url + path)
        assert status == 200 and headers["Content-Type"].startswith(kind), path
        assert b"__statuspress" not in body, path
    status, headers, script = get(served.url + "__statuspress/reload.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in script and b"/__statuspress/events" in script
    # Only the responses change: the build the server holds, and one written by `build`, have no script.
    outputs = served.server.state.outputs
    assert outputs is not None and not any(b"__statuspress" in data for data in outputs.values())
    assert run("build", "--site", str(served.root), "--now", NOW_TEXT).code == 0
    built = [p for p in (served.root / "_site").rglob("*") if p.is_file()]
    assert len(built) == len(outputs) and not any(b"__statuspress" in p.read_bytes() for p in built)


def test_the_served_page_keeps_its_policy_widened_only_for_the_reload_script(serve: Callable[..., Served]) -> None:
    """The built pages' <meta> policy stays in force in the preview; the script and its event stream may load."""
    served = serve({PATH: notice("API errors")})
    built = build_site(served.root, NOW)[0]
    assert built is not None

    def policies(page: bytes) -> list[str]:
        return [m.get("content") for m in html.fromstring(page).iter("meta")
                if m.get("http-equiv") == "Content-Security-Policy"]

    (original,) = policies(built["index.html"])
    assert policies(served.page("")) == [original + "; connect-src 'self'"]
    offline = statuspress.serve.allow_preview("default-src 'none'; style-src 'sha256-x='; base-uri 'none'")
    assert offline == ("default-src 'none'; style-src 'sha256-x='; base-uri 'none'; script-src 'self'; "
                       "connect-src 'self'")
    hashed = statuspress.serve.allow_preview("default-src 'none'; script-src 'sha256-y='; connect-src 'self'")
    assert hashed == "default-src 'none'; script-src 'sha256-y=' 'self'; connect-src 'self'"


def test_addresses_work_as_on_a_static_host(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors")})
    status, headers, _ = get(served.url + PAGE.rstrip("/") + "?x=1")  # relative links need the slash
    assert status == 301 and headers["Location"] == f"/{PAGE}?x=1"
    status, headers, body = get(served.url + "?utm=1", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    assert headers["Cache-Control"] == "no-store"
    for path in ("../site.yaml", "incidents/../../site.yaml", "site.yaml", PATH, "__statuspress/other"):
        assert get(served.url + path)[0] == 404, path
    assert get(served.url + "incidents/2026-11-24-api/index.html")[0] == 200


def test_a_burst_of_saves_makes_one_rebuild(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors")})
    assert len(served.builds) == 1
    for n in range(10):  # an editor that writes a file in several steps, or a `git checkout`
        (served.root / PATH).write_text(notice(f"Save {n}"), encoding="utf-8")
    until(lambda: b"Summary of Save 9." in served.page(), "the last save to be served")
    assert len(served.builds) - 1 <= 2  # one, unless the machine stalled for 0.05 s in the middle of the burst


@pytest.mark.parametrize(("path", "expected"), [
    ("site.yaml", "site.yaml"),
    ("incidents/2026-11-24-api.md", "incidents/2026-11-24-api.md"),
    ("incidents/2026/old.md", "incidents/2026/old.md"),
    ("templates/base.html", "templates/base.html"),
    ("maintenance", "maintenance"),
    ("incidents/.2026-11-24-api.md.swp", None),  # vim
    ("incidents/2026-11-24-api.md~", None),  # backups
    ("incidents/.#2026-11-24-api.md", None),  # emacs lock
    ("incidents/#2026-11-24-api.md#", None),  # emacs auto-save
    ("incidents/4913", None),  # vim checks it may write the folder
    ("incidents/2026-11-24-api.md___jb_tmp___", None),  # JetBrains
    ("incidents/.git/index", None),
    ("_site/index.html", None),
    ("README.md", None),
    ("site.yaml.bak/x", None),
    ("templates/_site/index.html", None),  # an output folder given inside a watched one
])
def test_what_the_watcher_rebuilds_for(tmp_path: Path, path: str, expected: str | None) -> None:
    assert watched(tmp_path, str(tmp_path / path), ignore=[tmp_path / "templates" / "_site"]) == expected
    assert watched(tmp_path, str(tmp_path.parent / "elsewhere" / path)) is None


def test_temporary_files_and_other_folders_cause_no_rebuild(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors")})
    root = served.root
    for name in (".2026-11-24-api.md.swp", "2026-11-24-api.md~", "#2026-11-24-api.md#", "4913"):
        (root / "incidents" / name).write_text("not a notice", encoding="utf-8")
    (root / "_site").mkdir()
    (root / "_site" / "index.html").write_text("output", encoding="utf-8")
    (root / "notes.txt").write_text("notes", encoding="utf-8")
    # Each watched folder reports its events in order: once these arrive, the ones above have been seen.
    (root / "incidents" / "2026-11-25-other.md").write_text(notice("Other"), encoding="utf-8")
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    until(lambda: {"incidents/2026-11-25-other.md", "site.yaml"} <= set(served.server.seen), "the saves")
    assert set(served.server.seen) == {"incidents/2026-11-25-other.md", "site.yaml"}
    until(lambda: get(served.url + "incidents/2026-11-25-other/")[0] == 200, "the new notice")


def test_a_folder_made_after_the_start_is_watched(serve: Callable[..., Served]) -> None:
    served = serve()
    assert b"Summary of" not in served.page("")
    (served.root / "incidents").mkdir()
    (served.root / PATH).write_text(notice("First"), encoding="utf-8")
    until(lambda: get(served.url + PAGE)[0] == 200, "the new folder's notice")
    (served.root / PATH).write_text(notice("Second"), encoding="utf-8")
    until(lambda: b"Summary of Second." in served.page(), "an edit inside the new folder")


def test_without_a_good_build_the_errors_are_served_until_the_fix(serve: Callable[..., Served]) -> None:
    served = serve({PATH: notice("API errors", impact="huge")})
    status, _, page = get(served.url)
    assert status == 503
    assert f"{PATH}:3: error: &#x27;impact&#x27; cannot be &#x27;huge&#x27;".encode() in page
    assert SCRIPT + b'"' in page
    assert served.state()["generation"] == "" and served.state()["errors"][0]["line"] == 3
    assert any("rebuild failed (1 error, 0 warnings); nothing to serve yet" in line for line in served.lines)
    (served.root / PATH).write_text(notice("API errors"), encoding="utf-8")
    until(lambda: get(served.url)[0] == 200, "the site once fixed")
    assert served.state()["generation"] != ""


def test_a_crash_in_the_build_is_reported_and_the_server_goes_on(serve: Callable[..., Served]) -> None:
    def rebuild(root: Path) -> tuple[dict[str, bytes] | None, list[Problem]]:
        if (root / "crash").exists():
            raise RuntimeError("boom")
        return build_site(root, NOW)

    served = serve({PATH: notice("API errors")}, rebuild=rebuild)
    (served.root / "crash").write_text("", encoding="utf-8")
    (served.root / PATH).write_text(notice("API errors, edited"), encoding="utf-8")
    errors = until(lambda: served.state()["errors"], "the crash to be reported")
    assert errors[0]["text"] == "statuspress:1: error: the build failed: RuntimeError: boom"
    assert any(line.startswith("Traceback") for line in served.lines)
    assert b"Summary of API errors." in served.page()
    (served.root / "crash").unlink()
    (served.root / PATH).write_text(notice("API errors, again"), encoding="utf-8")
    until(lambda: b"Summary of API errors, again." in served.page(), "the next good build")


def test_stop_ends_every_thread_and_frees_the_port(site: Callable[..., Path]) -> None:
    before = set(threading.enumerate())
    root = site({PATH: notice("API errors")})
    server = PreviewServer(lambda: build_site(root, NOW), root, port=0)
    server.start()
    url = server.url
    with urlopen(url + "__statuspress/events", timeout=WAIT) as stream:  # an open page holds a connection
        next_event(stream)
        assert len(set(threading.enumerate()) - before) >= 3  # server, rebuild loop, watcher, the stream
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
        assert stream.read().strip() == b""  # the stream ended
    assert set(threading.enumerate()) - before == set()
    with pytest.raises(URLError):
        urlopen(url, timeout=2)
    server.stop()  # twice is harmless


def test_serve_command_stops_on_ctrl_c(site: Callable[..., Path]) -> None:
    root = site({PATH: notice("API errors")})
    # `statuspress serve`, restoring Ctrl-C first: a shell may start the test run with SIGINT ignored (a
    # background job), and children inherit that.
    command = [sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
               "from statuspress.cli import main; sys.exit(main(sys.argv[1:]))",
               "serve", "--site", str(root), "--port", "0", "--now", NOW_TEXT]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stderr or ():
            lines.put(line)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        url = ""
        while not url:
            line = lines.get(timeout=WAIT)
            if line.startswith("statuspress: serving "):
                url = line.rsplit(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        assert b'Status as of <time datetime="2026-11-24T12:00:00Z">' in get(url)[2]  # --now holds
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=WAIT)
    rest = list(lines.queue)
    assert rest[-1] == "statuspress: stopped\n" and not any("Traceback" in line for line in rest)


class FakeServer:
    """Stands in for the server: keeps the rebuild callable the command hands it."""

    made: list[FakeServer] = []

    def __init__(self, rebuild: Callable[[], tuple[dict[str, bytes] | None, list[Problem]]], root: Path,
                 **options: Any) -> None:
        self.rebuild, self.root, self.options = rebuild, root, options
        FakeServer.made.append(self)

    def run(self) -> None:
        pass


def test_serve_command_rebuilds_at_the_current_time_unless_now_is_given(
    site: Callable[..., Path], run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site({PATH: notice("API errors")})
    monkeypatch.setattr(statuspress.serve, "PreviewServer", FakeServer)
    clock = iter([NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=2)])
    monkeypatch.setattr(statuspress.cli, "parse_now",
                        lambda text: next(clock) if text is None else parse_time(text))
    FakeServer.made.clear()
    result = run("serve", "--site", str(root), "--port", "8123")
    assert (result.code, result.err) == (0, "statuspress: stopped\n")
    server = FakeServer.made[0]
    assert server.options["port"] == 8123 and server.options["host"] == "127.0.0.1"
    stamps = [outputs["index.html"] for outputs, _ in (server.rebuild(), server.rebuild()) if outputs]
    assert b'datetime="2026-11-24T12:01:00Z"' in stamps[0] and b'datetime="2026-11-24T12:02:00Z"' in stamps[1]
    assert run("serve", "--site", str(root), "--now", "2026-11-24T15:00:00Z").code == 0
    for outputs, _ in (FakeServer.made[1].rebuild(), FakeServer.made[1].rebuild()):
        assert outputs is not None and b'datetime="2026-11-24T15:00:00Z"' in outputs["index.html"]


def test_serve_command_on_a_taken_port(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site({PATH: notice("API errors")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--site", str(root), "--port", str(port))
    assert result.code == 2
    assert result.err.startswith(f"statuspress: error: cannot listen on 127.0.0.1 port {port}: ")
    assert result.err.endswith("; choose another --port\n")


def test_a_site_whose_url_has_a_path_is_served_at_the_root(serve: Callable[..., Served]) -> None:
    config = SITE_YAML.replace("https://status.test.example/", "https://example.github.io/status/")
    served = serve({PATH: notice("API errors"), "site.yaml": config})
    checked = 0
    for path in ("", PAGE, "history/"):
        page_url = urljoin(served.url, path)
        for element, _, link, _ in html.fromstring(served.page(path)).iterlinks():
            target = urljoin(page_url, link).split("#")[0]
            if element.tag in ("a", "link") and target.startswith(served.url):  # relative links stay on the server
                assert get(target)[0] == 200, (path, link)
                checked += 1
    assert checked > 10


# --- in a browser: the reload script itself -------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions"]
# As strict as a policy can be while the site's own files load: no inline script or style anywhere.
POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'"


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped where either is missing (`bash .ci/run` installs both)."""
    def missing(what: str) -> None:
        if os.environ.get("STATUSPRESS_REQUIRE_BROWSER") == "1":  # set by .ci/run
            pytest.fail(f"{what}; STATUSPRESS_REQUIRE_BROWSER=1 demands the browser tests", pytrace=False)
        pytest.skip(f"browser test skipped: {what}")

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed")
    if not CHROMIUM.exists():
        missing(f"no {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_an_open_page_reloads_on_save_and_shows_errors_under_a_strict_policy(
    serve: Callable[..., Served], browser: Any
) -> None:
    served = serve({PATH: notice("API errors")})
    page = browser.new_page()
    page.set_default_timeout(WAIT * 1000)
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    def console(message: Any) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def with_policy(route: Any) -> None:
        if route.request.resource_type != "document":
            route.continue_()
        else:
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": POLICY})

    page.route(lambda url: "/__statuspress/" not in url, with_policy)  # the event stream passes untouched
    with page.expect_request(lambda request: request.url.endswith("/__statuspress/events")):
        page.goto(served.url + PAGE)
    assert "Summary of API errors." in page.text_content("body")

    (served.root / PATH).write_text(notice("API errors, edited"), encoding="utf-8")
    page.wait_for_function("() => document.body.textContent.includes('Summary of API errors, edited.')")

    (served.root / PATH).write_text(notice("Broken edit", impact="huge"), encoding="utf-8")
    overlay = page.wait_for_selector("#statuspress-errors")
    assert f"{PATH}:3: error: 'impact' cannot be 'huge'" in overlay.text_content()
    assert overlay.is_visible() and "Summary of API errors, edited." in page.text_content("body")

    (served.root / PATH).write_text(notice("Fixed edit"), encoding="utf-8")
    page.wait_for_function("() => document.body.textContent.includes('Summary of Fixed edit.')")
    assert page.query_selector("#statuspress-errors") is None
    assert problems == []  # no refused script, style or connection, no script error
    assert requests and all(url.startswith(served.url) for url in requests)
    inline = "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';" \
             " document.body.append(s); return window.ran === undefined; }"
    assert page.evaluate(inline)  # the policy was in force: an inline script is refused
    page.close()


def test_the_saved_notice_is_shown_before_the_rest_of_the_site_is_built(site: Callable[..., Path]) -> None:
    root = site({PATH: notice("API errors")})
    gate, builds, lines = threading.Event(), [], []

    def rebuild() -> tuple[dict[str, bytes] | None, list[Problem]]:
        if builds:
            gate.wait(WAIT)  # a long history: the full rebuild takes a while
        builds.append(1)
        return build_site(root, NOW)

    server = PreviewServer(rebuild, root, port=0, say=lines.append,
                           first=lambda paths: notice_pages(root, NOW, paths))
    server.start()
    try:
        (root / PATH).write_text(notice("API errors, edited"), encoding="utf-8")
        until(lambda: b"Summary of API errors, edited." in get(server.url + PAGE)[2], "the saved page first")
        assert b"API errors, edited" not in get(server.url)[2]  # the home page waits for the full rebuild
        assert any(line.startswith(f"statuspress: {PATH} changed; its page shown in ") for line in lines)
        gate.set()
        until(lambda: b"API errors, edited" in get(server.url)[2], "the rest of the site")
        assert server.state.outputs == build_site(root, NOW)[0]
        (root / PATH).write_text(notice("API errors", impact="huge"), encoding="utf-8")  # broken: no page first
        until(lambda: server.state.errors != (), "the failed rebuild")
        assert b"Summary of API errors, edited." in get(server.url + PAGE)[2]
    finally:
        gate.set()
        server.stop()
