"""A rebuild when nothing but `now` changed (quiet.py): the last build's files with the new time, byte for byte
what a full build makes, and a full build whenever anything else may have changed."""

from __future__ import annotations

import dataclasses
import shutil
import typing
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, ROOT, SITE_YAML, generate_site
from statuspress import asof, build, cache, quiet, status
from statuspress.build import build_site, build_with_summary
from statuspress.model import Incident, Maintenance, Postmortem, Reschedule, Update, Window

SITE = "_site"
CACHE = cache.FOLDER


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's site of 60 incidents and 3 maintenance: at NOW, none open."""
    root = tmp_path_factory.mktemp("quiet") / "site"
    root.mkdir()
    generate_site(root, 60)
    return root


def restamped(root: Path, now: datetime, later: datetime) -> tuple[dict[str, bytes], dict[str, bytes], datetime]:
    """The files of a build at `now`, those that change at `later` as quiet.py makes them, and `until`."""
    outputs, problems, summary = build_with_summary(root, now)
    assert outputs is not None and summary is not None and summary.until is not None, [str(p) for p in problems]
    assert summary.config is not None
    marks = asof.marks(summary.config.language, summary.config.zone, later)
    return outputs, {name: asof.filled(data, marks) for name, data in summary.stamped.items()}, summary.until


# --- until: the site shows the same but for the time ---------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(minutes=st.integers(min_value=-20 * 24 * 60, max_value=3 * 24 * 60), share=st.fractions(0, 1))
def test_before_until_a_full_build_is_the_last_one_with_the_new_time(generated: Path, minutes: int,
                                                                      share: Fraction) -> None:
    now = NOW + timedelta(minutes=minutes)
    outputs, _, until = restamped(generated, now, now)
    assert until >= now
    later = min(now + (until - now) * float(share), until - timedelta(microseconds=1)) if until > now else now
    _, changed, _ = restamped(generated, now, later)
    full, problems = build_site(generated, later)
    assert full is not None, [str(p) for p in problems]
    assert full == {**outputs, **changed}, later


def test_a_settled_site_stays_the_same_until_the_day_turns_in_its_zone(generated: Path) -> None:
    outputs, changed, until = restamped(generated, NOW, NOW)
    assert until == datetime(2026, 11, 24, 23, tzinfo=UTC)  # midnight in Europe/Rome, the site's zone
    assert {**outputs, **changed} == outputs  # at NOW itself, the same files
    assert sorted(changed) == sorted([
        "404.html", "embed/notice.html", "embed/notice.json", "history/index.html", "index.html",
        "maintenance/2026-11-26-maintenance-0/index.html",  # upcoming: live
        *(f"components/c{n}/index.html" for n in range(40))])
    # at `until`, the uptime bars move on a day: more than the time changes
    _, moved, _ = restamped(generated, NOW, until)
    assert build_site(generated, until)[0] != {**outputs, **moved}


def test_the_stretch_ends_when_an_availability_figure_rises(site: Callable[..., Path]) -> None:
    root = site({"incidents/2026-11-24-outage.md": OUTAGE}, config=SITE_YAML.replace(
        "{id: api, name: API}", "{id: api, name: API, since: 2026-11-24}"))
    outputs, changed, until = restamped(root, NOW, NOW)
    # down 1 hour of the 13 since the day began in Rome: 92.30 %; 92.31 % once 36,000,000 / 769 s have passed
    assert b"<strong>92.30%</strong>" in outputs["components/api/index.html"]
    assert until == datetime(2026, 11, 23, 23, tzinfo=UTC) + timedelta(microseconds=36_000_000 * 10**6 // 769)
    _, just_before, _ = restamped(root, NOW, until - timedelta(microseconds=1))
    assert build_site(root, until - timedelta(microseconds=1))[0] == {**outputs, **just_before}
    after = build_site(root, until + timedelta(microseconds=1))[0]
    assert after is not None and b"<strong>92.31%</strong>" in after["components/api/index.html"]


OUTAGE = """---
title: API down
impact: major
components: {api: major_outage}
---
The API was down.

## Resolved · 2026-11-24 11:00 UTC
Fixed.

## Investigating · 2026-11-24 10:00 UTC
Down.
"""


@pytest.mark.parametrize(("down", "stretch"), [(600, 7 * 86400), (3600 * 5, 30 * 86400), (1000, 86400),
                                               (3 * 86400, 90 * 86400), (1, 3)])
def test_next_figure_is_when_the_availability_figure_rises(down: int, stretch: int) -> None:
    start = NOW - timedelta(seconds=stretch)

    def figure(at: datetime) -> str:
        share = 1 - Fraction(down) / status._seconds(at - start)
        return status.percent(share)

    history = status.Uptime((), start, NOW, 1 - Fraction(down, stretch))
    until = status.next_figure(history)
    assert until is not None and until > NOW
    assert figure(until - timedelta(microseconds=1)) == figure(NOW)
    assert figure(until + timedelta(microseconds=1)) != figure(NOW)


def test_next_figure_is_none_when_the_figure_cannot_rise() -> None:
    start = NOW - timedelta(days=90)
    assert status.next_figure(status.Uptime((), start, NOW, Fraction(1))) is None
    assert status.next_figure(status.Uptime((), start, NOW, None)) is None
    assert status.next_figure(status.Uptime((), start, NOW, Fraction(99995, 100000))) is None  # 99.99: no higher


def _datetimes(value: object) -> Iterator[datetime]:
    if isinstance(value, datetime):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _datetimes(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _datetimes(getattr(value, field.name))


def test_moments_names_every_moment_of_the_model() -> None:
    at = iter(NOW + timedelta(minutes=n) for n in range(100))

    def every(cls: type) -> dict[str, object]:
        """A value for each field of `cls` that holds a moment, each moment a different one."""
        values: dict[str, object] = {}
        for name, hint in typing.get_type_hints(cls).items():
            text = str(hint)
            if "datetime" in text and "tuple" not in text:
                values[name] = next(at)
        return values

    update = Update("update", next(at), "", 1)
    incident = Incident(**{**dict(kind=None, slug="a", path="a", title="a", components=(), summary="",
                                  updates=(update,), impact=None), **every(Incident),
                           "postmortem": Postmortem("", 1, next(at))})  # type: ignore[arg-type]
    window = Window(next(at), next(at))
    maintenance = Maintenance(kind=None, slug="b", path="b", title="b", components=(), summary="",  # type: ignore[arg-type]
                              updates=(update,), window=window, announced=next(at),
                              rescheduled=(Reschedule(Window(next(at), next(at)), next(at), ""),))
    for notice in (incident, maintenance):
        found = set(_datetimes(notice))
        assert len(found) >= 5, found
        assert found == set(quiet.moments(notice)), type(notice)


# --- `statuspress build`: the record, and every way it is not used ----------------------------------------------

@pytest.fixture
def site_copy(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    shutil.copytree(generated, root, ignore=shutil.ignore_patterns(SITE, CACHE))
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written a moment ago are trusted
    return root


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The `now` of every full build the command line makes (those that write the site)."""
    made: list[datetime] = []
    real = build.build_with_summary

    def counted(root: Path, now: datetime, *args: object, **kwargs: typing.Any) -> typing.Any:
        if kwargs.get("write") is not None:
            made.append(now)
        return real(root, now, *args, **kwargs)

    monkeypatch.setattr(build, "build_with_summary", counted)
    return made


def files(folder: Path) -> dict[str, tuple[int, bytes]]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = (path.stat().st_ino, path.read_bytes())
    return found


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_publish_with_only_now_changed_writes_only_the_files_that_show_the_time(
        site_copy: Path, full_builds: list[datetime], run: Callable[..., typing.Any]) -> None:
    first = run("build", "--site", str(site_copy), "--now", at(NOW))
    assert first.code == 0, first.err
    before = files(site_copy / SITE)
    later = NOW + timedelta(minutes=10)
    result = run("build", "--site", str(site_copy), "--now", at(later))
    assert result.code == 0, result.err
    assert full_builds == [NOW]  # the second build read no notice
    assert result.err == first.err  # the same report
    after = files(site_copy / SITE)
    assert {name: data for name, (_, data) in after.items()} == build_site(site_copy, later)[0]
    rewritten = sorted(name for name in after if after[name][0] != before[name][0])
    assert "index.html" in rewritten and len(rewritten) == 46  # the files that show the time; the rest linked
    # and once more, from the site that build wrote
    again = run("build", "--site", str(site_copy), "--now", at(later + timedelta(minutes=10)))
    assert again.code == 0 and full_builds == [NOW]
    assert {name: data for name, (_, data) in files(site_copy / SITE).items()} == build_site(
        site_copy, later + timedelta(minutes=10))[0]


def _touch(root: Path) -> None:
    path = sorted((root / "incidents").iterdir())[5]
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")


def _own_template(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text('{% extends "base.html" %}{% block main %}Lost{% endblock %}\n')


def _hand_edit(root: Path) -> None:
    (root / SITE / "history" / "2" / "index.html").write_text("edited by hand")


def _planted(root: Path) -> None:
    (root / CACHE / quiet.FILE).write_bytes(b"\x80\x05not a record")


@pytest.mark.parametrize(("change", "later"), [
    (_touch, NOW + timedelta(minutes=10)),  # a notice edited
    (_own_template, NOW + timedelta(minutes=10)),  # a site with its own templates: always a full build
    (_hand_edit, NOW + timedelta(minutes=10)),  # a file of the live site changed
    (_planted, NOW + timedelta(minutes=10)),  # the record is not one
    (None, NOW + timedelta(hours=11)),  # the day turned
    (None, NOW - timedelta(minutes=10)),  # back in time
])
def test_anything_else_changed_is_a_full_build(site_copy: Path, full_builds: list[datetime],
                                               run: Callable[..., typing.Any],
                                               change: Callable[[Path], None] | None, later: datetime) -> None:
    assert run("build", "--site", str(site_copy), "--now", at(NOW)).code == 0
    if change is not None:
        change(site_copy)
    result = run("build", "--site", str(site_copy), "--now", at(later))
    assert result.code == 0, result.err
    assert full_builds == [NOW, later]
    assert {name: data for name, (_, data) in files(site_copy / SITE).items()} == build_site(site_copy, later)[0]


def test_no_record_is_kept_while_an_input_is_racy(generated: Path, tmp_path: Path, full_builds: list[datetime],
                                                  run: Callable[..., typing.Any]) -> None:
    root = tmp_path / "site"
    shutil.copytree(generated, root, ignore=shutil.ignore_patterns(SITE, CACHE))  # just now: racy
    assert run("build", "--site", str(root), "--now", at(NOW)).code == 0
    assert not (root / CACHE / quiet.FILE).exists()
    assert run("build", "--site", str(root), "--now", at(NOW + timedelta(minutes=10))).code == 0
    assert len(full_builds) == 2


def test_an_open_incident_keeps_no_quiet_stretch(tmp_path: Path, full_builds: list[datetime],
                                                 run: Callable[..., typing.Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = tmp_path / "example"
    for folder in ("incidents", "maintenance"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "site.yaml", root)
    for minutes in (0, 1):  # the webhooks incident is open at NOW: its duration grows by the minute
        assert run("build", "--site", str(root), "--now", at(NOW + timedelta(minutes=minutes))).code == 0
        assert not (root / CACHE / quiet.FILE).exists()  # no record is kept
    assert len(full_builds) == 2
