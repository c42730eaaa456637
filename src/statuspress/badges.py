"""Badges, embeddable notices, offline pages and host headers: what other sites and servers use."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment

from .model import Site
from .views import NoticeView


def badge_files(site: Site, views: list[NoticeView], now: datetime, env: Environment) -> dict[str, bytes]:
    """Return the badges, embeds, offline pages and `_headers`, keyed by path."""
    return {}
