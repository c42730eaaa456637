"""Message templates: Markdown with Jinja2 placeholders, approved once by pull request.

The package ships defaults in `templates/messages/`; a site's `templates/messages/<name>.md`
replaces one by name. They are Markdown, not HTML, so nothing is HTML-escaped here: the site
escapes and sanitises when it renders the notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

import yaml
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from . import times
from .model import SiteConfig


def yaml_scalar(value: str) -> str:
    """Quote a value for YAML, whatever characters it has."""
    text = yaml.safe_dump(value, allow_unicode=True, default_style='"', width=10_000)
    return text.strip().removesuffix("...").strip()


def names(config: SiteConfig, components: Sequence[tuple[str, Any]]) -> str:
    """Return the components' names as prose: `API`, `API and Dashboard`, `API, Dashboard and Webhooks`."""
    words = [config.component(cid).name for cid, _ in components]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def message_environment(root: Path, config: SiteConfig) -> Environment:
    """Build the environment for message templates: the site's first, then the defaults."""
    zone = config.zone
    loaders: list[Any] = []
    overrides = root / "templates" / "messages"
    if overrides.is_dir():
        loaders.append(FileSystemLoader(overrides))
    loaders.append(PackageLoader("statuspress", "templates/messages"))
    env = Environment(  # noqa: S701 - Markdown source, escaped later by the site's renderer
        loader=ChoiceLoader(loaders),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        yaml=yaml_scalar,
        iso=times.iso,
        clock=lambda t: times.clock(t, UTC),
        heading_time=lambda t: t.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        local_stamp=lambda t: times.local_stamp(t, zone),
        span=lambda w: times.span(w.start, w.end, zone),
    )
    return env


def render_message(env: Environment, name: str, **context: Any) -> str:
    """Render the message template `name` (without `.md`)."""
    return env.get_template(f"{name}.md").render(**context)
