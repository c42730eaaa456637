"""Collecting problems about one file: typed field readers that report instead of raising."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from .model import Problem
from .times import TimeError, parse_time
from .yamlsource import Located

E = TypeVar("E", bound=StrEnum)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# What would break a `path:line: message` line apart or hide in a terminal: shown escaped in problems.
INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)  # a day's margin for any time zone, and a day more for date arithmetic
YEARS = "times must fall between 1970 and 30 Dec 9999; check the year"


def content_time(text: str) -> datetime:
    """Parse a time of the content: as `parse_time`, but only from 1970 to the last days of 9999.

    Feeds, calendars, the API and the date arithmetic of the build all need a real year, shown in any
    time zone; a time outside that span is a typo.
    """
    year = re.match(r"\s*(\d+)-", text)
    if year and int(year[1]) > 9999:
        raise TimeError(f"'{text}' is after 9999", YEARS)
    if year and int(year[1]) < 1970:
        raise TimeError(f"'{text}' is before 1970", YEARS)
    try:
        moment = parse_time(text)
    except OverflowError:  # 9999-12-31 23:00 -05:00 is in the year 10000 in UTC
        raise TimeError(f"'{text}' is after 9999", YEARS) from None
    if moment < EARLIEST:  # 1970-01-01 00:30 +01:00
        raise TimeError(f"'{text}' is before 1970", YEARS)
    if moment >= LATEST:
        raise TimeError(f"'{text}' is too close to the year 10000", YEARS)
    return moment


def visible(text: str) -> str:
    """Escape control characters and line breaks of a text quoted in a problem, so that it stays one line."""
    return INVISIBLE.sub(lambda match: f"\\u{ord(match.group()):04x}" if ord(match.group()) > 0xff
                         else f"\\x{ord(match.group()):02x}", text)


def suggest(name: str, options: Iterable[str]) -> str:
    """Return a "did you mean" hint for a misspelt name, or list the options."""
    options = list(options)
    close = difflib.get_close_matches(name.lower(), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(options)


class Reporter:
    """Problems found in one file; its readers return None where a value is wrong."""

    def __init__(self, path: str) -> None:
        self.path = visible(path)
        self.problems: list[Problem] = []

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, visible(message), visible(hint)))

    def warning(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, visible(message), visible(hint), "warning"))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)

    def mapping(
        self,
        doc: Located,
        path: tuple[str | int, ...],
        value: Any,
        known: Iterable[str],
        required: Iterable[str] = (),
        what: str = "",
    ) -> dict[str, Any] | None:
        """Check that `value` is a mapping with only `known` keys and all `required` ones."""
        what = what or (f"'{path[-1]}'" if path else "the front matter")
        if not isinstance(value, dict):
            self.error(doc.line(*path), f"{what} must be a mapping of 'name: value' fields")
            return None
        known = list(known)
        for key in value:
            if not isinstance(key, str) or key not in known:
                self.error(
                    doc.line(*path, str(key)), f"unknown field '{key}' in {what}", suggest(str(key), known)
                )
        for key in required:
            if value.get(key) in (None, ""):
                line = doc.line(*path, key) if key in value else doc.line(*path)
                self.error(line, f"missing required field '{key}' in {what}", f"add '{key}: …'")
        return value

    def text(self, doc: Located, path: tuple[str | int, ...], value: Any) -> str | None:
        """Read a string field; numbers are accepted and turned into text."""
        if value is None:
            return None
        if isinstance(value, (bool, dict, list)):
            self.error(doc.line(*path), f"'{path[-1]}' must be text", "quote it if it is")
            return None
        text = str(value).strip()
        found = CONTROL.search(text)
        if found is not None:
            bad = found.group()
            # Feeds, calendars and XML cannot carry these; they are never meant in a title or a name.
            self.error(doc.line(*path), f"'{path[-1]}' contains the control character U+{ord(bad):04X}",
                       "remove it; write line breaks in the text below the front matter")
            return None
        return text

    def time(self, doc: Located, path: tuple[str | int, ...], value: Any) -> datetime | None:
        """Read a time with a zone; report a missing zone or date-only value."""
        if value is None:
            return None
        try:
            return content_time(str(value))
        except TimeError as exc:
            self.error(doc.line(*path), f"'{path[-1]}': {exc.message}", exc.hint)
            return None

    def choice(self, doc: Located, path: tuple[str | int, ...], value: Any, allowed: Iterable[E]) -> E | None:
        """Read an enum value from `allowed`, with a suggestion when it is misspelt."""
        options = list(allowed)
        given = "" if value is None else str(value)  # an empty value is not Impact.NONE, nor shown as 'None'
        for option in options:
            if given.strip().lower() == option.value:
                return option
        self.error(
            doc.line(*path),
            f"'{path[-1]}' cannot be '{given}'" if given else f"'{path[-1]}' is empty",
            suggest(given, [o.value for o in options]),
        )
        return None
