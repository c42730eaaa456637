"""Languages (issue 5): every fixed text comes from a message catalogue, `language` in site.yaml picks one,
and the shipped catalogues (en, it, de, ca, ja) are complete; dates follow the locale."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from lxml import html

from conftest import NOW, ROOT
from statuspress import i18n
from statuspress.build import build_site
from statuspress.load import load_site
from statuspress.markup import to_html
from statuspress.model import ComponentStatus, Impact, Indicator, Kind
from statuspress.times import MONTH_NAMES, MONTHS, WEEKDAYS

PACKAGE = ROOT / "src" / "statuspress"
LOCALE = PACKAGE / "locale"
OTHERS = ("it", "de", "ca", "ja")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
TAG = re.compile(r"<[^>]*>")

# The footer's "Status as of …" time at NOW in each language (Europe/Rome): UTC first, then the site's zone.
STAMPS = {
    "en": "24 Nov 2026, 12:00 UTC (13:00 CET)",
    "it": "24 nov 2026, 12:00 UTC (13:00 CET)",
    "ja": "2026年11月24日 12:00 UTC (13:00 CET)",
}
# A day with its weekday, as the home page heads the day of an incident.
DAYS = {
    "en": "Tue 24 Nov 2026",
    "it": "mar 24 nov 2026",
    "ja": "2026年11月24日(火)",
}


# --- the catalogues ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages of the current templates and Python sources, extracted as README.md says."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-wrap",
                                "--add-comments=Translators:", "-o", str(pot), str(PACKAGE)])
    with pot.open("rb") as f:
        return read_po(f)


def keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def read(code: str) -> Catalog:
    with (LOCALE / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=code)


def strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def test_extraction_finds_the_texts_of_templates_and_sources(extracted: Catalog) -> None:
    found = keys(extracted)
    assert len(found) > 130
    assert (None, "Ongoing incidents") in found  # a template's _()
    assert (None, "Email <a href=\"mailto:%(email)s\">%(email)s</a>.") in found  # a {% trans %} block
    assert ("component status", "Partial outage") in found  # a status word in i18n.py
    assert (None, "%(num)d ongoing incident") in found  # a plural in badges.py
    assert (None, "Affects:") in found  # the calendar


def test_the_template_file_is_up_to_date(extracted: Catalog) -> None:
    with (LOCALE / "messages.pot").open("rb") as f:
        shipped = read_po(f)
    assert keys(shipped) == keys(extracted), "run pybabel extract (README.md, Languages)"


@pytest.mark.parametrize("code", i18n.LANGUAGES)
def test_every_catalogue_is_complete(code: str, extracted: Catalog) -> None:
    catalog = read(code)
    wanted, have = keys(extracted), keys(catalog)
    assert not sorted(wanted - have, key=str), f"{code}: missing; run pybabel update and translate them"
    assert not sorted(have - wanted, key=str), f"{code}: no longer used; run pybabel update"
    assert catalog.num_plurals >= 1
    for message in catalog:
        if not message.id:
            continue
        where = f"{code}: {message.id!r}"
        assert not message.fuzzy, f"{where} is fuzzy"
        found = strings(message)
        assert all(s.strip() for s in found), f"{where} is not translated"
        if message.pluralizable:
            assert len(found) == catalog.num_plurals, f"{where} needs {catalog.num_plurals} plural forms"
        singular = message.id if isinstance(message.id, str) else message.id[0]
        for text in found:
            # Same placeholders (a plural may leave out the number), same markup and quotes: a
            # translation can never break the HTML it lands in, nor lose a link.
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(str(message.id))), where
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(singular)), where
            assert text.count('"') == singular.count('"') and "<" not in TAG.sub("", text), where
    errors = [(m.id, e) for m, e in catalog.check()]  # python-format placeholders, plural counts
    assert not errors, errors


def test_english_is_the_catalogue_and_the_model_alike() -> None:
    # The API keeps model.py's English words; the pages take them from the catalogue: they agree.
    en = i18n.language("en")
    assert [en.words(s) for s in ComponentStatus] == [s.words for s in ComponentStatus]
    assert [en.words(i) for i in Indicator] == [i.words for i in Indicator]
    assert [en.in_sentence(s) for s in ComponentStatus] == [s.words.lower() for s in ComponentStatus]
    assert [en.words(i) for i in Impact] == [i.value.capitalize() for i in Impact]
    assert [en.state(Kind.INCIDENT, s) for s in ("investigating", "resolved", "update")] == [
        "Investigating", "Resolved", "Update"]
    assert [en.state(Kind.MAINTENANCE, s) for s in ("scheduled", "in_progress", "in progress", "cancelled")] == [
        "Scheduled", "In progress", "In progress", "Cancelled"]


def test_plural_forms_follow_the_language() -> None:
    assert i18n.language("it").ngettext("%(num)d ongoing incident", "%(num)d ongoing incidents", 1) == (
        "%(num)d incidente in corso")
    assert i18n.language("it").ngettext("%(num)d ongoing incident", "%(num)d ongoing incidents", 2) == (
        "%(num)d incidenti in corso")
    assert i18n.language("ja").ngettext("%(num)d ongoing incident", "%(num)d ongoing incidents", 2) == (
        "進行中のインシデント %(num)d 件")


# --- the example site in every language -------------------------------------------------------------

def example(tmp: Path, language: str) -> Path:
    """A copy of the example site with another `language`."""
    site = tmp / f"site-{language}"
    site.mkdir()
    for folder in ("incidents", "maintenance"):
        shutil.copytree(ROOT / folder, site / folder)
    text = (ROOT / "site.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: en\n" in text
    (site / "site.yaml").write_text(text.replace("\nlanguage: en\n", f"\nlanguage: {language}\n"), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, bytes]]:
    cache: dict[str, dict[str, bytes]] = {}

    def build(language: str) -> dict[str, bytes]:
        if language not in cache:
            outputs, problems = build_site(example(tmp_path_factory.mktemp("i18n"), language), NOW)
            assert outputs is not None, [str(p) for p in problems]
            cache[language] = outputs
        return cache[language]

    return build


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def team_texts() -> list[str]:
    """Everything of the example site that its team wrote: never translated, so left out of the checks."""
    site, _ = load_site(ROOT)
    assert site is not None
    config = site.config
    found = [config.name, config.description, config.contact.name, config.contact.email, config.contact.phone,
             config.contact.url, config.time_zone, config.url]
    for component in config.components:
        found += [component.name, component.description, component.group]
    for notice in (*site.incidents, *site.maintenance):
        found += [notice.title, notice.author]
        bodies = [notice.summary, *(u.body for u in notice.updates)]
        if getattr(notice, "postmortem", None):
            bodies.append(notice.postmortem.body)  # type: ignore[attr-defined]
        found += [m.reason for m in getattr(notice, "rescheduled", ())]
        for body in bodies:
            rendered = to_html(body)
            if rendered:
                tree = html.fragment_fromstring(rendered, create_parent="div")
                found += [squeeze(e.text_content()) for e in tree]
    return sorted({squeeze(t) for t in found if t and t.strip()}, key=len, reverse=True)


def shown_text(page: bytes) -> str:
    """A page's text and its readable attributes, without what the team wrote."""
    tree = html.fromstring(page)
    for element in list(tree.iter("style", "script")):
        element.drop_tree()
    parts = [tree.text_content()]
    parts += [e.get(a) or "" for e in tree.iter() for a in ("aria-label", "title", "data-yours", "alt")]
    text = squeeze(" ".join(parts))
    for team in team_texts():
        text = text.replace(team, " ")
    text = re.sub(r"(?:https?|webcal|mailto):\S+", " ", text)
    return squeeze(re.sub(r"\S+\.(?:atom|ics)\b", " ", text))  # /feed subscribe …/feed.atom, maintenance.ics


def english_fragments() -> dict[tuple[str | None, str], list[str]]:
    """Each message's words (the text between its placeholders and tags) that the English home page shows."""
    catalog = read("en")
    fragments: dict[tuple[str | None, str], list[str]] = {}
    for message in catalog:
        if not message.id:
            continue
        for msgid in ([message.id] if isinstance(message.id, str) else list(message.id)):
            pieces = [squeeze(p) for p in re.split(r"%\([a-z_]+\)[sd]|<[^>]*>|%%", msgid)]
            words = [p.strip(" .,:;·()") for p in pieces]
            fragments.setdefault((message.context, msgid), []).extend(
                w for w in words if re.search(r"[A-Za-z]{2}", w) and len(w) >= 3)
    return fragments


@pytest.mark.parametrize("language", OTHERS)
def test_no_english_fixed_text_is_left_on_the_home_page(language: str, built: Callable[[str], dict[str, bytes]]
                                                       ) -> None:
    english = shown_text(built("en")["index.html"])
    text = shown_text(built(language)["index.html"])
    lang = i18n.language(language)
    checked = []
    for (context, msgid), words in english_fragments().items():
        translated = lang.pgettext(context, msgid) if context else lang.gettext(msgid)
        for word in words:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
            if not pattern.search(english) or word in translated:  # not on the page, or the same word there
                continue
            checked.append(word)
            assert not pattern.search(text), f"{language}: English '{word}' left on the home page"
    for word in ("Ongoing incidents", "Recent incidents", "Subscribe", "uptime", "Today", "Operational",
                 "Minor service disruption", "Status as of", "Latest update", "Skip to content"):
        assert word in checked or language == "de" and word == "Status as of", word
    for weekday in WEEKDAYS:  # English dates are gone too
        assert not re.search(rf"(?<!\w){weekday}(?!\w)", text), weekday


@pytest.mark.parametrize("language", ("en", *OTHERS))
def test_the_pages_say_their_language_and_show_its_dates(language: str, built: Callable[[str], dict[str, bytes]]
                                                        ) -> None:
    outputs = built(language)
    tree = html.fromstring(outputs["index.html"])
    assert tree.get("lang") == language
    (stamp,) = tree.xpath('//p[@class="generated"]/time')
    (day,) = tree.xpath('//h3[@class="day"]/time[@datetime="2026-11-24"]')
    if language in STAMPS:
        assert stamp.text == STAMPS[language] and day.text == DAYS[language]
    elif language == "de":
        assert stamp.text.startswith("24. Nov. 2026, 12:00 UTC") and day.text.startswith("Di.")
    else:
        assert "de nov." in stamp.text and "12:00 UTC (13:00 CET)" in stamp.text and day.text.startswith("dt.")
    for name, data in outputs.items():
        if name.endswith(".html") and not name.startswith("embed/"):
            assert html.fromstring(data).get("lang") == language, name
    embed = html.fragment_fromstring(outputs["embed/notice.html"].decode("ascii"))
    assert embed.get("lang") == language


def test_the_home_page_of_each_language_reads_naturally(built: Callable[[str], dict[str, bytes]]) -> None:
    italian = shown_text(built("it")["index.html"])
    assert "Disservizio lieve" in italian and "Incidenti in corso" in italian
    assert "Nessun incidente segnalato nel periodo 19–23 nov 2026." in italian
    assert "99,97% di disponibilità" in italian
    japanese = shown_text(built("ja")["index.html"])
    assert "軽微なサービス障害" in japanese and "2026年11月19日～23日に報告されたインシデントはありません。" in japanese
    german = shown_text(built("de")["index.html"])
    assert "Geringfügige Störung" in german and "99,97 % Verfügbarkeit" in german
    catalan = shown_text(built("ca")["index.html"])
    assert "Interrupció menor del servei" in catalan and "Incidents en curs" in catalan
    script = html.fromstring(built("it")["index.html"]).xpath("//script")[0]
    assert script.get("data-yours") == "il tuo orario"  # local-time.js reads its one text from here


def test_feeds_and_calendar_follow_the_language_and_machines_see_no_change(
        built: Callable[[str], dict[str, bytes]]) -> None:
    english, italian = built("en"), built("it")
    feed = italian["feed.atom"].decode()
    assert "Componenti interessati:" in feed and "Affected:" not in feed and "Impatto grave" in feed
    assert "Incidenti e manutenzioni che riguardano API" in italian["feeds/api.atom"].decode()
    calendar = italian["maintenance.ics"].decode()
    assert "Interessa:" in calendar and "Affects:" not in calendar and "Dettagli e aggiornamenti" in calendar
    # The API is for machines: byte for byte the same whatever the language.
    api = sorted(n for n in english if n.startswith("api/"))
    assert api and api == sorted(n for n in italian if n.startswith("api/"))
    assert all(english[n] == italian[n] for n in api)
    assert json.loads(italian["api/v2/status.json"])["status"]["description"] == "Minor service disruption"
    # What people read elsewhere follows the language; its enums do not.
    notice = json.loads(italian["embed/notice.json"])
    assert notice["status"] == {"indicator": "minor", "description": "Disservizio lieve"}
    assert notice["message"] == "1 incidente in corso; 1 manutenzione in corso."
    assert [n["state"] for n in notice["notices"]] == ["identified", "in_progress"]
    assert b"Disservizio lieve" in italian["badge.svg"]
    assert json.loads(italian["badges/api.json"])["message"] == "Operativo"


# --- every fixed text comes from the catalogue ------------------------------------------------------

@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """English with every translation wrapped in ⟦…⟧: text outside the brackets came from elsewhere."""
    catalog = read("en")
    for message in catalog:
        if message.id:
            message.string = (tuple(f"⟦{s}⟧" for s in message.string) if isinstance(message.string, tuple)
                              else f"⟦{message.string}⟧")
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    wrapped = Translations(mo, domain=i18n.DOMAIN)
    i18n.language.cache_clear()
    i18n._tables.cache_clear()
    monkeypatch.setattr(i18n, "translations", lambda code: wrapped)
    try:
        yield
    finally:
        i18n.language.cache_clear()
        i18n._tables.cache_clear()


def test_every_fixed_text_of_the_pages_comes_from_the_catalogue(pseudo: None, tmp_path: Path) -> None:
    outputs, problems = build_site(example(tmp_path, "en"), NOW)
    assert outputs is not None, [str(p) for p in problems]
    dates = {*MONTHS, *WEEKDAYS, *MONTH_NAMES, "UTC", "CET", "CEST"}  # times.py: English dates
    pages = [n for n in outputs if n.endswith(".html")]
    assert len(pages) > 20
    for name in pages:
        text = shown_text(outputs[name])
        left = re.sub(r"⟦[^⟦⟧]*⟧", " ", re.sub(r"⟦[^⟦⟧]*⟧", " ", text))  # nested once: a status in a sentence
        words = set(re.findall(r"[^\W\d_]+", left)) - dates
        assert not words, f"{name}: fixed text outside the catalogue: {sorted(words)}"


# --- what `language` accepts ------------------------------------------------------------------------

def test_a_language_without_a_catalogue_gets_english_and_a_warning(site: Callable[..., Path], run: Callable[..., object]
                                                                   ) -> None:
    from conftest import SITE_YAML

    root = site(config=SITE_YAML + "language: fr\n")
    result = run("check", "--site", str(root), "--now", "2026-11-24T12:00:00Z")
    assert result.code == 0  # type: ignore[attr-defined]
    err = result.err  # type: ignore[attr-defined]
    assert "site.yaml:8: warning: no catalogue for the language 'fr'" in err
    assert "languages with a catalogue: en, it, de, ca, ja" in err
    outputs, problems = build_site(root, NOW)
    assert outputs is not None and any(p.severity == "warning" and "'fr'" in p.message for p in problems)
    home = html.fromstring(outputs["index.html"])
    assert home.get("lang") == "fr"  # the team writes its notices in it
    assert "Current status" in home.text_content() and "24 Nov 2026" in home.text_content()


def test_a_regional_tag_uses_its_language(site: Callable[..., Path]) -> None:
    from conftest import SITE_YAML

    outputs, problems = build_site(site(config=SITE_YAML + "language: de-CH\n"), NOW)
    assert outputs is not None and not problems
    home = html.fromstring(outputs["index.html"])
    assert home.get("lang") == "de-CH" and "Aktueller Status" in home.text_content()


@pytest.mark.parametrize("value", ["english", "en_US", "'fr; x'", "''"])
def test_a_malformed_language_is_an_error(value: str, site: Callable[..., Path], run: Callable[..., object]) -> None:
    from conftest import SITE_YAML

    root = site(config=SITE_YAML + f"language: {value}\n")
    result = run("check", "--site", str(root), "--now", "2026-11-24T12:00:00Z")
    if value == "''":  # empty: the default, English
        assert result.code == 0  # type: ignore[attr-defined]
        return
    assert result.code == 1  # type: ignore[attr-defined]
    assert "'language' must be a language tag such as en, it or de-CH" in result.err  # type: ignore[attr-defined]
