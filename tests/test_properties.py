"""Property-based tests: whatever a notice holds, `check` answers with located problems and `build` never raises.

Hypothesis writes notices with arbitrary front matter (well-formed YAML of any shape, and raw text that
is mostly not YAML) and arbitrary level-2 headings (statuses, separators and times, real and broken).
For each, `statuspress check` must exit 0 without an error or exit 1 with at least one, every line it
prints must be `path:line: severity: message` with a line inside the file, and `build_site` must
return either the files or an error, never raise.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import NOW, NOW_TEXT, ROOT, SITE_YAML
from statuspress.build import build_site
from statuspress.cli import main
from statuspress.model import INCIDENT_UPDATE_LABELS, MAINTENANCE_UPDATE_LABELS

FILES = {"incident": "incidents/2026-11-20-generated.md", "maintenance": "maintenance/2026-11-20-generated.md"}
PROBLEM = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<severity>error|warning): \S.*$")
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])

FIELDS = ("title", "impact", "components", "author", "next_update", "started", "detected", "created", "id",
          "window", "rescheduled", "announced", "start", "end", "from", "on", "reason", "api", "dashboard", "db")
WORDS = ("none", "minor", "major", "critical", "api", "dashboard", "db", "partial_outage", "major_outage",
         "degraded_performance", "under_maintenance", "operational", "", "~", "yes", "on", "=", "<script>")
TIMES = st.one_of(
    st.sampled_from(["2026-11-18T09:41:00Z", "2026-11-18 09:41 UTC", "2026-11-18T10:41:00+01:00", "2026-11-18",
                     "2026-11-18 09:41", "1969-12-31T23:59Z", "1970-01-01T00:30+01:00", "9999-12-31T23:59Z",
                     "9999-12-31T23:00-05:00", "10000-01-01T00:00Z", "0000-01-01T00:00Z", "2026-02-30T10:00Z",
                     "2026-11-18T24:00Z", "2026-11-18T9:5Z", "now", "2026-11-18T09:41:00.123456789Z"]),
    st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()),
)
SCALARS = st.one_of(st.sampled_from(WORDS), TIMES, st.text(max_size=30), st.integers(), st.floats(), st.booleans(),
                    st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), inner, max_size=4),
), max_leaves=12)
ANY_FIELDS = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), VALUES, max_size=8)
# Mostly right: the fields of the kind, with odd but mostly valid values, so that many of them build.
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)
FIRST, LAST = datetime(1970, 1, 2), datetime(9999, 12, 28)  # noqa: DTZ001 - hypothesis takes naive bounds
GOOD_TIMES = st.datetimes(min_value=FIRST, max_value=LAST,
                          timezones=st.timezones()).map(lambda t: t.isoformat())
SOME_TIMES = st.one_of(GOOD_TIMES, GOOD_TIMES, TIMES)
WINDOW = st.fixed_dictionaries({"start": SOME_TIMES, "end": SOME_TIMES})
OPTIONAL = {"author": TEXT, "id": st.from_regex(r"[a-z0-9]{3,33}", fullmatch=True)}
NEAR_VALID = {
    "incident": st.fixed_dictionaries(
        {"title": TEXT.filter(str.strip), "impact": st.sampled_from(WORDS[:4]),
         "components": st.dictionaries(st.sampled_from(["api", "dashboard", "db"]),
                                       st.sampled_from(["partial_outage", "major_outage", "degraded_performance"]),
                                       min_size=1)},
        optional={**OPTIONAL, "next_update": SOME_TIMES, "started": SOME_TIMES, "detected": SOME_TIMES,
                  "created": SOME_TIMES}),
    "maintenance": st.fixed_dictionaries(
        {"title": TEXT.filter(str.strip),
         "window": st.builds(lambda start, hours: {"start": start.isoformat(), "end": (start + hours).isoformat()},
                             st.datetimes(min_value=FIRST, max_value=LAST - timedelta(days=9),
                                          timezones=st.just(UTC)),
                             st.timedeltas(min_value=timedelta(minutes=-5), max_value=timedelta(days=8))),
         "components": st.dictionaries(st.sampled_from(["api", "dashboard", "db"]),
                                       st.sampled_from(["under_maintenance", "partial_outage"]), min_size=1)},
        optional={**OPTIONAL, "announced": SOME_TIMES,
                  "rescheduled": st.lists(st.fixed_dictionaries({"from": WINDOW, "on": SOME_TIMES},
                                                                optional={"reason": TEXT}), max_size=3)}),
}
# Raw text: YAML's indicators, quotes, white space and a few kinds of letters, rarely valid YAML.
RAW = st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\\ \t\naz09_.~=<€é\u2028\ufeff")), max_size=80)

LABELS = [*INCIDENT_UPDATE_LABELS, *MAINTENANCE_UPDATE_LABELS, "postmortem", "Resolved", "IN PROGRESS", "Identifed"]
HEADINGS = st.builds(
    lambda label, separator, time: f"## {label}{separator}{time}",
    st.one_of(st.sampled_from(LABELS), st.text(max_size=15)),
    st.sampled_from([" · ", " - ", " – ", " — ", " | ", " ", "·", " :: ", ""]),
    st.one_of(TIMES, st.text(max_size=20), st.just("")),
)
LINES = st.one_of(HEADINGS, st.text(max_size=40), st.sampled_from(
    ["", "---", "```", "~~~", "# Heading", "### Sub-heading", "Text\n---", "- [ ] task", "> quote", "| a | b |"]))
BODIES = st.lists(LINES, max_size=12).map("\n".join)
FIRST_UPDATE = {
    kind: st.builds(lambda label, at: f"## {label} · {at}\n", st.sampled_from(labels), GOOD_TIMES)
    for kind, labels in (("incident", INCIDENT_UPDATE_LABELS), ("maintenance", MAINTENANCE_UPDATE_LABELS))
}
MARKDOWN = st.lists(st.one_of(TEXT, HEADINGS, st.sampled_from(["", "- [x] done", "```", "| a |\n|---|", "> q"])),
                    max_size=10).map("\n".join)
KIND_FRONT_BODY = st.sampled_from(list(NEAR_VALID)).flatmap(lambda kind: st.one_of(
    st.tuples(st.just(kind), ANY_FIELDS, BODIES),
    st.tuples(st.just(kind), NEAR_VALID[kind], st.builds(str.__add__, FIRST_UPDATE[kind], MARKDOWN)),
))


def dump(front: dict[Any, Any]) -> str:
    return yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None)


def write(root: Path, kind: str, text: str | bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML + "contact: {email: support@test.example}\n", encoding="utf-8")
    path = root / FILES[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def check_answers_with_located_problems(root: Path, path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["check", "--site", str(root), "--now", NOW_TEXT])
    lines = err.getvalue().splitlines()
    *problems, summary = lines
    assert summary.startswith("statuspress: "), lines
    # Lines as editors count them (a lone CR ends one too); the line after a final line break counts.
    last = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    errors = 0
    for line in problems:
        match = PROBLEM.match(line)
        assert match, f"not a located problem: {line!r}"
        assert match["path"] in FILES.values(), line  # site.yaml is clean
        assert 1 <= int(match["line"]) <= last, line
        errors += match["severity"] == "error"
    assert status == (1 if errors else 0), lines


def build_never_raises(root: Path) -> None:
    outputs, problems = build_site(root, NOW)
    assert (outputs is None) == any(p.is_error for p in problems)
    if outputs is not None:
        assert "index.html" in outputs


def notice(kind: str, front: str, body: str) -> str:
    return f"---\n{front}---\n{body}\n"


@SETTINGS
@given(notice_parts=KIND_FRONT_BODY)
@example(notice_parts=("incident", {"title": "x", "impact": "minor", "components": {"api": "partial_outage"}},
                       "## Investigating · 2026-11-18 09:55 UTC\nText."))
@example(notice_parts=("maintenance", {
    "title": "x", "components": {"api": "under_maintenance"},
    "window": {"start": "9999-12-31T22:00Z", "end": "9999-12-31T23:59:59.999999Z"}},
    "## In progress · 9999-12-31 22:00 UTC\n"))
@example(notice_parts=("maintenance", {  # the extremes that are accepted, shown in Europe/Rome
    "title": "x", "components": {"api": "under_maintenance"},
    "window": {"start": "9999-12-29T22:00Z", "end": "9999-12-29T23:59:59.999999Z"},
    "rescheduled": [{"from": {"start": "1970-01-01T00:00Z", "end": "1970-01-01T01:00Z"}, "on": "1970-01-01T00:00Z"}]},
    "## In progress · 9999-12-29 22:00 UTC\n## Update · 1970-01-01 00:00 UTC\n"))
@example(notice_parts=("incident", {
    "title": "x", "impact": "minor", "components": {"api": "partial_outage"},
    "next_update": "9999-12-29T23:59Z", "started": "1970-01-01T00:00Z"},
    "## Investigating · 1970-01-01 00:00 UTC\n## Resolved · 9999-12-29 23:59:59.999999 UTC\n"))
def test_any_front_matter_and_headings(tmp_path_factory: pytest.TempPathFactory,
                                       notice_parts: tuple[str, dict[Any, Any], str]) -> None:
    kind, front, body = notice_parts
    root = tmp_path_factory.mktemp("site")
    path = write(root, kind, notice(kind, dump(front), body))
    check_answers_with_located_problems(root, path)
    build_never_raises(root)


@SETTINGS
@given(kind=st.sampled_from(list(FILES)), front=RAW, body=BODIES)
def test_any_text_as_front_matter(tmp_path_factory: pytest.TempPathFactory, kind: str, front: str, body: str) -> None:
    root = tmp_path_factory.mktemp("site")
    path = write(root, kind, notice(kind, front + "\n", body))
    check_answers_with_located_problems(root, path)
    build_never_raises(root)


VALID = {
    "incident": "title: API errors\nimpact: major\ncomponents: {api: partial_outage}\n",
    "maintenance": "title: Upgrade\ncomponents: {db: under_maintenance}\n"
                   "window: {start: 2026-11-24T11:00:00Z, end: 2026-11-24T13:00:00Z}\n",
}


@SETTINGS
@given(kind=st.sampled_from(list(FILES)), headings=st.lists(st.tuples(HEADINGS, st.text(max_size=30)), max_size=6))
def test_any_update_headings_in_a_valid_notice(tmp_path_factory: pytest.TempPathFactory, kind: str,
                                               headings: list[tuple[str, str]]) -> None:
    root = tmp_path_factory.mktemp("site")
    body = "A summary.\n\n" + "\n\n".join(f"{heading}\n{text}" for heading, text in headings)
    path = write(root, kind, notice(kind, VALID[kind], body))
    check_answers_with_located_problems(root, path)
    build_never_raises(root)


@SETTINGS
@given(kind=st.sampled_from(list(FILES)), data=st.binary(max_size=200))
def test_any_bytes(tmp_path_factory: pytest.TempPathFactory, kind: str, data: bytes) -> None:
    root = tmp_path_factory.mktemp("site")
    path = write(root, kind, b"---\n" + data)
    check_answers_with_located_problems(root, path)
    build_never_raises(root)


def test_the_fuzz_target_answers_without_atheris() -> None:
    """bench/fuzz_loader.py replays inputs without atheris: the example notices and a few hostile files."""
    spec = importlib.util.spec_from_file_location("fuzz_loader", ROOT / "bench" / "fuzz_loader.py")
    assert spec is not None and spec.loader is not None
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    examples = sorted((ROOT / "incidents").glob("*.md")) + sorted((ROOT / "maintenance").glob("*.md"))
    assert len(examples) >= 2
    for path in examples:
        fuzz.TestOneInput(path.read_bytes())
    for data in (b"", b"---\n", b"\xff\xfe", b"---\na: &a [*a]\n---\n", b"---\nwindow: !!python/name:os.system\n---\n",
                 b"---\ntitle: x\n---\n" + b"- " * 1000, b"---\n" + b"[" * 5000 + b"\n---\n"):
        fuzz.TestOneInput(data)
