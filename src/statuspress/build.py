"""The pipeline: load, compute, render, write. `build_site` returns files; `write_site` is the only writer."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import jinja2

from .api import api_files
from .badges import badge_files
from .calendar import calendar_files
from .feeds import feed_files
from .load import future_updates, load_site
from .model import Problem
from .render import assets, environment, render_pages
from .views import all_views


def build_site(root: Path, now: datetime) -> tuple[dict[str, bytes] | None, list[Problem]]:
    """Build every output file of the site at `now`; None and the problems if the content is wrong."""
    site, problems = load_site(root)
    if site is None or any(p.is_error for p in problems):
        return None, problems
    problems += future_updates(site, now)
    views = all_views(site.config, [*site.incidents, *site.maintenance], now)
    env = environment(site)
    try:
        outputs = render_pages(site, views, now, env)
        outputs.update(feed_files(site, views, now, env))  # feed.atom, feeds/<component>.atom
        outputs.update(calendar_files(site, views, now))  # maintenance.ics
        outputs.update(api_files(site, now))  # api/v2/*.json
        outputs.update(badge_files(site, views, now, env))  # badges, embeds, offline pages, _headers
    except jinja2.TemplateSyntaxError as exc:
        return None, [*problems, Problem(f"templates/{exc.name}", exc.lineno, f"template error: {exc.message}")]
    except jinja2.TemplateError as exc:
        return None, [*problems, Problem("templates", 1, f"template error: {exc}",
                                         "a template override uses a name the page does not have")]
    outputs.update(assets(site))
    return dict(sorted(outputs.items())), problems


def write_site(outputs: dict[str, bytes], out: Path) -> None:
    """Write the files into a fresh folder beside `out`, then swap it in: never a half-written site."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name, data in outputs.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
