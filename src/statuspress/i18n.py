"""Languages: the message catalogues (gettext, through Babel) and a site's words, numbers and dates.

Every fixed text of the pages, feeds, calendar, badges and embeds comes from the catalogue of the
site's `language`: `locale/<code>/LC_MESSAGES/messages.po`, compiled in memory when first needed (no
`.mo` file to go stale). The templates mark their texts with `{% trans %}` and `_()`; the Python
sources with `gettext`, `ngettext` and `pgettext`; `pybabel extract -F babel.cfg` collects both into
`locale/messages.pot`. What machines read (API enums and descriptions, ISO times, ids) is never
translated, and neither is what the team wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.numbers import parse_pattern

from .model import ComponentStatus, Impact, Indicator, Kind
from .times import Dates

if TYPE_CHECKING:
    from babel.support import Translations

DOMAIN = "messages"
LANGUAGES = ("en", "it", "de", "ca", "ja")  # each has locale/<code>/LC_MESSAGES/messages.po
DEFAULT = "en"
# A language tag as the `lang` attribute takes it (BCP 47): `it`, `de-CH`, `pt-BR`, `zh-Hant-TW`.
TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def catalogue_path(code: str) -> str:
    return f"locale/{code}/LC_MESSAGES/{DOMAIN}.po"


def catalogue_code(tag: str) -> str | None:
    """Return the catalogue for a language tag (its primary subtag: `de-CH` → `de`), or None if none ships."""
    code = tag.split("-", 1)[0].lower()
    return code if code in LANGUAGES else None


@cache
def translations(code: str) -> Translations:
    """Compile a shipped catalogue (`.po`) into gettext translations, in memory; fuzzy entries are left out."""
    # Imported here: only the commands that render pages compile a catalogue; `check` and `new` do not.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    po = files("statuspress").joinpath(catalogue_path(code)).read_bytes()
    catalog = read_po(BytesIO(po), locale=code, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def _words(pgettext: Callable[[str, str], str]) -> dict[str, dict[str, str]]:
    """Every status word of the pages, by table and value. The literal `pgettext` calls are what
    `pybabel extract` finds; the English texts are those of model.py (a test checks they agree)."""
    return {
        "component": {
            ComponentStatus.OPERATIONAL: pgettext("component status", "Operational"),
            ComponentStatus.UNDER_MAINTENANCE: pgettext("component status", "Under maintenance"),
            ComponentStatus.DEGRADED_PERFORMANCE: pgettext("component status", "Degraded performance"),
            ComponentStatus.PARTIAL_OUTAGE: pgettext("component status", "Partial outage"),
            ComponentStatus.MAJOR_OUTAGE: pgettext("component status", "Major outage"),
        },
        # "Affected: Webhooks (degraded performance)": inside a sentence, cased as the language wants.
        "component in a sentence": {
            ComponentStatus.OPERATIONAL: pgettext("component status in a sentence", "operational"),
            ComponentStatus.UNDER_MAINTENANCE: pgettext("component status in a sentence", "under maintenance"),
            ComponentStatus.DEGRADED_PERFORMANCE: pgettext("component status in a sentence", "degraded performance"),
            ComponentStatus.PARTIAL_OUTAGE: pgettext("component status in a sentence", "partial outage"),
            ComponentStatus.MAJOR_OUTAGE: pgettext("component status in a sentence", "major outage"),
        },
        "indicator": {
            Indicator.NONE: pgettext("overall status", "All systems operational"),
            Indicator.MINOR: pgettext("overall status", "Minor service disruption"),
            Indicator.MAJOR: pgettext("overall status", "Partial system outage"),
            Indicator.CRITICAL: pgettext("overall status", "Major system outage"),
            Indicator.MAINTENANCE: pgettext("overall status", "Scheduled maintenance in progress"),
        },
        "impact": {
            Impact.NONE: pgettext("impact", "None"),
            Impact.MINOR: pgettext("impact", "Minor"),
            Impact.MAJOR: pgettext("impact", "Major"),
            Impact.CRITICAL: pgettext("impact", "Critical"),
        },
        "impact phrase": {
            Impact.NONE: pgettext("impact", "No impact"),
            Impact.MINOR: pgettext("impact", "Minor impact"),
            Impact.MAJOR: pgettext("impact", "Major impact"),
            Impact.CRITICAL: pgettext("impact", "Critical impact"),
        },
        # An incident's status, and the label of its updates (`## Identified · …`).
        Kind.INCIDENT: {
            "investigating": pgettext("incident status", "Investigating"),
            "identified": pgettext("incident status", "Identified"),
            "monitoring": pgettext("incident status", "Monitoring"),
            "update": pgettext("incident status", "Update"),
            "resolved": pgettext("incident status", "Resolved"),
        },
        # A maintenance's state, and the label of its updates (`## In progress · …`).
        Kind.MAINTENANCE: {
            "scheduled": pgettext("maintenance status", "Scheduled"),
            "in progress": pgettext("maintenance status", "In progress"),
            "verifying": pgettext("maintenance status", "Verifying"),
            "completed": pgettext("maintenance status", "Completed"),
            "cancelled": pgettext("maintenance status", "Cancelled"),
            "update": pgettext("maintenance status", "Update"),
        },
    }


@dataclass(frozen=True)
class Language:
    """A site's language: its catalogue, its words, and its dates and numbers."""

    tag: str  # as `site.yaml` gives it: the pages' `lang` attribute
    code: str  # the catalogue it uses: one of LANGUAGES
    translations: Translations = field(repr=False)
    dates: Dates = field(repr=False)
    locale: Locale = field(repr=False)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return str(self.translations.pgettext(context, message))

    @property
    def _table(self) -> dict[str, dict[str, str]]:
        return _tables(self.code)

    def words(self, value: ComponentStatus | Indicator | Impact) -> str:
        """A status, the overall status or an impact level in words: `Partial outage`, `Minor`."""
        table = ("component" if isinstance(value, ComponentStatus)
                 else "indicator" if isinstance(value, Indicator) else "impact")
        return self._table[table][value]

    def in_sentence(self, value: ComponentStatus) -> str:
        """A component status inside a sentence: `degraded performance`."""
        return self._table["component in a sentence"][value]

    def impact(self, value: Impact) -> str:
        """An impact as a phrase: `Minor impact`."""
        return self._table["impact phrase"][value]

    def state(self, kind: Kind, value: str) -> str:
        """An incident's status, a maintenance's state, or an update's label, in words: `In progress`."""
        return self._table[kind][value.replace("_", " ")]

    def duration(self, delta: timedelta) -> str:
        """A duration: `2 h 5 min`, `3 d 4 h` or `45 min` in English."""
        minutes = max(0, int(delta.total_seconds() // 60))
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        if days and hours:
            return self.gettext("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
        if days:
            return self.gettext("%(days)d d") % {"days": days}
        if hours and mins:
            return self.gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
        if hours:
            return self.gettext("%(hours)d h") % {"hours": hours}
        return self.gettext("%(minutes)d min") % {"minutes": mins}

    def percent(self, value: str | float, decimals: int = 2) -> str:
        """A percentage given as a number of percent (`"99.97"`, `30`) in the locale's form: `99.97%`,
        `99,97 %`; `decimals` fixes the digits after the point (2), or allows up to `-decimals`."""
        pattern = parse_pattern(self.locale.percent_formats[None].pattern)
        pattern.frac_prec = (decimals, decimals) if decimals >= 0 else (0, -decimals)
        return str(pattern.apply(Decimal(str(value)) / 100, self.locale))


@cache
def _tables(code: str) -> dict[str, dict[str, str]]:
    found = translations(code)
    return _words(lambda context, message: str(found.pgettext(context, message)))


@cache
def language(tag: str) -> Language:
    """Return the language of a tag; a tag without a shipped catalogue gets English (config.py warns)."""
    code = catalogue_code(tag) or DEFAULT
    return Language(tag, code, translations(code), dates(tag), _locale(tag, code))


@cache
def dates(tag: str) -> Dates:
    """The dates of a language tag, as `language(tag).dates`, without compiling its catalogue."""
    code = catalogue_code(tag) or DEFAULT
    return Dates(None if code == "en" else _locale(tag, code))


def _locale(tag: str, code: str) -> Locale:
    """The locale of a tag whose catalogue is `code`: the tag's own when Babel knows it (`de-CH`: Swiss German
    dates and numbers), else the catalogue's."""
    if code == catalogue_code(tag):
        with suppress(ValueError, UnknownLocaleError):
            return Locale.parse(tag, sep="-")
    return Locale.parse(code)


def supported() -> str:
    return ", ".join(LANGUAGES)
