"""Markdown to safe HTML: raw HTML in a notice is shown as text, and the result is sanitised."""

from __future__ import annotations

import re
import threading

import markdown
import nh3

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
SCHEMES = {"http", "https", "mailto", "tel"}

TASK = re.compile(r'<input type="checkbox" disabled( checked)?/?>')

_local = threading.local()


def _label_task(match: re.Match[str]) -> str:
    # A task-list checkbox has no label of its own; name its state for screen readers.
    state = "done" if match.group(1) else "to do"
    return f'<input type="checkbox" disabled{match.group(1) or ""} aria-label="{state}">'



def _converter() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        # Raw HTML is escaped rather than passed through (COMMS: notices are text, not markup).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    return md


def to_html(text: str) -> str:
    """Render a notice's Markdown as sanitised HTML."""
    if not text.strip():
        return ""
    html = TASK.sub(_label_task, _converter().reset().convert(text))
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel="noopener nofollow")
