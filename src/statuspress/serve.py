"""The preview server: serves the last good build from memory, rebuilds on save, reloads open pages.

It is handed a `rebuild()` callable and knows nothing else about building (as MkDocs' livereload):
the caller decides what a build is and what time it sees; this module never reads the clock.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import os
import posixpath
import re
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from .model import Problem

Outputs = dict[str, bytes]
Rebuild = Callable[[], tuple[Outputs | None, list[Problem]]]  # a new dict each time (it is kept and served as is)
First = Callable[[list[str]], Outputs | None]  # the pages of the notices saved, ahead of the full rebuild
Say = Callable[[str], None]

PREFIX = "/__statuspress/"
SCRIPT = f"{PREFIX}reload.js"
WATCHED_FILE = "site.yaml"
WATCHED_FOLDERS = ("incidents", "maintenance", "templates")
CHANGES = frozenset({"created", "modified", "deleted", "moved"})  # not opened/closed: the build reads files too
TEMPORARY_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".temp", ".part", "~", "___jb_tmp___", "___jb_old___")
KEEPALIVE = 15.0  # seconds between SSE comments, so a closed tab's thread notices and ends
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json",
         ".atom": "application/atom+xml; charset=utf-8", ".ics": "text/calendar; charset=utf-8",
         ".svg": "image/svg+xml", ".xml": "application/xml",
         ".txt": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8"}


def temporary(name: str) -> bool:
    """Tell whether a file name is an editor's swap, backup or lock file rather than content."""
    # .x.swp (vim), .#x (emacs lock), #x# (emacs auto-save), 4913 (vim's probe that it may write), x~ (backups)
    return name.startswith((".", "#")) or name.endswith(TEMPORARY_SUFFIXES) or name == "4913"


def watched(root: Path, path: str, ignore: Sequence[Path] = ()) -> str | None:
    """Return `path` relative to the site folder if a change to it needs a rebuild, else None."""
    candidate = Path(path)
    if any(candidate == folder or folder in candidate.parents for folder in ignore):
        return None
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return None
    if not parts or any(temporary(part) for part in parts):
        return None
    if parts == (WATCHED_FILE,) or parts[0] in WATCHED_FOLDERS:
        return "/".join(parts)
    return None


@dataclass(frozen=True)
class State:
    """What the server shows: the last good build, and the errors of the latest rebuild if it failed."""

    outputs: Outputs | None = None
    generation: str = ""  # changes whenever `outputs` change; open pages reload when it does
    errors: tuple[Problem, ...] = ()
    serial: int = 0  # changes at every rebuild, good or bad

    def json(self) -> bytes:
        errors = [{"path": p.path, "line": p.line, "message": p.message, "hint": p.hint, "text": str(p)}
                  for p in self.errors]
        return json.dumps({"generation": self.generation, "errors": errors}).encode()


class PreviewServer:
    """The HTTP server, the file watcher and the rebuild loop of `statuspress serve`."""

    def __init__(self, rebuild: Rebuild, root: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 say: Say = lambda line: None, ignore: Sequence[Path] = (), debounce: float = 0.05,
                 first: First | None = None) -> None:
        self.root = root.resolve()
        self._rebuild = rebuild
        self._first = first
        self._say = say
        self._ignore = tuple(p.resolve() for p in ignore)
        self._debounce = debounce
        self._state = State()
        self._condition = threading.Condition()  # guards _state and _changed_paths; wakes the event streams
        self._changed_paths: set[str] = set()
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._instance = f"{os.getpid()}-{id(self):x}"  # a restarted server reloads pages too
        self._count = 0
        self._observer = Observer()
        self._folders: dict[str, ObservedWatch] = {}
        self._threads: list[threading.Thread] = []
        self._server = _Server((host, port), self)  # binds now: a taken port fails here, before any build

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"

    @property
    def state(self) -> State:
        with self._condition:
            return self._state

    def start(self) -> None:
        """Build once, then watch the site and serve it in background threads."""
        self._observer.schedule(_Watcher(self), str(self.root), recursive=False)
        for name in WATCHED_FOLDERS:
            self._watch_folder(name)
        self._observer.start()  # before the first build, so a save during it is not missed
        self._rebuild_now()
        http = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="statuspress-http")
        for thread in (http, threading.Thread(target=self._loop, name="statuspress-rebuild")):
            thread.start()
            self._threads.append(thread)

    def run(self) -> None:
        """Serve until Ctrl-C, then stop cleanly."""
        try:
            self.start()
            self._say(f"statuspress: serving {self.root} at {self.url} (Ctrl-C to stop)")
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop the watcher, the rebuild loop and the server, and wait for their threads; may be called twice."""
        self._stopping.set()
        self._dirty.set()
        with self._condition:
            self._condition.notify_all()  # event streams see _stopping and end
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join()
        if self._threads:
            self._server.shutdown()  # returns once serve_forever has
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        self._server.server_close()  # joins the request threads

    def changed(self, path: str) -> None:
        """Note a change to the site's file `path` (relative); a rebuild follows once saves pause."""
        with self._condition:
            self._changed_paths.add(path)
        self._dirty.set()

    def _watch_folder(self, name: str) -> None:
        folder = self.root / name
        if not folder.is_dir():
            return
        old = self._folders.pop(name, None)
        if old is not None:  # the folder was deleted and made again: its old watch is dead
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(old)
        self._folders[name] = self._observer.schedule(_Watcher(self), str(folder), recursive=True)

    def _loop(self) -> None:
        while True:
            self._dirty.wait()
            # Wait until the saves pause for `debounce` seconds, so a burst of saves makes one rebuild,
            # but not forever: a file written continuously still gets rebuilt every couple of seconds.
            for _ in range(20):
                self._dirty.clear()
                if self._stopping.is_set() or not self._dirty.wait(self._debounce):
                    break
            if self._stopping.is_set():
                return
            self._dirty.clear()
            self._rebuild_now()

    def _rebuild_now(self) -> None:
        with self._condition:
            paths, self._changed_paths = sorted(self._changed_paths), set()
        started = time.perf_counter()
        self._show_first(paths, started)
        try:
            outputs, problems = self._rebuild()
        except Exception as exc:  # a bug or a file vanishing mid-read must not stop the server
            self._say(traceback.format_exc().rstrip())
            outputs, problems = None, [Problem("statuspress", 1, f"the build failed: {type(exc).__name__}: {exc}")]
        elapsed = time.perf_counter() - started
        errors = tuple(p for p in problems if p.is_error)
        if outputs is None and not errors:
            errors = (Problem("statuspress", 1, "the build produced nothing"),)
        with self._condition:
            old = self._state
            good = outputs is not None and not errors
            files = _difference(old.outputs, outputs) if good else 0
            if outputs is not None and good and files:
                self._count += 1
                state = State(outputs, f"{self._instance}.{self._count}", (), old.serial + 1)
            else:
                state = State(old.outputs, old.generation, errors, old.serial + 1)
            self._state = state
            self._condition.notify_all()
        for problem in sorted(problems, key=lambda p: (p.path != WATCHED_FILE, p.path, p.line)):
            self._say(str(problem))
        warnings = len(problems) - sum(p.is_error for p in problems)
        counts = f"{len(errors)} error{'s' * (len(errors) != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        paths = [p for p in paths if (self.root / p).exists()] or paths  # not the temporary files of `sed -i`
        cause = f"{', '.join(paths[:3])}{' …' * (len(paths) > 3)} changed; " if paths else ""
        if not good:
            kept = "still serving the last good build" if state.outputs is not None else "nothing to serve yet"
            self._say(f"statuspress: {cause}rebuild failed ({counts}); {kept}")
        else:
            if old.outputs is None:
                what = f"{files} files"
            else:
                what = f"{files} file{'s' * (files != 1)} changed" if files else "nothing changed"
            self._say(f"statuspress: {cause}built in {elapsed * 1000:.0f} ms, {what} ({counts})")

    def _show_first(self, paths: list[str], started: float) -> None:
        """Serve the pages of the notices just saved before the rest of the site is built: the page being
        written shows up at once. Nothing happens when `first` cannot make them (an error, a deleted
        file, a change to site.yaml or a template): the full rebuild then says what it found."""
        if self._first is None or not paths or self.state.outputs is None:
            return
        try:
            pages = self._first(paths)
        except Exception:  # noqa: BLE001 — the full rebuild that follows reports it
            pages = None
        with self._condition:
            old = self._state
            if not pages or old.outputs is None or all(old.outputs.get(n) == data for n, data in pages.items()):
                return
            self._count += 1
            self._state = State({**old.outputs, **pages}, f"{self._instance}.{self._count}", (), old.serial + 1)
            self._condition.notify_all()
        elapsed = (time.perf_counter() - started) * 1000
        self._say(f"statuspress: {', '.join(paths[:3])}{' …' * (len(paths) > 3)} changed; "
                  f"its page shown in {elapsed:.0f} ms, building the rest")

    def handle(self, request: _Handler, head: bool) -> None:
        """Answer one GET or HEAD request."""
        path = unquote(urlsplit(request.path).path)
        if path == SCRIPT:
            return request.reply(HTTPStatus.OK, TYPES[".js"], RELOAD_SCRIPT, head)
        if path == f"{PREFIX}state":
            return request.reply(HTTPStatus.OK, TYPES[".json"], self.state.json(), head)
        if path == f"{PREFIX}events" and not head:
            return self._events(request)
        if path.startswith(PREFIX):
            return request.reply(HTTPStatus.NOT_FOUND, TYPES[""], b"not found\n", head)
        state = self.state
        if state.outputs is None:  # no good build yet: an error page that reloads once there is one
            return request.reply(HTTPStatus.SERVICE_UNAVAILABLE, TYPES[".html"], inject(_error_page(state), ""), head)
        status, name, location = _resolve(state.outputs, path)
        if location is not None:
            query = urlsplit(request.path).query
            return request.reply(status, TYPES[""], b"", head, location + (f"?{query}" if query else ""))
        if name is None:
            return request.reply(status, TYPES[""], b"not found\n", head)
        data, kind = state.outputs[name], content_type(name)
        if kind.startswith("text/html"):
            data = inject(data, state.generation)
        return request.reply(status, kind, data, head)

    def _events(self, request: _Handler) -> None:
        """Stream the state as server-sent events: once at once, then at every rebuild."""
        request.send_response(HTTPStatus.OK)
        request.send_header("Content-Type", "text/event-stream")
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        seen = -1
        try:
            request.wfile.write(b"retry: 500\n\n")  # reconnect quickly after a restart
            while True:
                def news(last: int = seen) -> bool:
                    return self._stopping.is_set() or self._state.serial != last

                with self._condition:
                    self._condition.wait_for(news, KEEPALIVE)
                    state = self._state
                if self._stopping.is_set():
                    return
                if state.serial == seen:
                    request.wfile.write(b": keepalive\n\n")
                else:
                    request.wfile.write(b"data: " + state.json() + b"\n\n")
                    seen = state.serial
                request.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return


def _difference(old: Outputs | None, new: Outputs | None) -> int:
    """Count the files added, removed or changed between two builds."""
    old, new = old or {}, new or {}
    return sum(old.get(name) != data for name, data in new.items()) + sum(name not in new for name in old)


def _resolve(outputs: Outputs, path: str) -> tuple[HTTPStatus, str | None, str | None]:
    """Map a URL path to (status, file name, redirect location), as a static host does."""
    parts = [part for part in path.split("/") if part]
    if not path.startswith("/") or any(part in (".", "..") or "\\" in part for part in parts):
        return HTTPStatus.NOT_FOUND, None, None
    name = "/".join(parts)
    if path.endswith("/"):
        name = posixpath.join(name, "index.html") if name else "index.html"
    if name in outputs:
        return HTTPStatus.OK, name, None
    if f"{name}/index.html" in outputs:  # relative links need the slash: /incidents/x -> /incidents/x/
        return HTTPStatus.MOVED_PERMANENTLY, None, f"/{name}/"
    return HTTPStatus.NOT_FOUND, ("404.html" if "404.html" in outputs else None), None


def content_type(name: str) -> str:
    """Return the Content-Type of a built file."""
    suffix = posixpath.splitext(name)[1].lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def inject(page: bytes, generation: str) -> bytes:
    """Add the reload script to a served page (never to a built one): an external file, so a strict CSP allows it.

    The page's own `<meta>` Content-Security-Policy stays in force, widened only by what the script needs: to
    be loaded (`script-src 'self'`, which an offline page lacks) and its event stream (`connect-src 'self'`).
    """
    tag = f'<script src="{SCRIPT}" data-generation="{html.escape(generation)}"></script>\n'.encode()
    page = _META_CSP.sub(lambda m: m[1] + allow_preview(m[2].decode()).encode() + m[3], page, count=1)
    end = page.lower().rfind(b"</body>")
    return page + tag if end < 0 else page[:end] + tag + page[end:]


_META_CSP = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.IGNORECASE)


def allow_preview(policy: str) -> str:
    """Add `'self'` to a policy's script-src and connect-src (a directive it lacks is added): the reload script."""
    directives = [d.strip() for d in html.unescape(policy).split(";") if d.strip()]
    for name in ("script-src", "connect-src"):
        index = next((i for i, d in enumerate(directives) if d.split()[0].lower() == name), None)
        if index is None:
            directives.append(f"{name} 'self'")
        elif "'self'" not in directives[index].split()[1:]:
            directives[index] += " 'self'"
    return "; ".join(directives)


def _error_page(state: State) -> bytes:
    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in state.errors)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>statuspress: build failed</title>'
            f"</head><body><h1>The site does not build yet</h1><ul>{items}</ul>"
            f"<p>Fix the files; this page reloads when the site builds.</p></body></html>\n").encode()


class _Watcher(FileSystemEventHandler):
    def __init__(self, preview: PreviewServer) -> None:
        super().__init__()
        self._preview = preview

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES or (event.is_directory and event.event_type == "modified"):
            return
        preview = self._preview
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = os.fsdecode(raw)
            if not path:
                continue
            relative = watched(preview.root, path, preview._ignore)
            if relative is None:
                continue
            if event.is_directory and relative in WATCHED_FOLDERS and event.event_type in ("created", "moved"):
                preview._watch_folder(relative)  # a watched folder that appears after the start
            preview.changed(relative)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() joins the request threads
    block_on_close = True

    def __init__(self, address: tuple[str, int], preview: PreviewServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (socket.getfqdn), a DNS query; we need none.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # a client that sends nothing cannot hold up a stop for longer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.preview.handle(self, head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.preview.handle(self, head=True)

    def reply(self, status: HTTPStatus, kind: str, body: bytes, head: bool, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the new build
        self.send_header("X-Content-Type-Options", "nosniff")
        if location is not None:
            self.send_header("Location", location)
        self.end_headers()
        if not head:
            with contextlib.suppress(OSError):  # the client went away
                self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # one line per request would bury the rebuild reports


RELOAD_SCRIPT = b"""\
// statuspress serve: reload this page when the site is rebuilt, and show a failed rebuild's errors over it.
// Only the preview server sends this script; it is never part of the built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var served = script ? script.getAttribute("data-generation") : null;
  var source = null, timer = null, overlay = null;

  function show(errors) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors.length) { return; }
    overlay = document.createElement("div");
    overlay.id = "statuspress-errors";
    overlay.setAttribute("role", "alert");
    var s = overlay.style;  // set through the CSSOM, which a CSP without 'unsafe-inline' allows
    s.position = "fixed"; s.top = "0"; s.left = "0"; s.right = "0"; s.zIndex = "2147483647";
    s.maxHeight = "70vh"; s.overflow = "auto"; s.margin = "0"; s.padding = "1em 1.5em";
    s.background = "#fff0f0"; s.color = "#600"; s.borderBottom = "4px solid #c00";
    s.font = "14px/1.5 ui-monospace, Menlo, Consolas, monospace"; s.whiteSpace = "pre-wrap";
    var title = document.createElement("strong");
    title.textContent = "statuspress: the rebuild failed; this is the last good build. Fix the files and it reloads.";
    overlay.appendChild(title);
    errors.forEach(function (error) {
      var line = document.createElement("div");
      line.textContent = error.text;
      overlay.appendChild(line);
    });
    overlay.title = "click to hide";
    overlay.addEventListener("click", function () { show([]); });
    (document.body || document.documentElement).appendChild(overlay);
  }

  function apply(state) {
    if (served !== null && state.generation !== served) {
      disconnect();
      location.reload();
    } else {
      show(state.errors);
    }
  }

  function poll() {  // where there is no EventSource
    var request = new XMLHttpRequest();
    request.open("GET", "/__statuspress/state");
    request.onload = function () { if (request.status === 200) { apply(JSON.parse(request.responseText)); } };
    request.onloadend = function () { if (timer !== null) { timer = setTimeout(poll, 500); } };
    request.send();
  }

  function connect() {
    if (source || timer !== null || document.hidden) { return; }
    if (window.EventSource) {
      source = new EventSource("/__statuspress/events");
      source.onmessage = function (event) { apply(JSON.parse(event.data)); };
    } else {
      timer = 0;
      poll();
    }
  }

  function disconnect() {  // hidden tabs let go of their connection: browsers allow few per host
    if (source) { source.close(); source = null; }
    if (timer !== null) { clearTimeout(timer); timer = null; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { disconnect(); } else { connect(); }
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", connect);
  connect();
})();
"""
