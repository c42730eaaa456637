"""Building the site as a user would: determinism, links, sub-paths, time travel, history, safety."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html
from markupsafe import Markup

from conftest import NOW, NOW_TEXT, ROOT, Result, generate_site
from statuspress import build as build_module
from statuspress import render
from statuspress.build import build_site
from statuspress.static import fingerprint

INCIDENT = """\
---
title: {title}
impact: minor
components: {{api: degraded_performance}}
---
Summary {n}.

## Investigating · {time}
Looking.
"""


STATUS_AS_OF = b'Status as of <time datetime="2026-11-24T12:00:00Z">24 Nov 2026, 12:00 UTC (13:00 CET)</time>'


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_is_byte_identical_whatever_the_machine(tmp_path: Path) -> None:
    outs = []
    for seed, tz, lang, cwd in (("1", "UTC", "C.UTF-8", ROOT), ("2", "Asia/Tokyo", "de_DE.UTF-8", tmp_path)):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": lang, "LANG": lang}
        subprocess.run([sys.executable, "-m", "statuspress", "build", "--site", str(ROOT), "--out", str(out),
                        "--now", NOW_TEXT], check=True, env=env, cwd=cwd, capture_output=True)
        outs.append(tree(out))
    assert outs[0] == outs[1]
    assert len(outs[0]) > 10


def test_build_py_is_the_same_as_the_command(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(tmp_path / "a"), "--now", NOW_TEXT],
                   check=True, cwd=ROOT, capture_output=True)
    outputs, _ = build_site(ROOT, NOW)
    assert tree(tmp_path / "a") == outputs


def internal_links(outputs: dict[str, bytes], base: str) -> list[tuple[str, str]]:
    """Return (page, target path) for every link and stylesheet that stays on the site."""
    found = []
    for name, data in outputs.items():
        if not name.endswith(".html"):
            continue
        page_url = urljoin(base, name)
        for element, _attribute, link, _pos in html.fromstring(data).iterlinks():
            absolute = urljoin(page_url, link)
            if absolute.startswith(base) and element.tag in ("a", "link"):
                found.append((name, urlsplit(absolute).path[len(urlsplit(base).path):]))
    return found


@pytest.mark.parametrize("url", ["https://status.example.com/", "https://example.github.io/status/"])
def test_no_internal_link_is_broken_at_root_or_sub_path(
    url: str, site: Callable[..., Path], tmp_path: Path
) -> None:
    config = (ROOT / "site.yaml").read_text().replace("https://status.example.com/", url)
    root = site(config=config)
    for folder in ("incidents", "maintenance"):
        for path in (ROOT / folder).glob("*.md"):
            (root / folder).mkdir(exist_ok=True)
            (root / folder / path.name).write_bytes(path.read_bytes())
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    links = internal_links(outputs, url)
    assert len(links) > 50
    for page, target in links:
        target = target.split("#")[0]
        resolved = target + "index.html" if target.endswith("/") or not target else target
        assert resolved in outputs, f"{page} links to missing {target}"
    # The 404 page is served at any address, so its links start from the path of `url`.
    path = urlsplit(url).path
    (css,) = [name for name in outputs if name.startswith("assets/style.")]
    assert f'href="{path}{css}"'.encode() in outputs["404.html"]


def test_time_travel_hides_what_was_not_yet_written(example_outputs: dict[str, bytes]) -> None:
    earlier, _ = build_site(ROOT, NOW - timedelta(hours=4))  # 08:00 UTC: before the incident and the move
    assert earlier is not None
    assert "incidents/2026-11-24-delayed-webhooks/index.html" in example_outputs
    assert "incidents/2026-11-24-delayed-webhooks/index.html" not in earlier
    assert b"Webhook deliveries delayed" not in earlier["index.html"]
    assert b"Webhook deliveries delayed" not in earlier["feed.atom"]
    # the database upgrade had not been moved yet: its old window shows, without the move
    page = earlier["maintenance/2026-12-02-database-upgrade/index.html"].decode()
    assert "Wed 25 Nov 2026, 21:00–22:00 UTC" in page
    assert "moved from" not in page
    later = example_outputs["maintenance/2026-12-02-database-upgrade/index.html"].decode()
    assert "moved from <time datetime=\"2026-11-25T21:00:00Z\">Wed 25 Nov 22:00 CET</time>" in later
    assert "to <time datetime=\"2026-12-02T08:00:00Z\">Wed 2 Dec 09:00 CET</time>" in later
    assert "A related change needs another week of verification." in later
    assert b"All systems operational" in earlier["index.html"] or b"Scheduled maintenance" in earlier["index.html"]


def test_an_update_written_ahead_of_time_appears_when_due(example_outputs: dict[str, bytes]) -> None:
    page = example_outputs["incidents/2026-11-18-api-errors/index.html"].decode()
    assert page.index("Resolved") < page.index("Monitoring") < page.index("Identified") < page.index("Investigating")
    during, _ = build_site(ROOT, NOW.replace(day=18, hour=10, minute=40))
    assert during is not None
    page = during["incidents/2026-11-18-api-errors/index.html"].decode()
    assert "Identified" in page and "Monitoring" not in page
    assert "Postmortem" not in page and "What went wrong" not in page


SETTLED_PAGES = {  # resolved incidents, completed maintenance: final, so they show no moment of `now`
    "incidents/2026-10-29-dashboard-slow/index.html", "incidents/2026-11-12-sign-in-failures/index.html",
    "incidents/2026-11-18-api-errors/index.html", "maintenance/2026-11-10-network-upgrade/index.html",
}


def test_pages_that_show_the_present_say_when_they_were_generated(example_outputs: dict[str, bytes]) -> None:
    pages = {name for name in example_outputs if name.endswith(".html") and not name.endswith("/offline.html")}
    assert pages >= SETTLED_PAGES
    for name in pages - SETTLED_PAGES:
        assert STATUS_AS_OF in example_outputs[name], name
    for name in SETTLED_PAGES:
        assert b"Status as of" not in example_outputs[name], name
        assert b"All times are shown in UTC and Europe/Rome." in example_outputs[name]


def test_the_masthead_marks_the_section_of_each_page(generated_outputs: dict[str, bytes]) -> None:
    # The masthead is made once for pages alike (render._once): never the wrong one for the depth or section.
    def current(name: str) -> list[str]:
        tree = html.fromstring(generated_outputs[name])
        return [a.text_content() for a in tree.xpath("//header[@class='masthead']//a[@aria-current='page']")]

    notice = next(name for name in generated_outputs if name.startswith("incidents/"))
    assert "history/2/index.html" in generated_outputs  # as deep as a notice's page
    assert current("index.html") == ["Current status"]
    assert current("history/index.html") == current("history/2/index.html") == ["History"]
    assert current(notice) == current("components/c1/index.html") == current("404.html") == []


def test_once_makes_a_block_once_for_the_same_parts_and_forgets_past_its_limit() -> None:
    once = render._once(limit=2)
    made: list[str] = []

    def block(text: str) -> Callable[[], str]:
        return lambda: made.append(text) or text

    assert once("head", "../", caller=block("<a>")) == Markup("<a>")
    assert once("head", "../", caller=block("<b>")) == "<a>"  # made once
    assert once("head", "", caller=block("<c>")) == "<c>"  # other parts, another block
    assert once("foot", False, caller=block("<d>")) == "<d>"  # a third: the first two are forgotten
    assert once("head", "../", caller=block("<e>")) == "<e>"
    assert made == ["<a>", "<c>", "<d>", "<e>"]


def test_a_components_uptime_bar_is_made_once_for_the_home_page_and_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # render.uptime_bar: made with marks where the page's `root` and the component page's address go.
    generate_site(tmp_path, 120)
    made: list[str] = []
    real = render.uptime_bar

    def counted(view: Any, here: str, root: str, macro: Callable[..., str]) -> Markup:
        return real(view, here, root, lambda *args: made.append(view.component.id) or macro(*args))

    monkeypatch.setattr(render, "uptime_bar", counted)
    build_module.forget()  # a new template environment, with the function above
    outputs, problems = build_site(tmp_path, NOW)
    assert outputs is not None, [str(p) for p in problems]
    assert sorted(made) == [f"c{n}" for n in sorted(range(40), key=str)]  # once per component
    home, own = html.fromstring(outputs["index.html"]), html.fromstring(outputs["components/c1/index.html"])
    for page, here, root in ((home, "components/c1/", ""), (own, "", "../../")):
        links = page.xpath("//div[@class='bar'][starts-with(@aria-label, 'Component 1:')]/a/@href")
        targets = (f"{root}incidents/", f"{root}maintenance/", f"{here}#d")
        assert links and all(href.startswith(targets) for href in links), links
    assert b"\0" not in outputs["index.html"] + outputs["components/c1/index.html"]


def test_a_sites_own_macros_html_makes_the_lines_of_every_list(site: Callable[..., Path]) -> None:
    # render.notice_lines: the default macros make a list's lines in one call, a site's own macros.html with
    # its notice_line, whatever that writes.
    default = (Path(render.__file__).parent / "templates" / "macros.html").read_text(encoding="utf-8")
    own = default.replace("{% macro notice_line(notice) -%}\n", "{% macro notice_line(notice) -%}\n<!-- own -->")
    assert own != default
    files = {f"incidents/2026-11-{10 + n}-case-{n}.md": INCIDENT.format(title=f"Case {n}", n=n,
                                                                       time=f"2026-11-{10 + n} 09:00 UTC")
             for n in range(3)}
    for macros in (None, own):
        root = site({**files, **({"templates/macros.html": macros} if macros else {})})
        outputs, problems = build_site(root, NOW)
        assert outputs is not None, [str(p) for p in problems]
        for page in ("history/index.html", "components/api/index.html", "index.html"):
            lines = outputs[page].count(b'<li class="notice-line">')
            assert lines >= 2 and outputs[page].count(b"<!-- own -->") == (lines if macros else 0), page


def test_history_keeps_every_notice_across_pages(site: Callable[..., Path]) -> None:
    files = {
        f"incidents/2026-{1 + n % 10:02d}-{1 + n % 28:02d}-case-{n}.md": INCIDENT.format(
            title=f"Case {n}", n=n, time=f"2026-{1 + n % 10:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d} UTC")
        for n in range(120)
    }
    root = site(files)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "history_per_page: 50\n")
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    pages = sorted(name for name in outputs if name.startswith("history/"))
    assert pages == ["history/2/index.html", "history/3/index.html", "history/index.html"]
    text = b"".join(outputs[p] for p in pages).decode()
    for n in range(120):
        assert f">Case {n}</a>" in text
    assert 'rel="next" href="../history/2/"' in outputs["history/index.html"].decode()
    assert "page 3 of 3" in outputs["history/3/index.html"].decode()


def test_markdown_raw_html_is_escaped_and_task_lists_render(site: Callable[..., Path]) -> None:
    text = INCIDENT.format(title="X", n=1, time="2026-11-24 10:00 UTC").replace(
        "Looking.", "Looking <script>alert(1)</script> [x](javascript:alert(2))\n\n- [x] done\n- [ ] to do")
    outputs, _ = build_site(site({"incidents/x.md": text}), NOW)
    assert outputs is not None
    page = outputs["incidents/x/index.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in page
    assert '<input type="checkbox" disabled="" checked="" aria-label="done"> done' in page
    assert '<input type="checkbox" disabled="" aria-label="to do"> to do' in page


def test_build_replaces_the_whole_output(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site({"incidents/a.md": INCIDENT.format(title="A", n=1, time="2026-11-24 10:00 UTC")})
    out = root / "_site"
    out.mkdir()
    (out / "stale.html").write_text("old")
    result = run("build", "--site", str(root), "--now", NOW_TEXT)
    assert result.code == 0, result.err
    assert not (out / "stale.html").exists()
    assert (out / "incidents" / "a" / "index.html").exists()
    assert "built" in result.err


def test_build_refuses_to_replace_the_site_folder(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site()
    result = run("build", "--site", str(root), "--out", str(root), "--now", NOW_TEXT)
    assert result.code == 2
    assert "would replace the site folder" in result.err
    assert (root / "site.yaml").exists()


def test_a_bad_now_is_a_usage_error(run: Callable[..., Result]) -> None:
    result = run("build", "--site", str(ROOT), "--now", "2026-11-24 12:00")
    assert result.code == 2
    assert "--now: the time '2026-11-24 12:00' has no time zone" in result.err


def test_site_templates_override_the_defaults(site: Callable[..., Path]) -> None:
    root = site({"templates/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost?</h1>{% endblock %}",
                 "templates/assets/style.css": "body{}"})
    outputs, _ = build_site(root, NOW)
    assert outputs is not None
    assert b"<h1>Lost?</h1>" in outputs["404.html"]
    assert outputs[fingerprint("style.css", b"body{}")] == b"body{}"
    assert b"Page not found" not in outputs["404.html"]


def test_a_broken_template_override_is_a_located_error(site: Callable[..., Path], run: Callable[..., Result]) -> None:
    root = site({"templates/404.html": "line one\n{% if %}\n"})
    result = run("build", "--site", str(root), "--now", NOW_TEXT)
    assert result.code == 1
    assert "templates/404.html:2: error: template error:" in result.err
    assert "Traceback" not in result.err


def test_content_only_folder_builds_with_default_templates(site: Callable[..., Path]) -> None:
    outputs, problems = build_site(site(), NOW)
    assert outputs is not None and not problems
    assert b"All systems operational" in outputs["index.html"]
    assert any(name.startswith("assets/style.") and name.endswith(".css") for name in outputs)


@pytest.mark.parametrize(
    ("repository", "link"),
    [
        ("{url: https://github.com/example/status}", "https://github.com/example/status/commits/main/incidents/x.md"),
        ("{url: 'https://git.example.org/ops/site/', branch: live, path: /status/}",
         "https://git.example.org/ops/site/commits/live/status/incidents/x.md"),
    ],
)
def test_notice_pages_link_to_their_file_history(site: Callable[..., Path], repository: str, link: str) -> None:
    from conftest import SITE_YAML

    root = site({"incidents/x.md": INCIDENT.format(title="X", n=1, time="2026-11-24 10:00 UTC")},
                config=SITE_YAML + f"repository: {repository}\n")
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, problems
    assert f'<a href="{link}">Every change to this notice since it was published</a>' in outputs[
        "incidents/x/index.html"].decode()
    assert "Every change" not in outputs["index.html"].decode()


def test_without_repository_there_is_no_history_link(site: Callable[..., Path]) -> None:
    outputs, _ = build_site(site({"incidents/x.md": INCIDENT.format(title="X", n=1, time="2026-11-24 10:00 UTC")}),
                            NOW)
    assert outputs is not None
    assert "Every change" not in outputs["incidents/x/index.html"].decode()


def test_a_now_out_of_range_is_a_usage_error(run: Callable[..., Result]) -> None:
    result = run("build", "--site", str(ROOT), "--now", "9999-12-31T23:00-05:00")
    assert result.code == 2
    assert "--now: '9999-12-31T23:00-05:00' is after 9999; give a time between 1970 and 9999" in result.err
    assert "Traceback" not in result.err


def test_links_to_the_site_itself_get_no_rel(site: Callable[..., Path]) -> None:
    from conftest import SITE_YAML

    text = INCIDENT.format(title="X", n=1, time="2026-11-24 10:00 UTC").replace(
        "Looking.", "See [our page](https://status.test.example/history/) and [theirs](https://other.example/).")
    outputs, _ = build_site(site({"incidents/x.md": text}, config=SITE_YAML), NOW)
    assert outputs is not None
    page = outputs["incidents/x/index.html"].decode()
    assert '<a href="https://status.test.example/history/">our page</a>' in page
    assert '<a href="https://other.example/" rel="noopener nofollow">theirs</a>' in page
