"""Never half-written, never lost: an interrupted or failing build leaves the previous site as it was.

`write_site` writes into a new folder beside the output and swaps it in. These tests stop a build at
each stage (while files are written, between the two renames of the swap, right after it), by an
interrupt, a full disk and a real SIGINT, and compare the output folder byte for byte with the site
before. A published notice missing from the history, the feed or the API fails the build.
"""

from __future__ import annotations

import errno
import gc
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import statuspress.build as build_module
import statuspress.write as write_module
from conftest import NOW, NOW_TEXT, ROOT
from conftest import Result as CliResult
from statuspress import parallel
from statuspress.build import Summary, api_record, build_site, build_with_summary
from statuspress.model import Site
from statuspress.write import write_site

Tree = dict[str, bytes]


def tree(folder: Path) -> Tree:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Staging or retired folders left beside the output."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Tree]:
    """An output folder holding a previous site, and that site's files."""
    out = tmp_path / "public"
    write_site({"index.html": b"<p>the site as it was</p>\n", "incidents/old/index.html": b"\x00\xffold"}, out)
    return out, tree(out)


@pytest.fixture(scope="module")
def example() -> Tree:
    outputs, problems = build_site(ROOT, NOW)
    assert outputs is not None, [str(p) for p in problems]
    return outputs


class Stop(Exception):
    """Stands for whatever stops a build: raised by the patched functions below."""


def failing_after(calls: int, error: BaseException, real: Callable[..., Any]) -> Callable[..., Any]:
    """A stand-in for `real` that works `calls` times, raises `error` once instead, then works again."""
    count = 0

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count == calls + 1:
            raise error
        return real(*args, **kwargs)

    return stand_in


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left on device"), Stop()],
                         ids=["interrupt", "disk-full", "error"])
def test_stopped_while_writing_files_leaves_the_previous_site(
    published: tuple[Path, Tree], example: Tree, monkeypatch: pytest.MonkeyPatch, error: BaseException,
    processes: int
) -> None:
    out, before = published
    monkeypatch.setattr(parallel, "MINIMUM", 10)  # two processes write a half each: stop both halfway
    monkeypatch.setattr(write_module, "SHARED", 10)
    calls = len(example) // 2 // processes
    monkeypatch.setattr(write_module, "write_file", failing_after(calls, error, write_module.write_file))
    with pytest.raises(type(error)):
        write_site(example, out, processes=processes)
    assert tree(out) == before
    assert leftovers(out) == []
    assert parallel.multiprocessing.active_children() == []


def test_two_processes_write_the_site_one_would(
    tmp_path: Path, example: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MINIMUM", 10)
    monkeypatch.setattr(write_module, "SHARED", 10)
    written = tmp_path / "written"  # by which process, and what
    real = write_module.write_file

    def noted(path: str, data: bytes) -> os.stat_result:
        with written.open("a") as file:
            file.write(f"{os.getpid()} {path}\n")
        return real(path, data)

    monkeypatch.setattr(write_module, "write_file", noted)
    out, spare = tmp_path / "public", tmp_path / "cache" / "previous-site"
    write_site(example, out, spare, processes=2)
    assert tree(out) == example
    assert gc.get_freeze_count() == 0  # frozen for the fork only: no build holds it (build_with_summary)
    lines = [(pid, path.split(".public.new-", 1)[1].split("/", 1)[1]) for pid, path in map(
        str.split, written.read_text().splitlines())]
    assert sorted(name for _, name in lines) == sorted(example) and len({pid for pid, _ in lines}) == 2
    for top in {name.partition("/")[0] for name in example if "/" in name}:  # each folder by one process
        assert len({pid for pid, name in lines if name.startswith(f"{top}/")}) == 1, top
    manifest = (spare.parent / write_module.MANIFEST).read_text().splitlines()
    inodes = {line.split("\t")[1]: int(line.split("\t")[3]) for line in manifest if line.startswith("L\t")}
    assert inodes == {name: (out / name).stat().st_ino for name in example}
    changed = {**example, "index.html": example["index.html"] + b"\n"}
    written.unlink()
    write_site(changed, out, spare, processes=2)  # the files that stay are linked, not written
    assert tree(out) == changed
    assert [path.split(".public.new-", 1)[1].split("/", 1)[1] for _, path in map(
        str.split, written.read_text().splitlines())] == ["index.html"]


def test_stopped_while_bringing_the_spare_site_up_to_date_leaves_the_live_one(
    tmp_path: Path, example: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spare site (the one before last) is written into, never the live site, though their files are
    the same files (hard links) wherever the two sites agree."""
    out, spare = tmp_path / "public", tmp_path / "cache" / "previous-site"
    changed = {name: data + b"\n" for name, data in example.items()}
    write_site(example, out, spare)
    write_site(example, out, spare)  # the spare and the live site: the same files, linked
    assert (spare / "index.html").stat().st_ino == (out / "index.html").stat().st_ino
    monkeypatch.setattr(write_module, "write_file", failing_after(len(example) // 2, Stop(), write_module.write_file))
    with pytest.raises(Stop):
        write_site(changed, out, spare)
    assert tree(out) == example and leftovers(out) == []
    monkeypatch.undo()
    write_site(changed, out, spare)  # the next build is whole again
    assert tree(out) == changed


@pytest.mark.parametrize("renames", [0, 1], ids=["before-the-swap", "between-the-two-renames"])
def test_interrupted_during_the_swap_leaves_the_previous_site(
    published: tuple[Path, Tree], example: Tree, monkeypatch: pytest.MonkeyPatch, renames: int
) -> None:
    """The swap is two renames (the old site out, the new one in); stopped between them, the old one
    goes back."""
    out, before = published
    monkeypatch.setattr(write_module.os, "replace", failing_after(renames, KeyboardInterrupt(), os.replace))
    with pytest.raises(KeyboardInterrupt):
        write_site(example, out)
    assert tree(out) == before
    assert leftovers(out) == []


def test_interrupted_right_after_the_swap_leaves_the_whole_new_site(
    published: tuple[Path, Tree], example: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = published
    real = os.replace
    count = 0

    def replace_then_stop(source: Any, target: Any) -> None:
        nonlocal count
        real(source, target)
        count += 1
        if count == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(write_module.os, "replace", replace_then_stop)
    with pytest.raises(KeyboardInterrupt):
        write_site(example, out)
    assert tree(out) == example
    assert leftovers(out) == []


@pytest.mark.parametrize(("error", "status", "message"), [
    (KeyboardInterrupt(), 130, "statuspress: interrupted; nothing was written"),
    (OSError(errno.ENOSPC, "No space left on device"), 1,
     "statuspress: cannot write {out}: No space left on device; {out} is unchanged"),
], ids=["interrupt", "disk-full"])
def test_the_command_reports_a_stopped_build_without_a_traceback(
    published: tuple[Path, Tree], example: Tree, monkeypatch: pytest.MonkeyPatch,
    run: Callable[..., CliResult], error: BaseException, status: int, message: str,
) -> None:
    out, before = published
    monkeypatch.setattr(write_module, "write_file", failing_after(10, error, write_module.write_file))
    result = run("build", "--site", str(ROOT), "--out", str(out), "--now", NOW_TEXT)
    assert (result.code, result.err.splitlines()[-1]) == (status, message.format(out=out.resolve()))
    assert "Traceback" not in result.err
    assert tree(out) == before
    assert leftovers(out) == []


def bench_site() -> Callable[[Path, int], None]:
    spec = importlib.util.spec_from_file_location("build_bench", ROOT / "bench" / "build_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    make: Callable[[Path, int], None] = module.make_site
    return make


def test_a_real_interrupt_at_any_moment_leaves_a_whole_site(tmp_path: Path) -> None:
    """SIGINT at moments spread over a build: the output is always the whole old or the whole new site."""
    site = tmp_path / "site"
    site.mkdir()
    bench_site()(site, 150)
    command = [sys.executable, "-m", "statuspress", "build", "--site", str(site), "--now", NOW_TEXT]
    reference = tmp_path / "reference"
    started = time.monotonic()
    subprocess.run([*command, "--out", str(reference)], check=True, capture_output=True)
    duration = time.monotonic() - started
    new = tree(reference)
    out = tmp_path / "public"
    interrupted = 0
    for step in range(8):
        if out.exists():
            shutil.rmtree(out)
        write_site({"index.html": b"old\n"}, out)
        process = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(duration * (0.3 + 0.1 * step))
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        interrupted += process.returncode != 0
        assert tree(out) in ({"index.html": b"old\n"}, new), (step, process.returncode, err[-500:])
        if process.returncode == 130:
            assert b"Traceback" not in err
    assert interrupted, "no build was interrupted: the moments chosen are all too late"


# --- every notice ends up in the output ----------------------------------------------------------------

def test_the_summary_counts_what_was_read_and_written(example: Tree) -> None:
    outputs, _, summary = build_with_summary(ROOT, NOW)
    assert outputs == example and summary is not None
    notices = len(example_notices())
    assert summary == Summary(
        notices=notices, published=notices,
        pages=sum(name.endswith(".html") for name in example),
        feed_entries=example["feed.atom"].count(b"<entry>"),
        api_records=len([n for n in example if n.startswith(("api/v2/incidents/", "api/v2/scheduled-maintenances/"))
                         and n.rsplit("/", 1)[1] not in ("unresolved.json", "upcoming.json", "active.json")]),
        files=len(example),
        until=NOW,  # an incident is open: the site changes by the minute
    )
    assert summary.feed_entries == notices == summary.api_records


def test_the_summary_line(run: Callable[..., CliResult], tmp_path: Path) -> None:
    early = "2026-11-10T00:00:00Z"  # most example notices are not published yet
    _, problems, summary = build_with_summary(ROOT, datetime.fromisoformat(early))
    assert summary is not None and summary.api_records is not None and 0 < summary.published < summary.notices
    result = run("build", "--site", str(ROOT), "--out", str(tmp_path / "out"), "--now", early)
    assert result.code == 0
    warnings = len(problems)
    assert result.err.splitlines()[-1] == (
        f"statuspress: built {(tmp_path / 'out').resolve()}: {summary.notices} notices read "
        f"({summary.notices - summary.published} not yet published), {summary.pages} pages, "
        f"{summary.feed_entries} feed entries, {summary.api_records} API records; {summary.files} files in all "
        f"(0 errors, {warnings} warning{'s' * (warnings != 1)})"
    )
    assert str(Summary(1, 1, 1, 1, None, 1)) == "1 notice read, 1 page, 1 feed entry, no API; 1 file in all"


HISTORY_SHOWS_ONE = """\
{% extends "base.html" %}
{% block main %}
{% for month, notices in months[:1] %}{% for notice in notices[:1] %}<a href="{{ root }}{{ notice.url_path }}">x</a>
{% endfor %}{% endfor %}
{% endblock %}
"""


def example_notices() -> list[Path]:
    return [*(ROOT / "incidents").glob("*.md"), *(ROOT / "maintenance").glob("*.md")]


def copy_example(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    for name in ("site.yaml", "incidents", "maintenance"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    return root


def test_a_notice_missing_from_the_history_fails_the_build(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "history.html").write_text(HISTORY_SHOWS_ONE)
    outputs, problems = build_site(root, NOW)
    assert outputs is None
    missing = [str(p) for p in problems if p.is_error]
    assert len(missing) == len(example_notices()) - 1  # one is listed
    assert ("incidents/2026-11-12-sign-in-failures.md:1: error: published at incidents/2026-11-12-sign-in-failures/ "
            "but missing from the history pages; nothing was written; a template override "
            "(templates/history.html?) or a bug left it out") in missing


def without(outputs: dict[str, bytes], *names: str) -> dict[str, bytes]:
    return {name: data for name, data in outputs.items() if name not in names}


@pytest.mark.parametrize("part", ["feed", "api"])
def test_a_notice_missing_from_the_feed_or_the_api_fails_the_build(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    real_feeds, real_api = build_module.feed_files, build_module.api_files
    webhooks = "incidents/2026-11-24-delayed-webhooks/"

    def feeds(*args: Any) -> dict[str, bytes]:
        files = real_feeds(*args)
        feed = files["feed.atom"]
        start = feed.rindex(b"<entry>", 0, feed.index(webhooks.encode()))
        end = feed.index(b"</entry>", start) + len(b"</entry>")
        assert webhooks.encode() in feed[start:end]
        return {**files, "feed.atom": feed[:start] + feed[end:]}

    def api(site: Site, now: datetime) -> dict[str, bytes]:
        files = real_api(site, now)
        notice = next(n for n in site.incidents if n.url_path == webhooks)
        assert api_record(notice) in files
        return without(files, api_record(notice))

    monkeypatch.setattr(build_module, "feed_files" if part == "feed" else "api_files", feeds if part == "feed" else api)
    outputs, problems = build_site(ROOT, NOW)
    assert outputs is None
    [problem] = [p for p in problems if p.is_error]
    assert problem.path == "incidents/2026-11-24-delayed-webhooks.md"
    assert problem.message.startswith(f"published at {webhooks} but missing from ")
    assert problem.message.endswith("feed.atom" if part == "feed" else ".json")


def test_a_build_without_an_api_is_not_refused_for_it(monkeypatch: pytest.MonkeyPatch, example: Tree) -> None:
    """The check tolerates a missing API only when api_files returns nothing at all."""
    monkeypatch.setattr(build_module, "api_files", lambda *_: {})
    outputs, problems, summary = build_with_summary(ROOT, NOW)
    assert outputs == without(example, *(n for n in example if n.startswith("api/")))
    assert summary is not None and summary.api_records is None
    assert "no API" in str(summary)


def test_a_feed_that_cannot_be_read_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    real = build_module.feed_files
    monkeypatch.setattr(build_module, "feed_files", lambda *args: {**real(*args), "feed.atom": b"<feed"})
    outputs, problems = build_site(ROOT, NOW)
    assert outputs is None
    assert len([p for p in problems if p.is_error]) == len(example_notices())  # all published at NOW
