"""`statuspress new`: a file that passes `check` as written, whatever the title, never overwriting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, NOW_TEXT, SITE_YAML, Result
from statuspress.build import build_site
from statuspress.config import load_config
from statuspress.load import load_site
from statuspress.model import Kind
from statuspress.scaffold import Draft, clean_title, write_draft


def test_new_incident_passes_check_and_builds(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site()
    result = run("new", "incident", "API errors: \"503\" & <timeouts> # in EU", "--site", str(root), "--now", NOW_TEXT)
    assert result.code == 0, result.err
    path = root / "incidents" / "2026-11-24-api-errors-503-timeouts-in-eu.md"
    assert result.out.strip().endswith(path.name)
    text = path.read_text()
    assert text.startswith("---\ntitle: \"API errors: \\\"503\\\" & <timeouts> # in EU\"\n")
    assert "## Investigating · 2026-11-24 12:00 UTC" in text
    assert "next_update: 2026-11-24T12:30:00Z" in text
    check = run("check", "--site", str(root), "--now", NOW_TEXT)
    assert check.code == 0 and "0 errors" in check.err, check.err
    # What it asks for is flagged: the components to confirm, the signature, the customer-facing summary.
    warnings = [line for line in check.err.splitlines() if line.startswith("incidents/")]
    assert [w.split(":")[1] for w in warnings] == ["5", "6", "10"]
    assert warnings[0].endswith("[placeholder]") and warnings[1].endswith("[author]")
    outputs, _ = build_site(root, NOW)
    assert outputs is not None
    page = outputs["incidents/2026-11-24-api-errors-503-timeouts-in-eu/index.html"].decode()
    assert "<h1>API errors: &#34;503&#34; &amp; &lt;timeouts&gt; # in EU</h1>" in page


def test_new_maintenance_with_window_and_components(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site()
    result = run("new", "maintenance", "Database upgrade", "--component", "db", "--component",
                 "api=degraded_performance", "--window", "2026-12-02T09:00:00+01:00", "2026-12-02 10:00 +01:00",
                 "--site", str(root), "--now", NOW_TEXT)
    assert result.code == 0, result.err
    text = (root / "maintenance" / "2026-12-02-database-upgrade.md").read_text()
    assert "  db: under_maintenance\n  api: degraded_performance\n" in text
    assert "  start: 2026-12-02T08:00:00Z\n  end: 2026-12-02T09:00:00Z\n" in text
    assert run("check", "--site", str(root), "--now", NOW_TEXT).code == 0


def test_new_never_overwrites(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site()
    first = root / "incidents" / "2026-11-24-outage.md"
    first.parent.mkdir()
    first.write_text("mine")
    result = run("new", "incident", "Outage", "--site", str(root), "--now", NOW_TEXT)
    assert result.code == 0
    assert first.read_text() == "mine"
    assert (root / "incidents" / "2026-11-24-outage-2.md").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "incident", "   "), "the title is empty"),
        (("new", "incident", "X", "--component", "nope"), "unknown component 'nope'; the site has: api, dashboard, db"),
        (("new", "incident", "X", "--component", "api=broken"), "unknown status 'broken'"),
        (("new", "incident", "X", "--component", "api=under_maintenance"), "an incident cannot set"),
        (("new", "incident", "X", "--window", "2026-12-02T09:00Z", "2026-12-02T10:00Z"), "--window is for maintenance"),
        (("new", "maintenance", "X", "--window", "2026-12-02T10:00Z", "2026-12-02T09:00Z"), "the end must come after"),
        (("new", "maintenance", "X", "--window", "2026-12-02", "2026-12-02T09:00Z"), "date without a time"),
        (("new", "bogus", "X"), "invalid choice: 'bogus'"),
    ],
)
def test_new_usage_errors(site: Callable[..., Path], run: Callable[..., Result], args: tuple[str, ...],
                          message: str) -> None:
    root = site()
    result = run(*args, "--site", str(root), "--now", NOW_TEXT)
    assert result.code == 2
    assert message in result.err
    assert not (root / "incidents").exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=120).filter(lambda t: clean_title(t)), kind=st.sampled_from(list(Kind)))
def test_any_title_gives_a_file_that_passes_check(tmp_path_factory: pytest.TempPathFactory, title: str,
                                                  kind: Kind) -> None:
    root = tmp_path_factory.mktemp("site")
    (root / "site.yaml").write_text(SITE_YAML)
    config, _, _ = load_config(root)
    assert config is not None
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    path = write_draft(root, Draft(kind, title), config, now)
    site_, problems = load_site(root)
    assert site_ is not None and not problems, [str(p) for p in problems]
    notice = (site_.incidents + site_.maintenance)[0]  # type: ignore[operator]
    assert notice.title == clean_title(title)
    assert path.name.endswith(".md") and path.name.isascii()
