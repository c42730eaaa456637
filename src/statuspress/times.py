"""Reading and writing timestamps: always with a time zone, shown in UTC and the site's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from babel import Locale
from babel.dates import format_skeleton, parse_pattern

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
    m = moment.astimezone(UTC)
    if m.year < 1000:  # strftime does not pad the year
        return m.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{m.year}-{m.month:02}-{m.day:02}T{m.hour:02}:{m.minute:02}:{m.second:02}Z"


def zone_name(moment: datetime, zone: tzinfo) -> str:
    """Return the zone's abbreviation at that moment (CET, CEST, …), or its offset."""
    local = moment.astimezone(zone)
    return local.tzname() or local.strftime("%z")


def clock(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.hour:02}:{local.minute:02}"


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


def range_parts(first: date, last: date) -> tuple[str, str, str]:
    """Split `date_range(first, last)` of two different days into (first, separator, last), so that each
    end can stand in its own <time> element: `19`, `–`, `23 Nov 2026`."""
    def words(d: date, year: bool) -> str:
        return f"{d.day} {MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")

    if (first.year, first.month) == (last.year, last.month):
        return str(first.day), "–", words(last, True)
    return words(first, first.year != last.year), " – ", words(last, True)


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
# A separator at the end of the first part of a CLDR interval ("d–", "y年M月d日～"): split off to stand
# between the two <time> elements of a range.
_TRAILING_SEPARATOR = re.compile(r"^(.*?)(\s*[-–—~～]\s*)$", re.DOTALL)


class Dates:
    """Dates and times in one language, always in UTC and the site's zone as above.

    English keeps the forms above (`24 Nov 2026, 12:00 UTC (13:00 CET)`), whatever its region. Any
    other locale takes its month and weekday names, the order of day, month and year, and how a date
    and a time are joined from Babel's CLDR data (`24 nov 2026, 12:00 UTC (13:00 CET)` in Italian,
    `2026年11月24日 12:00 UTC (13:00 CET)` in Japanese). Zone abbreviations stay as the zone database
    gives them, and nothing depends on the machine's locale or time zone.
    """

    def __init__(self, locale: Locale | None = None) -> None:
        self.locale = locale  # None: English

    def _format(self, skeleton: str, value: date) -> str:
        assert self.locale is not None
        # The wall-clock date and time as given, whatever their zone: Babel formats it as UTC.
        moment = value if isinstance(value, datetime) else datetime.combine(value, time())
        return format_skeleton(skeleton, moment.replace(tzinfo=UTC), tzinfo=UTC, locale=self.locale)

    def _join(self, day_text: str, clock_text: str) -> str:
        """Join a date and a time as the locale does (`{1}, {0}`: `24 nov 2026, 12:00`)."""
        assert self.locale is not None
        pattern = str(self.locale.datetime_formats.get("medium", "{1} {0}")).replace("'", "")
        return pattern.replace("{1}", day_text).replace("{0}", clock_text)

    def clock(self, moment: datetime, zone: tzinfo) -> str:
        if self.locale is None:
            return clock(moment, zone)
        return self._format("Hm", moment.astimezone(zone))

    def date_words(self, value: date) -> str:
        """`Tue 24 Nov 2026`, `mar 24 nov 2026`, `2026年11月24日(火)`."""
        return date_words(value) if self.locale is None else self._format("yMMMEd", value)

    def day(self, moment: datetime, zone: tzinfo, weekday: bool = False, year: bool = True) -> str:
        """The date of `moment` in `zone`: `24 Nov 2026`, or `Tue 24 Nov 2026` with the weekday."""
        if self.locale is None:
            return day(moment, zone, weekday)
        skeleton = ("y" if year else "") + ("MMMEd" if weekday else "MMMd")
        return self._format(skeleton, moment.astimezone(zone))

    def short_date(self, value: date) -> str:
        """A day without its year: `27 Aug`, `27 ago`, `8月27日`."""
        return f"{value.day} {MONTHS[value.month - 1]}" if self.locale is None else self._format("MMMd", value)

    def month(self, value: date) -> str:
        """A month heading: `November 2026`, `novembre 2026`, `2026年11月`."""
        if self.locale is None:
            return f"{MONTH_NAMES[value.month - 1]} {value.year}"
        return self._format("yMMMM", value)

    def stamp(self, moment: datetime, zone: tzinfo, weekday: bool = False, year: bool = True) -> str:
        """`24 Nov 2026, 12:00 UTC (13:00 CET)`: UTC first, then the site's zone (with its date if it differs)."""
        if self.locale is None:
            text = stamp(moment, zone, weekday)
            when = moment.astimezone(UTC).year
            return text if year else text.replace(f" {when},", ",")
        text = f"{self._join(self.day(moment, UTC, weekday, year), self.clock(moment, UTC))} UTC"
        if _same_as_utc(moment, zone):
            return text
        local = self.clock(moment, zone)
        if moment.astimezone(zone).date() != moment.astimezone(UTC).date():
            local = self._join(self.day(moment, zone, False, year), local)
        return f"{text} ({local} {zone_name(moment, zone)})"

    def short_stamp(self, moment: datetime, zone: tzinfo, now: datetime) -> str:
        """As `stamp`, without the year when it is the year of `now`: `24 Nov, 12:00 UTC (13:00 CET)`."""
        return self.stamp(moment, zone, year=moment.astimezone(UTC).year != now.astimezone(UTC).year)

    def local_stamp(self, moment: datetime, zone: tzinfo) -> str:
        """`Wed 25 Nov 22:00 CET`: the short form used for moved windows."""
        if self.locale is None:
            return local_stamp(moment, zone)
        return f"{self._join(self.day(moment, zone, True, False), self.clock(moment, zone))} {zone_name(moment, zone)}"

    def span(self, start: datetime, end: datetime, zone: tzinfo) -> str:
        """A window: `Wed 2 Dec 2026, 08:00–09:00 UTC (09:00–10:00 CET)`."""
        if self.locale is None:
            return span(start, end, zone)
        text = self._span_in(start, end, UTC, "UTC")
        if _same_as_utc(start, zone) and _same_as_utc(end, zone):
            return text
        name = zone_name(start, zone)
        if all(m.astimezone(zone).date() == m.astimezone(UTC).date() for m in (start, end)):
            return f"{text} ({self.clock(start, zone)}–{self.clock(end, zone)} {name})"
        return f"{text} ({self._span_in(start, end, zone, name)})"

    def _span_in(self, start: datetime, end: datetime, tz: tzinfo, name: str) -> str:
        first, last = start.astimezone(tz), end.astimezone(tz)
        if first.date() == last.date():
            return f"{self._join(self.date_words(first), f'{self.clock(first, tz)}–{self.clock(last, tz)}')} {name}"
        return (f"{self._join(self.date_words(first), self.clock(first, tz))} – "
                f"{self._join(self.date_words(last), self.clock(last, tz))} {name}")

    def date_range(self, first: date, last: date) -> str:
        """A stretch of days: `on 24 Nov 2026` or `12–23 Nov 2026` in English, `12–23 nov 2026` in Italian."""
        if self.locale is None:
            return date_range(first, last)
        return "".join(self.range_parts(first, last)) if first != last else self.date_words(first)

    def range_parts(self, first: date, last: date) -> tuple[str, str, str]:
        """Split a stretch of two or more days into (first, separator, last) for two <time> elements,
        following the locale's interval form: `12`, `–`, `23 nov 2026`; `2026年11月12日`, `～`, `23日`."""
        if self.locale is None:
            return range_parts(first, last)
        start, end = (datetime.combine(d, time(), tzinfo=UTC) for d in (first, last))
        field = "y" if first.year != last.year else "M" if first.month != last.month else "d"
        pieces = (self.locale.interval_formats.get("yMMMd") or {}).get(field)
        if pieces and len(pieces) == 2:
            head, tail = (parse_pattern(p).apply(m, self.locale) for p, m in zip(pieces, (start, end), strict=True))
        else:
            head, tail = self._format("yMMMd", first), self._format("yMMMd", last)
            fallback = str(self.locale.interval_formats.get(None, "{0} – {1}"))
            between = fallback.split("{0}", 1)[-1].split("{1}", 1)[0]
            return head, between, tail
        match = _TRAILING_SEPARATOR.match(head)
        if match and match[1]:
            return match[1], match[2], tail
        return head, "", tail
