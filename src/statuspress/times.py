"""Reading and writing timestamps: always with a time zone, shown in UTC and the site's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

_TIME = re.compile(
    r"""^(?P<date>\d{4}-\d{2}-\d{2})
        (?:[T ]\s*(?P<clock>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?
        \s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$""",
    re.VERBOSE | re.IGNORECASE,
)

TIME_FORMS = "e.g. 2026-11-18T09:41:00Z or 2026-11-18 09:41 UTC or 2026-11-18 10:41 +01:00"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class TimeError(ValueError):
    """A time that cannot be read, with a hint on how to write it."""

    def __init__(self, message: str, hint: str = TIME_FORMS) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 or `YYYY-MM-DD HH:MM <zone>` time into an aware UTC datetime."""
    match = _TIME.match(text.strip())
    if not match:
        raise TimeError(f"cannot read the time '{text}'")
    date, clock, zone = match["date"], match["clock"], match["zone"]
    if clock is None:
        raise TimeError(f"'{text}' is a date without a time", "add the time and zone, " + TIME_FORMS)
    if zone is None:
        raise TimeError(
            f"the time '{text}' has no time zone", "add 'UTC', 'Z' or an offset such as +01:00"
        )
    zone = zone.upper()
    if zone in ("Z", "UTC", "GMT"):
        zone = "+00:00"
    elif len(zone) == 3:
        zone += ":00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    if len(clock.split(":")[0]) == 1:
        clock = "0" + clock
    try:
        return datetime.fromisoformat(f"{date}T{clock}{zone}").astimezone(UTC)
    except ValueError as exc:
        raise TimeError(f"'{text}' is not a valid time: {exc}") from None


def parse_now(text: str | None) -> datetime:
    """Return `--now` as an aware UTC datetime; the clock is read only when it is absent."""
    if text is None or text.strip().lower() == "now":
        return datetime.now(UTC).replace(microsecond=0)
    return parse_time(text)


def iso(moment: datetime) -> str:
    """Format as ISO 8601 UTC with a `Z`, for `datetime` attributes and machines."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_name(moment: datetime, zone: tzinfo) -> str:
    """Return the zone's abbreviation at that moment (CET, CEST, …), or its offset."""
    local = moment.astimezone(zone)
    return local.tzname() or local.strftime("%z")


def clock(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def day(moment: datetime, zone: tzinfo, weekday: bool = False) -> str:
    """Format the date as `24 Nov 2026` (or `Tue 24 Nov 2026`) in `zone`, whatever the locale."""
    local = moment.astimezone(zone)
    text = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    return f"{WEEKDAYS[local.weekday()]} {text}" if weekday else text


def stamp(moment: datetime, zone: tzinfo, weekday: bool = False) -> str:
    """Format as `24 Nov 2026, 12:00 UTC (13:00 CET)`: UTC first, then the site's zone."""
    text = f"{day(moment, UTC, weekday)}, {clock(moment, UTC)} UTC"
    if _same_as_utc(moment, zone):
        return text
    local = moment.astimezone(zone)
    prefix = "" if local.date() == moment.astimezone(UTC).date() else day(moment, zone) + ", "
    return f"{text} ({prefix}{clock(moment, zone)} {zone_name(moment, zone)})"


def local_stamp(moment: datetime, zone: tzinfo) -> str:
    """Format as `Wed 25 Nov 22:00 CET`: the short form used for moved windows."""
    local = moment.astimezone(zone)
    return (
        f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} "
        f"{clock(moment, zone)} {zone_name(moment, zone)}"
    )


def span(start: datetime, end: datetime, zone: tzinfo) -> str:
    """Format a window as `Wed 2 Dec 2026, 08:00–09:00 UTC (09:00–10:00 CET)`."""
    text = _span_in(start, end, UTC, "UTC")
    if _same_as_utc(start, zone) and _same_as_utc(end, zone):
        return text
    name = zone_name(start, zone)
    if all(m.astimezone(zone).date() == m.astimezone(UTC).date() for m in (start, end)):
        return f"{text} ({clock(start, zone)}–{clock(end, zone)} {name})"
    return f"{text} ({_span_in(start, end, zone, name)})"


def _span_in(start: datetime, end: datetime, tz: tzinfo, name: str) -> str:
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() == last.date():
        return f"{day(first, tz, True)}, {first:%H:%M}–{last:%H:%M} {name}"
    return f"{day(first, tz, True)} {first:%H:%M} – {day(last, tz, True)} {last:%H:%M} {name}"


def _same_as_utc(moment: datetime, zone: tzinfo) -> bool:
    return moment.astimezone(zone).utcoffset() == timedelta(0) and zone_name(moment, zone) in (
        "UTC",
        "GMT",
    )


def duration(delta: timedelta) -> str:
    """Format a duration as `2 h 5 min`, `3 d 4 h` or `45 min`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def date_words(value: date) -> str:
    """Format a calendar date as `Tue 24 Nov 2026`."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def date_range(first: date, last: date) -> str:
    """Format a stretch of days as `on 24 Nov 2026`, `12–23 Nov 2026` or `28 Oct – 3 Nov 2026`."""
    if first == last:
        return f"on {date_words(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
    head = f"{first.day} {MONTHS[first.month - 1]}" + (f" {first.year}" if first.year != last.year else "")
    return f"{head} – {last.day} {MONTHS[last.month - 1]} {last.year}"
