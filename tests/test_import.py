"""`statuspress import statuspage`: a Statuspage export becomes notices that pass `check`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import NOW, SITE_YAML
from statuspress.build import build_site
from statuspress.config import load_config
from statuspress.importer import (
    ImportFailure,
    Options,
    add_components,
    convert,
    read_export,
    to_markdown,
    write_import,
)
from statuspress.load import load_site
from statuspress.markup import to_html
from statuspress.model import Component

FIXTURE = Path(__file__).parent / "fixtures" / "statuspage" / "github-incidents.json"
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&(?:[A-Za-z]+|#[0-9]+);")
PAGE = {"id": "pg1234abcd", "name": "Acme", "url": "https://status.acme.example",
        "time_zone": "Etc/UTC", "updated_at": "2024-03-01T12:00:00.000Z"}

BLOCK_SITE = """\
# The site's configuration.
name: Block Status
url: https://status.block.example/
components:
  - id: api
    name: API
    description: REST endpoints   # a comment that stays
  - id: web
    name: Website

# contact comes next
contact:
  email: help@block.example
"""


def update(uid: str, status: str, at: str, body: str, affected: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    return {"id": uid, "status": status, "body": body, "display_at": at, "created_at": "2024-03-01T11:00:00.000Z",
            "updated_at": at, "affected_components": [
                {"code": f"c{i}", "name": name, "old_status": "operational", "new_status": new}
                for i, (name, new) in enumerate(affected)] or None}


def incident(iid: str, name: str, updates: list[dict[str, Any]], *, impact: str = "minor",
             components: tuple[str, ...] = (), created: str = "2024-02-01T10:00:00.000Z",
             started: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": iid, "name": name, "status": updates[0]["status"] if updates else "investigating",
            "impact": impact, "created_at": created, "updated_at": created, "monitoring_at": None,
            "resolved_at": updates[0]["display_at"] if updates else None, "shortlink": "https://stspg.io/x",
            "started_at": started or created, "page_id": PAGE["id"], "incident_updates": updates,
            "components": [{"id": f"k{i}", "name": n, "status": "operational", "description": f"About {n}"}
                           for i, n in enumerate(components)], **extra}


HTML_BODY = '<p>Deploys are <strong>slow</strong> &amp; some fail.</p><ul><li>EU</li><li>US</li></ul>'
CRLF_BODY = "  Line one.\r\nLine two.\r\n\r\n## Not an update\r\n---\r\n"
INCIDENTS = [
    incident("aaaa1111bbbb", 'API errors: "503" responses', [
        update("u3", "resolved", "2024-02-01T10:50:00.250Z", "This incident has been resolved.",
               (("API", "operational"),)),
        update("u2", "identified", "2024-02-01T10:20:00.000Z", HTML_BODY, (("API", "partial_outage"),)),
        update("u1", "investigating", "2024-02-01T10:05:00.123Z", CRLF_BODY, (("API", "degraded_performance"),)),
    ], impact="major", components=("API",), started="2024-02-01T10:30:00.000Z"),
    incident("cccc2222dddd", "Something went wrong", [
        update("v2", "resolved", "2024-02-02T09:30:00.000Z", "Fixed."),
        update("v1", "investigating", "2024-02-02T09:00:00.000Z", "We are looking into it."),
    ], impact="critical", created="2024-02-05T08:00:00.000Z", started="2024-02-02T09:00:00.000Z"),
    incident("eeee3333ffff", "Search and webhooks delayed", [
        update("w2", "monitoring", "2024-02-03T12:30:00.000Z", "Recovering.",
               (("Search v2", "operational"), ("Webhooks", "major_outage"), ("Legacy Search", "major_outage"))),
        update("w1", "investigating", "2024-02-03T12:00:00.000Z", "Delays.",
               (("Search v2", "partial_outage"), ("Legacy Search", "major_outage"))),
    ], components=("Search v2", "Webhooks", "Legacy Search"), created="2024-02-03T11:58:00.000Z"),
]
MAINTENANCE = [
    incident("mmmm1111aaaa", "Database upgrade", [
        update("m4", "completed", "2024-02-10T10:00:00.000Z", "The upgrade is done.", (("API", "operational"),)),
        update("m3", "verifying", "2024-02-10T09:45:00.000Z", "Checking.", (("API", "under_maintenance"),)),
        update("m2", "in_progress", "2024-02-10T09:00:00.000Z", "Started.", (("API", "under_maintenance"),)),
        update("m1", "scheduled", "2024-02-01T09:00:00.000Z", "<p>We will upgrade the <em>database</em>.</p>"),
    ], impact="maintenance", components=("API",), scheduled_for="2024-02-10T09:00:00.000Z",
        scheduled_until="2024-02-10T10:00:00.000Z"),
    incident("mmmm2222bbbb", "Network change", [
        update("n2", "completed", "2024-02-11T08:00:00.000Z", "This maintenance has been cancelled."),
        update("n1", "scheduled", "2024-02-05T09:00:00.000Z", "Planned."),
    ], impact="maintenance", scheduled_for="2024-02-12T09:00:00.000Z", scheduled_until="2024-02-12T11:00:00.000Z"),
]


def write_json(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def notice_text(root: Path, folder: str, iid: str) -> str:
    (path,) = (root / folder).glob(f"*-{iid}.md")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_json(tmp_path_factory.mktemp("export"), "incidents.json", {"page": PAGE, "incidents": INCIDENTS})


def test_import_writes_notices_that_pass_check(site: Callable[..., Path], run: Any, export: Path) -> None:
    root = site()
    result = run("import", "statuspage", str(export), "--site", str(root), "--author", "Ada Lovelace, SRE",
                 "--map", "Search v2=search", "--drop", "Legacy Search")
    assert result.code == 0, result.err
    assert "imported 3 incidents and 0 maintenance" in result.err
    assert "added to site.yaml: other, search, webhooks" in result.err
    assert sorted(p.name for p in (root / "incidents").iterdir()) == [
        "2024-02-01-api-errors-503-responses-aaaa1111bbbb.md",
        "2024-02-02-something-went-wrong-cccc2222dddd.md",
        "2024-02-03-search-and-webhooks-delayed-eeee3333ffff.md",
    ]
    first = notice_text(root, "incidents", "aaaa1111bbbb")
    assert first.startswith(
        '---\nid: aaaa1111bbbb\ntitle: "API errors: \\"503\\" responses"\nimpact: major\n'
        "components:\n  api: partial_outage\n"  # the worst status an update gave; "API" is the site's "api"
        'author: "Ada Lovelace, SRE"\n'
        "created: 2024-02-01T10:00:00Z\nstarted: 2024-02-01T10:05:00.123Z\n---\n"  # started clamped
    )
    assert "## Resolved · 2024-02-01 10:50:00.250 UTC\nThis incident has been resolved.\n" in first
    # HTML became Markdown; plain text kept, CRLF gone, the would-be headings escaped
    assert "## Identified · 2024-02-01 10:20:00 UTC\nDeploys are **slow** & some fail.\n\n- EU\n- US\n" in first
    investigating = "## Investigating · 2024-02-01 10:05:00.123 UTC\n"
    assert investigating + "Line one.\nLine two.\n\n\\## Not an update\n\\---\n" in first
    assert "\r" not in first
    # no component at all: the fallback, at the level of the impact
    assert "components:\n  other: major_outage\n" in notice_text(root, "incidents", "cccc2222dddd")
    third = notice_text(root, "incidents", "eeee3333ffff")
    assert "components:\n  search: partial_outage\n  webhooks: major_outage\nauthor:" in third  # mapped; dropped
    assert "Legacy" not in third and "legacy" not in third
    config = (root / "site.yaml").read_text(encoding="utf-8")
    assert config == SITE_YAML + (  # in the style of the list's first item
        '  - {id: other, name: "Other"}\n'
        '  - {id: search, name: "Search v2", description: "About Search v2"}\n'
        '  - {id: webhooks, name: "Webhooks", description: "About Webhooks"}\n'
    )
    checked = run("check", "--site", str(root), "--now", "2026-11-24T12:00:00Z")
    assert checked.code == 0 and " 0 errors" in checked.err, checked.err


def test_the_imported_notices_read_as_the_original(site: Callable[..., Path], run: Any, export: Path) -> None:
    root = site()
    assert run("import", "statuspage", str(export), "--site", str(root)).code == 0
    loaded, problems = load_site(root)
    assert loaded is not None and not [p for p in problems if p.is_error]
    first = next(n for n in loaded.incidents if n.id == "aaaa1111bbbb")
    assert first.title == 'API errors: "503" responses' and first.author == ""  # no --author: unsigned
    assert [(u.label, u.at.isoformat()) for u in first.updates] == [
        ("resolved", "2024-02-01T10:50:00.250000+00:00"),
        ("identified", "2024-02-01T10:20:00+00:00"),
        ("investigating", "2024-02-01T10:05:00.123000+00:00"),
    ]
    assert to_html(first.updates[2].body) == "<p>Line one.\nLine two.</p>\n<p>## Not an update\n---</p>"
    assert first.created is not None and first.created.isoformat() == "2024-02-01T10:00:00+00:00"
    assert first.summary == "Affected: API (partial outage)."


def test_maintenance(site: Callable[..., Path], run: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = site()
    path = write_json(tmp_path_factory.mktemp("export"), "scheduled-maintenances.json",
                      {"page": PAGE, "scheduled_maintenances": MAINTENANCE})
    result = run("import", "statuspage", str(path), "--site", str(root), "--author", "Platform team, Acme")
    assert result.code == 0, result.err
    assert "imported 0 incidents and 2 maintenance" in result.err
    upgrade = notice_text(root, "maintenance", "mmmm1111aaaa")
    assert upgrade == (
        '---\nid: mmmm1111aaaa\ntitle: "Database upgrade"\ncomponents:\n  api: under_maintenance\n'
        "window: {start: 2024-02-10T09:00:00Z, end: 2024-02-10T10:00:00Z}\n"
        'author: "Platform team, Acme"\nannounced: 2024-02-01T10:00:00Z\n---\n'
        "Affected: API (under maintenance).\n\n"
        "## Completed · 2024-02-10 10:00:00 UTC\nThe upgrade is done.\n\n"
        "## Verifying · 2024-02-10 09:45:00 UTC\nChecking.\n\n"
        "## In progress · 2024-02-10 09:00:00 UTC\nStarted.\n\n"
        "## Update · 2024-02-01 09:00:00 UTC\nWe will upgrade the *database*.\n"
    )
    cancelled = notice_text(root, "maintenance", "mmmm2222bbbb")
    assert "## Cancelled · 2024-02-11 08:00:00 UTC\nThis maintenance has been cancelled." in cancelled
    assert "components:\n  other: under_maintenance\n" in cancelled
    assert run("check", "--site", str(root)).code == 0


def test_postmortem(site: Callable[..., Path], run: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = site()
    resolved = update("p2", "resolved", "2024-02-01T11:00:00.000Z", "Resolved.")
    first = update("p1", "investigating", "2024-02-01T10:00:00.000Z", "Looking.")
    both = [
        incident("pppp1111aaaa", "With a postmortem body", [resolved, first], components=("API",),
                 postmortem_body="<h2>What went wrong</h2><p>A <em>bad</em> deploy.</p>",
                 postmortem_published_at="2024-02-03T09:00:00.000Z"),
        incident("pppp2222bbbb", "With a postmortem update", [
            update("p3", "postmortem", "2024-02-04T09:00:00.000Z", "## Root cause\nA bad deploy."), resolved, first,
        ], components=("API",)),
    ]
    path = write_json(tmp_path_factory.mktemp("export"), "incidents.json", {"page": PAGE, "incidents": both})
    assert run("import", "statuspage", str(path), "--site", str(root)).code == 0
    assert notice_text(root, "incidents", "pppp1111aaaa").endswith(
        "## Investigating · 2024-02-01 10:00:00 UTC\nLooking.\n\n"
        "## Postmortem · 2024-02-03 09:00:00 UTC\n### What went wrong\n\nA *bad* deploy.\n")
    assert notice_text(root, "incidents", "pppp2222bbbb").endswith(
        "## Postmortem · 2024-02-04 09:00:00 UTC\n\\## Root cause\nA bad deploy.\n")
    loaded, problems = load_site(root)
    assert loaded is not None and not [p for p in problems if p.is_error]
    assert all(n.postmortem is not None and n.updates[0].label == "resolved" for n in loaded.incidents)


def test_a_folder_of_incident_files(site: Callable[..., Path], run: Any, tmp_path_factory: pytest.TempPathFactory
                                    ) -> None:
    root = site()
    folder = tmp_path_factory.mktemp("export")
    write_json(folder, "incidents/aaaa1111bbbb.json", {"page": PAGE, "incident": INCIDENTS[0]})
    write_json(folder, "incidents/cccc2222dddd.json", INCIDENTS[1])  # a bare incident
    write_json(folder, "scheduled-maintenances/mmmm1111aaaa.json",
               {"page": PAGE, "scheduled_maintenance": MAINTENANCE[0]})
    write_json(folder, "incidents/notes.json", {"hello": "world"})
    (folder / "incidents" / "broken.json").write_text("{", encoding="utf-8")
    result = run("import", "statuspage", str(folder), "--site", str(root))
    assert result.code == 1, result.err  # two files were not usable
    assert "imported 2 incidents and 1 maintenance" in result.err
    assert f"{(folder / 'incidents' / 'notes.json').as_posix()}: holds no Statuspage incident" in result.err
    assert f"{(folder / 'incidents' / 'broken.json').as_posix()}: not readable as JSON" in result.err
    assert "skipped 2" in result.err


def test_rerun_is_idempotent_and_never_overwrites(site: Callable[..., Path], run: Any, export: Path) -> None:
    root = site()
    args = ("import", "statuspage", str(export), "--site", str(root), "--map", "Search v2=search")
    assert run(*args).code == 0
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = run(*args)
    assert again.code == 0, again.err
    assert "imported 0 incidents and 0 maintenance" in again.err and "3 already there; skipped 0" in again.err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before  # same files, nothing new

    edited = root / "incidents" / "2024-02-02-something-went-wrong-cccc2222dddd.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA note added by hand.\n", encoding="utf-8")
    renamed = json.loads(export.read_text(encoding="utf-8"))
    renamed["incidents"][0]["name"] = "API errors (renamed later)"
    export.write_text(json.dumps(renamed), encoding="utf-8")
    third = run(*args)
    assert third.code == 0, third.err
    assert ("incidents/2024-02-02-something-went-wrong-cccc2222dddd.md: a different file is already there; "
            "not overwritten") in third.err
    assert ("incidents/2024-02-01-api-errors-renamed-later-aaaa1111bbbb.md: incident aaaa1111bbbb is already "
            "imported as incidents/2024-02-01-api-errors-503-responses-aaaa1111bbbb.md; not written") in third.err
    assert "1 already there; skipped 2" in third.err
    assert edited.read_text(encoding="utf-8").endswith("A note added by hand.\n")
    assert not (root / "incidents" / "2024-02-01-api-errors-renamed-later-aaaa1111bbbb.md").exists()


def test_unusable_entries_are_skipped_and_reported(site: Callable[..., Path], run: Any,
                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    root = site()
    bad = [
        incident("nnnn0000oooo", "No updates", []),
        incident("pppp0000qqqq", "Bad time", [update("x1", "resolved", "yesterday", "Done.")]),
        incident("Not-An-Id", "Bad id", [update("x2", "resolved", "2024-02-01T10:00:00Z", "Done.")]),
        incident("rrrr0000ssss", "   ", [update("x3", "resolved", "2024-02-01T10:00:00Z", "Done.")]),
        incident("tttt0000uuuu", "Fine", [update("x4", "resolved", "2024-02-01T10:00:00Z", "Done.")]),
    ]
    path = write_json(tmp_path_factory.mktemp("export"), "incidents.json", {"page": PAGE, "incidents": bad})
    result = run("import", "statuspage", str(path), "--site", str(root))
    assert result.code == 1
    where = path.as_posix()
    for line in (f"{where}: incident nnnn0000oooo: it has no updates",
                 f"{where}: incident pppp0000qqqq: cannot read an update's display_at 'yesterday'",
                 f"{where}: incident Not-An-Id: the id is not 4 to 32 lower-case letters and digits",
                 f"{where}: incident rrrr0000ssss: it has no name"):
        assert line in result.err.splitlines()
    assert "imported 1 incident and 0 maintenance" in result.err and "skipped 4" in result.err


def test_usage_errors(site: Callable[..., Path], run: Any, export: Path, tmp_path: Path) -> None:
    root = site()
    assert run("import", "statuspage", str(tmp_path / "missing.json"), "--site", str(root)).code == 2
    assert run("import", "statuspage", str(export), "--site", str(root), "--map", "API=Not an id").code == 2
    assert run("import", "statuspage", str(export), "--site", str(root), "--map", "no equals sign").code == 2
    assert run("import", "otherpage", str(export), "--site", str(root)).code == 2
    flow = site(config="name: X\nurl: https://x.example/\ncomponents: [{id: api, name: API}]\n")
    result = run("import", "statuspage", str(export), "--site", str(flow))
    assert result.code == 2 and "no block-style 'components:' list" in result.err
    assert not (flow / "incidents").exists()  # nothing written


def test_add_components_keeps_the_rest_of_site_yaml() -> None:
    new = [Component("search", "Search: v2", "Full-text search"), Component("null", "yes")]
    text = add_components(BLOCK_SITE, new)
    assert text == BLOCK_SITE.replace("    name: Website\n", (
        "    name: Website\n  - id: search\n    name: \"Search: v2\"\n    description: Full-text search\n"
        '  - id: "null"\n    name: yes\n'))  # an id that YAML would read as null stays a string
    for unusable in ("name: X\ncomponents: [{id: a, name: A}]\n", "name: X\n"):
        with pytest.raises(ImportFailure):
            add_components(unusable, [Component("x-y", "X")])
    crlf = BLOCK_SITE.replace("\n", "\r\n")
    assert add_components(crlf, new[:1]).count("\r\n") == crlf.count("\r\n") + 3


def test_add_components_text_of_every_style() -> None:
    for config in (SITE_YAML, BLOCK_SITE, "components:\n- id: a\n  name: A\nname: N\n"):
        text = add_components(config, [Component("z", "Zed")])
        assert text.startswith(config.split("components:")[0])
        assert text.count("id: z") == 1


@pytest.mark.parametrize("body", [
    "We are investigating.",
    "  Two paragraphs.\n\nThe second one.  ",
    "* a list \n* of two",
    "Less than <1% of requests & no data lost.",
    "Use git fetch --all; then `git gc`.",
])
def test_plain_text_survives_unchanged(body: str) -> None:
    assert to_markdown(body) == body.strip()
    assert to_markdown(body.replace("\n", "\r\n")) == body.strip()


@pytest.mark.parametrize(("body", "markdown", "html"), [
    ("# Heading-like\n## Update · 2024-01-01 10:00 UTC", "\\# Heading-like\n\\## Update · 2024-01-01 10:00 UTC",
     "<p># Heading-like\n## Update · 2024-01-01 10:00 UTC</p>"),
    ("#hashtag", "\\#hashtag", "<p>#hashtag</p>"),
    ("Text\n---", "Text\n\\---", "<p>Text\n---</p>"),
    ("Text\n===", "Text\n&#61;==", "<p>Text\n===</p>"),
    ("```\nunclosed\n## Resolved · 2024-01-01 10:00 UTC", "\\```\nunclosed\n\\## Resolved · 2024-01-01 10:00 UTC",
     "<p>```\nunclosed\n## Resolved · 2024-01-01 10:00 UTC</p>"),
    ("```\n## in code\n```", "```\n## in code\n```", "<pre><code>## in code\n</code></pre>"),
    ("<p>Hello <b>world</b></p><h2>Cause</h2><p># not a heading</p>",
     "Hello **world**\n\n### Cause\n\n\\# not a heading",
     "<p>Hello <strong>world</strong></p>\n<h3>Cause</h3>\n<p># not a heading</p>"),
    ('See <a href="https://example.com/a_b">the notes</a>.\nNext line.',
     "See [the notes](https://example.com/a_b).  \nNext line.",
     '<p>See <a href="https://example.com/a_b" rel="noopener nofollow">the notes</a>.<br>\nNext line.</p>'),
])
def test_markdown_reads_the_same(body: str, markdown: str, html: str) -> None:
    assert to_markdown(body) == markdown
    assert to_html(markdown) == html


# The big one: every incident of a real status page, imported, built, and read back through the API.


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("github")
    (root / "site.yaml").write_text("name: GitHub history\nurl: https://status.example.com/\ncomponents:\n"
                                    "  - id: api\n    name: API Requests\n", encoding="utf-8")
    documents, unreadable = read_export(FIXTURE)
    config, _, _ = load_config(root)
    assert config is not None and not unreadable
    conversion = convert(documents, config, Options(author="Octo Cat, Site Reliability"))
    outcome = write_import(root, conversion)
    assert not outcome.skipped and len(outcome.written) == 1282
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, [str(p) for p in problems if p.is_error][:10]
    return documents[0][1]["incidents"], root, outputs


def _plain(body: str) -> str | None:
    """The body as our notice keeps it, or None when it had HTML (converted, so not compared)."""
    return None if HTML_TAG.search(body) else body.replace("\r\n", "\n").strip()


def test_every_github_incident_loads_as_the_original(github: tuple[list[dict[str, Any]], Path, dict[str, bytes]]
                                                     ) -> None:
    originals, root, _ = github
    site, problems = load_site(root)
    assert site is not None and not [p for p in problems if p.is_error]
    ours = {n.id: n for n in site.incidents}
    assert len(ours) == len(originals) == 1282
    for original in originals:
        notice = ours[original["id"]]
        assert notice.title == original["name"]
        assert notice.impact.value == original["impact"]
        assert notice.created is not None and notice.created.isoformat() == _python_time(original["created_at"])
        assert notice.started is not None and notice.started <= notice.updates[-1].at
        got = [(u.label, u.at.isoformat()) for u in notice.updates]
        assert got == [(u["status"], _python_time(u["display_at"])) for u in original["incident_updates"]]
        for mine, theirs in zip(notice.updates, original["incident_updates"], strict=True):
            if (plain := _plain(theirs["body"])) is not None:
                assert mine.body == plain, original["id"]


def _python_time(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat()


def test_the_api_reproduces_every_github_incident(github: tuple[list[dict[str, Any]], Path, dict[str, bytes]]
                                                  ) -> None:
    originals, _, outputs = github
    if not any(name.startswith("api/v2/incidents/") for name in outputs):
        pytest.skip("the JSON API (api_files) writes no api/v2/incidents/<id>.json yet")
    for original in originals:
        document = json.loads(outputs[f"api/v2/incidents/{original['id']}.json"])
        assert set(document) >= {"page", "incident"}
        ours = document["incident"]
        for key in ("id", "name", "impact", "status", "created_at", "resolved_at"):
            assert ours[key] == original[key], (original["id"], key)
        assert [(u["status"], u["display_at"]) for u in ours["incident_updates"]] == [
            (u["status"], u["display_at"]) for u in original["incident_updates"]], original["id"]
        for mine, theirs in zip(ours["incident_updates"], original["incident_updates"], strict=True):
            if (plain := _plain(theirs["body"])) is not None:
                assert mine["body"].replace("\r\n", "\n").strip() == plain, original["id"]
