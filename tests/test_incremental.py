"""Incremental builds: the cache never changes a byte of the output, and unchanged files are not rewritten."""

from __future__ import annotations

import enum
import gc
import os
import pickle
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, ROOT, generate_site
from statuspress import build as build_module
from statuspress import cache, parallel, reuse, status
from statuspress import load as load_module
from statuspress import write as write_module
from statuspress.build import build_site, build_with_summary, notice_pages
from statuspress.load import load_notice, load_site
from statuspress.write import write_site


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(
        "_site", ".statuspress-cache", ".git", ".venv", "node_modules", "src", "tests", "bench", "docs", "*.egg-info"))
    return root


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    root = tmp_path / "generated"
    root.mkdir()
    generate_site(root, 60)
    return root


@pytest.mark.parametrize("name", ["example", "generated"])
def test_a_cached_build_is_byte_identical_to_a_cold_one(name: str, request: pytest.FixtureRequest) -> None:
    root: Path = request.getfixturevalue(name)
    folder = root / cache.FOLDER
    cold, problems = build_site(root, NOW)
    assert cold is not None, [str(p) for p in problems]
    first, _ = build_site(root, NOW, folder)  # fills the cache
    assert (folder / cache.FILE).is_file()
    store = cache.BuildCache(folder)
    assert store._old_notices and store._old_markdown  # it was read back
    # the scheduled publish (only `now` changes), then notices ending, starting, and a build back in time
    for now in (NOW, NOW + timedelta(hours=3), NOW + timedelta(days=10), NOW - timedelta(days=10), NOW):
        warm, _ = build_site(root, now, folder)
        assert warm == build_site(root, now)[0], now
    assert first == cold


def test_when_only_now_changes_settled_notices_are_not_rendered_again(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    rendered: list[str] = []
    real = jinja2.Template.render

    def render(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        rendered.append(self.name or "")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", render)
    later = NOW + timedelta(minutes=10)
    warm, _ = build_site(generated, later, folder)
    site, _ = load_site(generated)
    assert warm is not None and site is not None
    live = [n for n in (*site.incidents, *site.maintenance) if status.settled_at(n, later) is None]
    assert len(live) < 10 < len(site.incidents)  # most of the history is settled
    # only the live notices' pages and feed entries, the home page, each component's first page, the
    # history pages that show a live notice and the pages made for each build (404, badges, embeds)
    assert rendered.count("incident.html") + rendered.count("maintenance.html") == len(live)
    assert rendered.count("feed_entry.html") == len(live)
    assert rendered.count("history.html") == 1
    assert rendered.count("component.html") == len(site.config.components)
    monkeypatch.undo()
    assert warm == build_site(generated, later)[0]


def test_an_edited_notice_is_read_again(generated: Path) -> None:
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    notice = sorted((generated / "incidents").iterdir())[0]
    notice.write_text(notice.read_text().replace("title: Incident", "title: Edited incident", 1))
    warm, _ = build_site(generated, NOW, folder)
    assert warm == build_site(generated, NOW)[0]
    assert warm is not None and any(b"Edited incident" in data for data in warm.values())


def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notice files builds read from now on."""
    reads: list[str] = []
    real = load_module.read_file
    monkeypatch.setattr(load_module, "read_file", lambda path: reads.append(Path(path).name) or real(path))
    return reads


def test_notice_files_untouched_since_the_last_build_are_not_read_again(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written a moment ago: trust their times at once
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    reads = counted_reads(monkeypatch)
    warm, _ = build_site(generated, NOW + timedelta(minutes=10), folder)
    assert reads == [] and warm == build_site(generated, NOW + timedelta(minutes=10))[0]
    # the same size and modification time, but written: its change time tells
    notice = sorted((generated / "incidents").iterdir())[0]
    before = notice.stat()
    notice.write_text(notice.read_text().replace("title: Incident", "title: Incidenx", 1))
    os.utime(notice, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    warm, _ = build_site(generated, NOW + timedelta(minutes=20), folder)
    assert reads == [notice.name] and warm is not None and any(b"Incidenx" in data for data in warm.values())
    assert warm == build_site(generated, NOW + timedelta(minutes=20))[0]


def test_a_notice_file_changed_just_before_a_build_is_read_again_by_the_next(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second change within the same tick of the clock could leave its times as they were (git's racy files)."""
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    reads = counted_reads(monkeypatch)
    build_site(generated, NOW, folder)
    files = [*(generated / "incidents").iterdir(), *(generated / "maintenance").iterdir()]
    assert len(reads) == len(files)


def test_a_build_that_adds_little_writes_a_delta_and_not_the_whole_cache(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "DELTA_SHARE", 0.5)  # 60 notices: one edit changes a tenth of what is kept
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    whole = cache.stamp(folder / cache.FILE)
    assert whole and not (folder / cache.DELTA).exists()
    notice = sorted((generated / "incidents").iterdir())[0]
    notice.write_text(notice.read_text().replace("title: Incident", "title: Delta incident", 1))
    cache._last = None  # as a new process would: read the files
    warm, _ = build_site(generated, NOW, folder)
    assert cache.stamp(folder / cache.FILE) == whole and (folder / cache.DELTA).is_file()
    assert warm is not None and any(b"Delta incident" in data for data in warm.values())
    cache._last = None
    store = cache.BuildCache(folder)
    titles = [loaded[0].title for loaded in store._old_notices.values() if loaded[0] is not None]
    assert any(title.startswith("Delta incident") for title in titles)
    assert build_site(generated, NOW, folder)[0] == warm == build_site(generated, NOW)[0]
    # a delta to another cache file is not read
    (folder / cache.FILE).unlink()
    cache._last = None
    assert cache.BuildCache(folder)._old_notices == {}
    # much changed: the whole file is written anew, and the delta goes
    build_site(generated, NOW, folder)
    notice.write_text(notice.read_text().replace("title: Delta incident", "title: Whole incident", 1))
    monkeypatch.setattr(cache, "DELTA_SHARE", 0.0)
    build_site(generated, NOW, folder)
    assert (folder / cache.FILE).is_file() and not (folder / cache.DELTA).exists()


def test_the_cache_is_read_back_on_a_python_that_pickles_enums_by_name(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.11.0 to 3.11.3 (Debian 12's python3 is 3.11.2) pickle an enum member as getattr(Kind, "INCIDENT"),
    # which the cache's unpickler refuses: a cache so written was never read. The model's enums pickle as
    # their values on every Python (model.Word).
    monkeypatch.setattr(enum.Enum, "__reduce_ex__", lambda self, protocol: (getattr, (type(self), self._name_)))
    folder = generated / cache.FOLDER
    cold, _ = build_site(generated, NOW, folder)
    cache._last = None  # as a new process would: read the file
    store = cache.BuildCache(folder)
    files = [*(generated / "incidents").iterdir(), *(generated / "maintenance").iterdir()]
    assert len(store._old_notices) == len(files) and store._old_outputs
    assert build_site(generated, NOW, folder)[0] == cold


def test_a_changed_configuration_is_not_served_from_the_cache(generated: Path) -> None:
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    config = generated / "site.yaml"
    config.write_text(config.read_text().replace("name: Component 3,", "name: Renamed component,"))
    warm, _ = build_site(generated, NOW, folder)
    assert warm == build_site(generated, NOW)[0]


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05garbage",
                                     pickle.dumps(("0.0.0", cache.FORMAT, {}, {}))])
def test_a_broken_or_old_cache_is_ignored(generated: Path, content: bytes) -> None:
    folder = generated / cache.FOLDER
    folder.mkdir()
    (folder / cache.FILE).write_bytes(content)
    assert build_site(generated, NOW, folder)[0] == build_site(generated, NOW)[0]


def test_a_planted_cache_cannot_run_code(generated: Path, tmp_path: Path) -> None:
    class Planted:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(tmp_path / "pwned"),))

    folder = generated / cache.FOLDER
    folder.mkdir()
    (folder / cache.FILE).write_bytes(pickle.dumps(("x", Planted())))
    build_site(generated, NOW, folder)
    assert not (tmp_path / "pwned").exists()


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site({"same.html": b"same\n", "changed.html": b"before\n", "gone.html": b"x"}, out)
    before = {name: (out / name).stat() for name in ("same.html", "changed.html")}
    write_site({"same.html": b"same\n", "changed.html": b"after\n", "new.html": b"new\n"}, out)
    assert (out / "same.html").stat().st_ino == before["same.html"].st_ino
    assert (out / "same.html").stat().st_mtime_ns == before["same.html"].st_mtime_ns
    assert (out / "changed.html").stat().st_ino != before["changed.html"].st_ino
    assert (out / "changed.html").read_bytes() == b"after\n"
    assert sorted(p.name for p in out.iterdir()) == ["changed.html", "new.html", "same.html"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", ["example", "generated"])
def test_the_written_site_is_the_cold_build_at_every_now(name: str, request: pytest.FixtureRequest) -> None:
    # The writer trusts a file made from the same parts (reuse.tagged) as the live one: a tag that misses a
    # part (a component's status in each API file, the page's time) would leave a stale file behind.
    root: Path = request.getfixturevalue(name)
    out, folder = root / "_site", root / cache.FOLDER
    for now in (NOW - timedelta(days=10), NOW - timedelta(days=6), NOW, NOW + timedelta(hours=3),
                NOW + timedelta(days=10), NOW):
        written, problems, _ = build_with_summary(root, now, folder, processes=2, write=lambda outputs: write_site(
            outputs, out, spare=folder / "previous-site", processes=2))
        assert written == {}, [str(p) for p in problems]
        assert tree(out) == build_site(root, now)[0], now


def _edit(root: Path, edit: str, now: timedelta) -> None:
    """One of the edits an on-call engineer makes, at `NOW + now` (test_a_history_of_edits_…)."""
    at = (NOW + now - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M UTC")
    webhooks = root / "incidents/2026-11-24-delayed-webhooks.md"
    dashboard = root / "incidents/2026-10-29-dashboard-slow.md"
    if edit == "update" and webhooks.exists():
        text = webhooks.read_text(encoding="utf-8")
        head, _, rest = text.partition("\n## ")
        webhooks.write_text(f"{head}\n## Update · {at}\nStill working on it.\n\n## {rest}", encoding="utf-8")
    elif edit == "resolve" and webhooks.exists():
        text = webhooks.read_text(encoding="utf-8")
        head, _, rest = text.partition("\n## ")
        webhooks.write_text(f"{head}\n## Resolved · {at}\nFixed.\n\n## {rest}", encoding="utf-8")
    elif edit == "retitle":
        dashboard.write_text(dashboard.read_text(encoding="utf-8").replace("title: ", "title: Again, ", 1),
                             encoding="utf-8")
    elif edit == "delete":
        (root / "incidents/2026-11-12-sign-in-failures.md").unlink(missing_ok=True)
    elif edit == "plan":
        start, end, announced = NOW + now + timedelta(hours=2), NOW + now + timedelta(hours=3), NOW + now
        (root / f"maintenance/{start:%Y-%m-%d-%H%M}-patch.md").write_text(
            f"---\ntitle: Patching\nwindow: {{start: {start:%Y-%m-%dT%H:%M}Z, end: {end:%Y-%m-%dT%H:%M}Z}}\n"
            f"components: {{api: under_maintenance}}\nannounced: {announced:%Y-%m-%dT%H:%M}Z\n"
            "---\nA short patch.\n", encoding="utf-8")


@settings(max_examples=12, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(min_value=-24 * 40, max_value=24 * 12).map(lambda h: timedelta(hours=h)),
                                st.sampled_from(["none", "update", "resolve", "retitle", "delete", "plan"])),
                      min_size=2, max_size=5))
def test_a_history_of_edits_and_publishes_writes_the_cold_build_each_time(
        tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[timedelta, str]]) -> None:
    # Every output a build reuses (settled notices, their lines, pages, feeds, API objects) and every
    # file the writer trusts must be what a cold build makes, whatever came before.
    root = tmp_path_factory.mktemp("history") / "site"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(
        "_site", ".statuspress-cache", ".git", ".venv", "node_modules", "src", "tests", "bench", "docs", "*.egg-info"))
    out, folder = root / "_site", root / cache.FOLDER
    for now, edit in steps:
        _edit(root, edit, now)
        written, problems, _ = build_with_summary(root, NOW + now, folder, write=lambda outputs: write_site(
            outputs, out, spare=folder / "previous-site"))
        assert written == {}, [str(p) for p in problems]
        assert tree(out) == build_site(root, NOW + now)[0], (now, edit)


def test_the_previous_site_is_kept_as_a_spare_and_brought_up_to_date(tmp_path: Path) -> None:
    """A rebuild updates the site before last in place (no folder made anew) and never touches the live one."""
    out, spare = tmp_path / "public", tmp_path / "cache" / "previous-site"
    sites = [
        {"index.html": b"1\n", "incidents/a/index.html": b"a\n", "incidents/b/index.html": b"b\n"},
        {"index.html": b"2\n", "incidents/a/index.html": b"a\n", "incidents/c/index.html": b"c\n"},
        {"index.html": b"3\n", "incidents/a/index.html": b"a2\n", "incidents/c/index.html": b"c\n", "x.html": b"x"},
        {"index.html": b"4\n", "incidents/c/index.html": b"c\n"},
    ]
    write_site(sites[0], out, spare)
    assert tree(out) == sites[0] and not spare.exists()
    for number, outputs in enumerate(sites[1:], start=1):
        live = {name: (out / name).stat() for name in sites[number - 1]}
        write_site(outputs, out, spare)
        assert tree(out) == outputs  # whole, without stale files or folders
        assert tree(spare) == sites[number - 1]  # the site it replaced, as it was
        assert not (out / "incidents" / "b").exists()
        for name, data in outputs.items():
            if sites[number - 1].get(name) == data:  # unchanged: the same file, not written again
                assert (out / name).stat().st_ino == live[name].st_ino
    outside = tmp_path / "outside"
    outside.mkdir()
    (spare / "incidents").rename(tmp_path / "moved")
    (spare / "incidents").symlink_to(outside)  # a planted link must not lead the build out of the folder
    write_site(sites[0], out, spare)
    assert tree(out) == sites[0] and list(outside.iterdir()) == []


def test_a_file_name_the_manifest_cannot_hold_leaves_no_manifest(tmp_path: Path) -> None:
    # One line per file, fields split by tabs: a name with a tab or a line break would be misread.
    out, spare = tmp_path / "public", tmp_path / "cache" / "previous-site"
    sites = [{"index.html": b"1\n", "odd\tname.html": b"x\n"}, {"index.html": b"2\n", "odd\tname.html": b"y\n"},
             {"index.html": b"3\n"}]
    for files in sites:
        write_site(files, out, spare)
        assert tree(out) == files
        assert not (spare.parent / write_module.MANIFEST).exists() or "odd\tname.html" not in files
    assert (spare.parent / write_module.MANIFEST).exists()  # once the names allow it again


def test_a_rebuild_neither_reads_files_made_from_the_same_parts_nor_walks_the_spare(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest beside the spare says what the live site's files were made from and what the spare holds."""
    out, spare = tmp_path / "public", tmp_path / "cache" / "previous-site"
    settled = {f"incidents/{n}/index.html": reuse.tagged(f"settled {n}\n".encode(), f"key {n}") for n in range(5)}
    sites = [{"index.html": b"1\n", **settled}, {"index.html": b"2\n", **settled},
             {"index.html": b"3\n", **settled, "incidents/5/index.html": b"new\n"}]
    write_site(sites[0], out, spare)
    write_site(sites[1], out, spare)
    opened: list[str] = []
    walked: list[str] = []
    real_open, real_walk = open, os.walk
    monkeypatch.setattr(write_module, "open", raising=False,
                        value=lambda name, *a, **k: opened.append(str(name)) or real_open(name, *a, **k))
    monkeypatch.setattr(write_module.os, "walk", lambda top, *a, **k: walked.append(top) or real_walk(top, *a, **k))
    asked: list[str] = []  # whether the spare already links a file: the manifest knows its inodes
    real_same = write_module._same_file
    monkeypatch.setattr(write_module, "_same_file", lambda found, path: asked.append(path) or real_same(found, path))
    write_site(sites[2], out, spare)
    assert tree(out) == sites[2] and tree(spare) == sites[1] and walked == [] and asked == []
    assert [Path(name).relative_to(out).as_posix() for name in opened if name.startswith(f"{out}/")] == ["index.html"]
    # a live file changed in place, to the same size, is read and replaced: its times changed
    (out / "incidents/0/index.html").write_bytes(b"tampered!\n")  # as long as "settled 0\n"
    opened.clear()
    write_site(sites[2], out, spare)
    assert tree(out) == sites[2] and any(name.endswith("incidents/0/index.html") for name in opened)
    # a manifest naming files outside the site is not followed
    manifest = spare.parent / write_module.MANIFEST
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    with manifest.open("a") as file:
        file.write("S\t../victim.txt\n")  # from the folder the spare becomes
    write_site(sites[0], out, spare)
    assert tree(out) == sites[0] and victim.read_text() == "keep me"


def test_a_parallel_cold_build_is_byte_identical_to_a_sequential_one(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MINIMUM", 10)  # 60 notices: share them out as a long history would be
    monkeypatch.setattr(parallel, "CHUNK", 7)
    made: list[int] = []
    real = parallel.prepare
    monkeypatch.setattr(build_module, "prepare", lambda *args: made.append(real(*args)) or made[-1])
    makers = generated.parent / "makers"  # the processes that made the feeds, API and badges
    rest = build_module._feeds_api_badges

    def noted(*args: Any) -> dict[str, bytes]:
        with makers.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return rest(*args)

    monkeypatch.setattr(build_module, "_feeds_api_badges", noted)
    sequential, _, _ = build_with_summary(generated, NOW)
    assert made == [0]  # one process: nothing made in workers
    shared, _, _ = build_with_summary(generated, NOW, processes=2)
    assert made[1] > 50  # every settled notice was made in a worker
    assert shared == sequential
    here, aside = map(int, makers.read_text().split())
    assert here == os.getpid() != aside  # the feeds, API and badges of a long history: beside the pages
    folder = generated / cache.FOLDER
    kept: list[str] = []  # notices read in workers (a build with a cache only), then kept in it
    keep = cache.BuildCache.keep_notice
    monkeypatch.setattr(cache.BuildCache, "keep_notice",
                        lambda self, key, found: kept.append(key) or keep(self, key, found))
    shared_out: list[str] = []  # the work handed to workers, in order
    share_out = parallel._share_out
    monkeypatch.setattr(parallel, "_share_out", lambda jobs, work, processes: shared_out.append(work.__name__)
                        or share_out(jobs, work, processes))
    cached, _, _ = build_with_summary(generated, NOW, folder, processes=2)  # into the cache, then from it
    assert made[2] > 50 and cached == sequential
    assert shared_out == ["_read"]  # the workers reading the files made the settled notices as they went
    assert len(kept) == 60  # the 60 incidents; the 3 maintenance files are too few to share out
    makers.unlink()
    again, _, _ = build_with_summary(generated, NOW + timedelta(hours=1), folder, processes=2)
    assert made[3] == 0 and again == build_site(generated, NOW + timedelta(hours=1))[0]
    # with few pages to render (the workers made none), the feeds, API and badges are made here
    assert makers.read_text().split() == [str(os.getpid())] * 2
    # what was kept out of the garbage collector's sight for the build is back in it (`serve` goes on)
    assert gc.get_freeze_count() == 0


def test_a_broken_template_in_a_build_shared_out_is_a_located_error(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The workers that make settled notices meet the error first: the build then makes them itself, and
    # reports it as a one-process build does, not as a traceback.
    monkeypatch.setattr(parallel, "MINIMUM", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    (generated / "templates").mkdir()
    (generated / "templates" / "incident.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}{{ notice.title }{% endblock %}\n", encoding="utf-8")
    for folder in (generated / cache.FOLDER, None):  # the reading workers make them; without a cache, `prepare`'s
        outputs, problems, _ = build_with_summary(generated, NOW, folder, processes=2)
        assert outputs is None
        assert [str(p) for p in problems if p.is_error] == [
            "templates/incident.html:2: error: template error: unexpected '}'"]
    assert parallel.multiprocessing.active_children() == []


def test_notice_files_read_in_workers_are_parsed_there_only_when_the_cache_lacks_them(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MINIMUM", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    parsed = generated.parent / "parsed"  # by worker processes, which cannot tell the test otherwise
    parse = parallel.load_notice

    def noted(data: bytes, path: str, *args: Any) -> Any:
        with parsed.open("a") as file:
            file.write(f"{os.getpid()} {path}\n")
        return parse(data, path, *args)

    monkeypatch.setattr(parallel, "load_notice", noted)
    folder = generated / cache.FOLDER
    cold, _, _ = build_with_summary(generated, NOW, folder, processes=2)
    lines = parsed.read_text().splitlines()
    assert len(lines) == 60 and os.getpid() not in {int(line.split()[0]) for line in lines}
    for path in generated.glob("incidents/*.md"):  # a fresh checkout: every file is new to the cache
        path.touch()
    parsed.unlink()
    checkout, _, _ = build_with_summary(generated, NOW, folder, processes=2)
    assert checkout == cold == build_site(generated, NOW)[0] and not parsed.exists()  # read, found in the cache
    unreadable = sorted(generated.glob("incidents/*.md"))[7]
    unreadable.write_text("---\ntitle: Changed\n---\n")  # and unreadable: no other problem reported
    real = load_module.read_file
    monkeypatch.setattr(load_module, "read_file", lambda path: real("/nonexistent/") if path == str(unreadable)
                        else real(path))
    outputs, problems, _ = build_with_summary(generated, NOW, folder, processes=2)
    assert outputs is None and [str(p) for p in problems if p.is_error] == [
        f"incidents/{unreadable.name}:1: error: cannot read the file: No such file or directory"]


def test_a_build_that_works_aside_keeps_in_its_cache_what_one_process_keeps(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the second process looked up or made (the settled notices' API objects, feed entries…) is kept
    for the next build as if the build had looked it up or made it itself."""
    monkeypatch.setattr(parallel, "MINIMUM", 10)
    one, two = generated / cache.FOLDER, tmp_path / "two"
    build_with_summary(generated, NOW, one)
    shutil.copytree(one, two)
    later = NOW + timedelta(minutes=10)
    alone, _, _ = build_with_summary(generated, later, one)
    prepare = parallel.prepare  # a rebuild makes no notice in workers: as if it had, to work aside
    monkeypatch.setattr(build_module, "prepare", lambda *args: prepare(*args) or parallel.MINIMUM)
    makers = tmp_path / "makers"
    rest = build_module._feeds_api_badges

    def noted(*args: Any) -> dict[str, bytes]:
        makers.write_text(f"{os.getpid()}")
        return rest(*args)

    monkeypatch.setattr(build_module, "_feeds_api_badges", noted)
    beside, _, _ = build_with_summary(generated, later, two, processes=2)
    assert beside == alone and int(makers.read_text()) != os.getpid()

    def kept(folder: Path) -> tuple[set[Any], set[Any], set[Any]]:
        found = cache.BuildCache(folder)
        return set(found._old_notices), set(found._old_markdown), set(found._old_outputs)

    assert kept(two) == kept(one)


def test_a_rebuild_checks_the_history_pages_it_did_not_render_again_by_what_they_linked_to(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every published notice must be linked from the history: a page made from the same parts as in the
    last build links to the same notices, kept in the cache rather than found again in the page."""
    (generated / "site.yaml").write_text((generated / "site.yaml").read_text() + "history_per_page: 10\n")
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    read: list[str] = []
    links = build_module._links
    monkeypatch.setattr(build_module, "_links", lambda url, name, data: read.append(name) or links(url, name, data))
    later = NOW + timedelta(minutes=10)
    outputs, problems = build_site(generated, later, folder)
    assert outputs is not None and not [p for p in problems if p.is_error]
    pages = sorted(name for name in outputs if name.startswith("history/"))
    assert len(pages) > 5 and read == ["history/index.html"]  # the first page shows what is open: made again
    assert outputs == build_site(generated, later)[0]


def test_what_is_made_aside_comes_back_with_what_it_used_from_the_cache_and_tagged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = cache.BuildCache(tmp_path)
    old = b"from the last build"
    store._old_outputs["old"] = old
    monkeypatch.setattr(reuse, "store", store)
    monkeypatch.setattr(parallel, "SEND", 2)  # five files: sent in three parts

    def work() -> dict[str, bytes]:
        made = reuse.reused_as("kept", lambda: b"made and kept")  # kept in the store, tagged
        reuse.reused_as("old", lambda: b"not made again")  # carried over from the last build
        return {"a": made, "b": reuse.tagged(b"tagged", "b-key"), "c": b"plain", "d": b"", "pid": b"%d" % os.getpid()}

    with parallel.aside(work, 2, parallel.MINIMUM) as made:
        files = made()
    assert files.pop("pid") != b"%d" % os.getpid()
    assert files == {"a": b"made and kept", "b": b"tagged", "c": b"plain", "d": b""}
    assert store.outputs == {"kept": b"made and kept", "old": old}
    assert store.outputs["kept"] is files["a"] and store.outputs["old"] is old  # sent once; not sent
    assert [reuse.tag(files[name]) for name in "abcd"] == ["kept", "b-key", None, None]
    with parallel.aside(work, 1, parallel.MINIMUM) as made:  # one process: made here
        assert made()["pid"] == b"%d" % os.getpid()
    with parallel.aside(work, 2, parallel.MINIMUM - 1) as made:  # too small to be worth a process
        assert made()["pid"] == b"%d" % os.getpid()


def test_an_error_made_aside_is_raised_here_and_an_unwanted_process_is_stopped() -> None:
    calls: list[int] = []

    def failing() -> dict[str, bytes]:
        calls.append(os.getpid())  # only what happens here is seen here
        raise jinja2.TemplateError("undefined")

    with pytest.raises(jinja2.TemplateError, match="undefined"), parallel.aside(failing, 2, parallel.MINIMUM) as made:
        made()
    assert calls == [os.getpid()]  # once here, after the process failed
    with parallel.aside(lambda: {"a": b"x" * 10_000_000}, 2, parallel.MINIMUM):
        pass  # stopped before asking: the process, blocked sending, is not left behind
    assert parallel.multiprocessing.active_children() == []


def test_a_process_that_builds_again_takes_over_its_last_cache_without_reading_it(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` rebuilds on every save: the cache file it just wrote is not read back, unless changed since."""
    folder = generated / cache.FOLDER
    build_site(generated, NOW, folder)
    reads: list[int] = []
    real = cache._Unpickler.load
    monkeypatch.setattr(cache._Unpickler, "load", lambda self: reads.append(1) or real(self))
    warm, _ = build_site(generated, NOW + timedelta(minutes=10), folder)
    assert reads == [] and warm == build_site(generated, NOW + timedelta(minutes=10))[0]
    (folder / cache.FILE).write_bytes(b"planted")  # changed by someone else: read it (and ignore it)
    again, _ = build_site(generated, NOW, folder)
    assert reads == [1] and again == build_site(generated, NOW)[0]


@pytest.mark.parametrize("name", ["example", "generated"])
def test_the_pages_made_first_for_serve_are_those_of_the_full_build(name: str, request: pytest.FixtureRequest) -> None:
    root: Path = request.getfixturevalue(name)
    full, _ = build_site(root, NOW)
    site, _ = load_site(root)
    assert full is not None and site is not None
    notices = [*site.incidents, *site.maintenance]
    assert any(status.settled_at(n, NOW) is None for n in notices) and any(status.settled_at(n, NOW) for n in notices)
    for notice in notices:
        pages = notice_pages(root, NOW, [notice.path], root / cache.FOLDER)
        if not status.is_published(notice, NOW):
            assert pages is None
            continue
        assert pages == {notice.url_path + "index.html": full[notice.url_path + "index.html"]}, notice.path
    assert notice_pages(root, NOW, ["incidents/gone.md"]) is None
    broken = root / "incidents" / "broken.md"
    broken.write_text("---\ntitle: Broken\nimpact: huge\n---\n## Investigating · 2026-11-24 10:00 UTC\nx\n")
    assert notice_pages(root, NOW, ["incidents/broken.md"]) is None


def test_after_a_build_the_pages_made_first_read_only_the_saved_files(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` built the site a moment ago: the pages of the saved notices are made from that build's site,
    with only those files read again, and are the pages the next full build makes."""
    build_site(generated, NOW)
    saved = sorted((generated / "incidents").iterdir())[-1]
    path = f"incidents/{saved.name}"
    saved.write_text(saved.read_text().replace("title: Incident", "title: Saved incident", 1))
    reads: list[str] = []
    real = load_notice

    def counted(data: bytes, name: str, *args: Any) -> Any:
        reads.append(name)
        return real(data, name, *args)

    monkeypatch.setattr(build_module, "load_notice", counted)
    pages = notice_pages(generated, NOW, [path])
    assert reads == [path]
    monkeypatch.undo()
    full, _ = build_site(generated, NOW)
    assert pages is not None and full is not None and b"Saved incident" in next(iter(pages.values()))
    assert all(full[name] == data for name, data in pages.items())
    text = saved.read_text()
    saved.write_text(text.replace("impact: minor", "impact: huge"))  # wrong: the full build refuses it
    assert notice_pages(generated, NOW, [path]) is None
    site, _ = load_site(generated)
    assert site is not None
    taken = next(n.id for n in site.incidents if n.path != path)
    saved.write_text(text.replace("---\n", f"---\nid: {taken}\n", 1))  # another notice's id: refused too
    assert notice_pages(generated, NOW, [path]) is None and build_site(generated, NOW)[0] is None
    saved.write_text(text)
    config = generated / "site.yaml"
    config.write_text(config.read_text().replace("name: Bench Status", "name: Renamed Status"))
    saved.write_text(saved.read_text().replace("title: Incident", "title: Saved again", 1))
    pages = notice_pages(generated, NOW, [path])  # site.yaml changed since: everything is read again
    assert pages is not None and b"Renamed Status" in next(iter(pages.values()))
