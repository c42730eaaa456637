"""Markdown to safe HTML: raw HTML in a notice is shown as text, and the result is sanitised."""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import urlsplit

import nh3

if TYPE_CHECKING:
    import markdown

EXTENSIONS = ["fenced_code", "tables", "sane_lists", "pymdownx.tasklist"]
TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "input", "label", "del",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "li": {"class"},
    "ul": {"class"},
    "input": {"type", "checked", "disabled", "aria-label"},
    "code": {"class"},
}
SCHEMES = {"http", "https", "mailto", "tel"}  # anything else (javascript:, data:, vbscript:, …) loses its href
EXTERNAL_REL = "noopener nofollow"
REL_VALUES = {"a": {"rel": {EXTERNAL_REL}}}  # the one value a link's rel may have: the one set below

TASK = re.compile(r'<input type="checkbox" disabled( checked)?/?>')
IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")  # browsers drop these from a URL, even inside the scheme
# A paragraph of one line that Markdown leaves as it is: it starts with a letter (no list, heading, quote
# or code block), and holds only letters, digits, single spaces and punctuation that no Markdown pattern
# starts with (none of *_`[]<>&\#|~). Text made only of such paragraphs is rendered without the converter.
# As a pattern: [^\W\d_](?:[^\W_]|[.,;:'"?!()/%+=@$-]| (?=[^ ]))* (tests/test_markup.py), checked by `plain`
# with string methods, several times faster than the pattern, which every notice's paragraphs go through.
PUNCTUATION = str.maketrans("", "", ".,;:'\"?!()/%+=@$- ")

_local = threading.local()


TASK_LABELS = ("done", "to do")  # English; the pages pass their language's (views.py)


def _label_task(match: re.Match[str], labels: tuple[str, str] = TASK_LABELS) -> str:
    # A task-list checkbox has no label of its own; name its state for screen readers.
    state = labels[0] if match.group(1) else labels[1]
    return f'<input type="checkbox" disabled{match.group(1) or ""} aria-label="{html.escape(state, quote=True)}">'


def is_external(href: str, site_url: str | None = None) -> bool:
    """Tell whether a link leaves the status site: any link with a scheme or a host, except `mailto:`,
    `tel:` and links to the host of `site_url`. Read as a browser reads it (`/\\host` is `//host`)."""
    url = IGNORED_IN_URLS.sub("", html.unescape(href)).replace("\\", "/")
    parts = urlsplit(url)
    if parts.scheme.lower() in ("mailto", "tel"):
        return False
    if not parts.scheme and not url.startswith("//"):
        return False  # relative: the status site itself
    own = urlsplit(site_url).netloc.lower() if site_url else ""
    return not (own and parts.scheme.lower() in ("http", "https", "") and parts.netloc.lower() == own)


class _Links(Protocol):
    site_url: str | None


def _converter() -> tuple[markdown.Markdown, _Links]:
    found: tuple[markdown.Markdown, _Links] | None = getattr(_local, "md", None)
    if found is None:
        import markdown  # here, not above: a build whose Markdown is all in the cache never loads it
        from markdown.treeprocessors import Treeprocessor

        class ExternalLinks(Treeprocessor):
            """Give links that leave the site `rel="noopener nofollow"`, and no other link a `rel`."""

            site_url: str | None = None

            def run(self, root: etree.Element) -> None:
                for link in root.iter("a"):
                    if is_external(link.get("href", ""), self.site_url):
                        link.set("rel", EXTERNAL_REL)

        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        # Raw HTML is escaped rather than passed through (COMMS: notices are text, not markup).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        links = ExternalLinks(md)
        md.treeprocessors.register(links, "external-links", 1)  # after the inline patterns made the links
        found = _local.md = (md, links)
    return found


MemoKey = tuple[str, str | None, tuple[str, str]]  # to_html's arguments: (text, site_url, task_labels)


class Memo(Protocol):
    """Where `to_html` looks up and keeps what it rendered; cache.py sets one for a cached build."""

    def get(self, key: MemoKey) -> str | None: ...

    def put(self, key: MemoKey, value: str) -> None: ...


memo: Memo | None = None  # None: every call renders


def to_html(text: str, site_url: str | None = None, task_labels: tuple[str, str] = TASK_LABELS) -> str:
    """Render a notice's Markdown as sanitised HTML; links away from `site_url` get `rel`, and the
    checkboxes of a task list are named with `task_labels` (done, to do) for screen readers."""
    if not text.strip():
        return ""
    key = (text, site_url, task_labels)
    if memo is not None and (known := memo.get(key)) is not None:
        return known
    rendered = _plain(text)
    if rendered is None:
        rendered = TASK.sub(lambda match: _label_task(match, task_labels), _convert(text, site_url))
    result = _clean(rendered)
    if memo is not None:
        memo.put(key, result)
    return result


def _plain(text: str) -> str | None:
    """What Markdown makes of text whose paragraphs are all PLAIN, made without it; None for other text."""
    parts = text.strip("\n").split("\n\n")
    if not all(map(plain, parts)):
        return None
    return "\n".join(f"<p>{part}</p>" for part in parts)


def plain(paragraph: str) -> bool:
    """Whether Markdown leaves a paragraph as it is (see PUNCTUATION): a letter, then letters, digits, single
    spaces inside it and PUNCTUATION. `str.isalnum` is the pattern's `[^\\W_]`, `str.isdecimal` its `\\d`."""
    return (paragraph[:1].isalnum() and not paragraph[0].isdecimal() and "  " not in paragraph
            and not paragraph.endswith(" ") and paragraph.translate(PUNCTUATION).isalnum())


def _convert(text: str, site_url: str | None) -> str:
    """Markdown's HTML for `text`, before it is sanitised."""
    md, links = _converter()
    links.site_url = site_url
    try:
        return md.reset().convert(text)
    except RecursionError:
        # The loader refuses text nested this deep; should any reach here, show it as plain text,
        # and build a new converter: this one's parser state is left half-way.
        _local.md = None
        return "".join(f"<p>{html.escape(part)}</p>\n" for part in text.split("\n\n") if part.strip())


def _cleaner() -> Callable[[str], str]:
    """nh3's sanitiser with the options above: a reusable Cleaner where nh3 has one (0.2.18 and later)."""
    options: dict[str, Any] = {"tags": TAGS, "attributes": ATTRIBUTES, "url_schemes": SCHEMES, "link_rel": None,
                               "tag_attribute_values": REL_VALUES}
    cleaner = getattr(nh3, "Cleaner", None)
    if cleaner is not None:
        return cast(Callable[[str], str], cleaner(**options).clean)
    return lambda html_text: nh3.clean(html_text, **options)


_clean = _cleaner()
