"""The time a page is "as of": the pages that show the site at `now` say when that was ("Status as of …").

They are made with a mark in the time's place, and the time is put in last (`filled`). A rebuild at a later
`now` when nothing else changed (quiet.py) then puts the new time into the last build's marked files
instead of making them again. A mark starts with a NUL, which no text of a site holds (YAML refuses it,
and a notice file holding one is not read), and an escaped text has no `<`.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo

from markupsafe import Markup

from . import i18n, times

TIME = Markup("\0<as-of>")  # `<time>` of `now`, as macros.html `time` writes it
SHORT = Markup("\0<as-of-short>")  # the same without the year, as macros.html `short_time` writes it
ASCII = Markup("\0<as-of-ascii>")  # TIME with character references for all that is not ASCII (the embed)
ISO = "\0as-of-iso"  # the ISO 8601 time, as a JSON string
UPDATED = b"\0<as-of-updated>"  # an Atom feed's <updated> (`updated`): an empty feed is as of `now`
Marks = tuple[tuple[bytes, bytes], ...]  # each mark as it stands in a file, and what takes its place


class Stamped(bytes):
    """An output file holding marks where `now` goes; `filled` puts it in. It is never kept (reuse.py)."""


def marks(language: str, zone: tzinfo, now: datetime) -> Marks:
    """What each mark stands for at `now`, on the pages of a site in `language` and `zone`."""
    dates = i18n.dates(language)
    iso = times.iso(now)
    full = Markup('<time datetime="{}">{}</time>').format(iso, dates.stamp(now, zone))
    short = Markup('<time datetime="{}">{}</time>').format(iso, dates.short_stamp(now, zone, now))
    return (
        (TIME.encode(), full.encode()),
        (SHORT.encode(), short.encode()),
        (ASCII.encode(), full.encode("ascii", "xmlcharrefreplace")),
        (json.dumps(ISO).encode(), json.dumps(iso).encode()),
        (UPDATED, updated(now)),
    )


def updated(now: datetime) -> bytes:
    """An Atom feed's `<updated>` element at `now`, as feedgen writes it."""
    return f"<updated>{now.isoformat()}</updated>".encode()


def filled(data: bytes, found: Marks) -> bytes:
    """The file `data` with the time in the place of each mark (`marks`)."""
    for mark, text in found:
        if mark in data:
            data = data.replace(mark, text)
    return bytes(data)
