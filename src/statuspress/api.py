"""The Statuspage-compatible JSON API: files under `api/v2/`."""

from __future__ import annotations

from datetime import datetime

from .model import Site


def api_files(site: Site, now: datetime) -> dict[str, bytes]:
    """Return the API's JSON files, keyed by path."""
    return {}
