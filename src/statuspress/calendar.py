"""The maintenance calendar (RFC 5545): `maintenance.ics`."""

from __future__ import annotations

from datetime import datetime

from .model import Site
from .views import NoticeView


def calendar_files(site: Site, views: list[NoticeView], now: datetime) -> dict[str, bytes]:
    """Return the calendar files of the site, keyed by path."""
    return {}
