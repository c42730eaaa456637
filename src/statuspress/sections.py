"""Splitting a notice file: front matter, summary, update sections and the postmortem."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import INCIDENT_UPDATE_LABELS, MAINTENANCE_UPDATE_LABELS, Kind, Postmortem, Update
from .times import TimeError
from .validate import Reporter, content_time, suggest

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_H2 = re.compile(r"^ {0,3}-+[ \t]*$")
UPDATE_HEADING = re.compile(r"^(?P<label>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)*)\s*(?:[·|—–-]\s*(?P<time>.*))?$")
NOT_PARAGRAPH = re.compile(r"^\s*(?:[-*+>#|]|\d+[.)])")
SEPARATORS = "·, -, –, — or |"
# Python-Markdown reads nested lists and quotes recursively, and looks for the end of a link from
# every '[' to the end of its paragraph: both are refused here, cheaply, before it gets the text.
CONTAINER = re.compile(r"(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]*")
# A blank line or a heading ends a run of inline text. Not a list item or a quote: Markdown joins
# "text\n- [" into one paragraph, and "> [" lines into one, so they are counted together.
NEW_BLOCK = re.compile(r"^[ \t]*(?:$|#)")
MAX_NESTING = 100
MAX_LINK_WORK = 10_000_000  # '[' times the length of their paragraph, summed: a few seconds of Markdown


@dataclass(frozen=True)
class Split:
    """A file's front matter and body, with the lines each starts on."""

    front: str
    front_line: int
    body: str
    body_line: int


def split_front_matter(text: str, report: Reporter) -> Split | None:
    """Split `---` front matter from the body; report a missing or unclosed block."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        report.error(1, "missing front matter: the file must start with a line '---'",
                     "put '---', the fields (title, …), then '---' above the text")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split("\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2)
    report.error(1, "the front matter is not closed", "add a line '---' after the last field")
    return None


@dataclass(frozen=True)
class Body:
    summary: str
    updates: tuple[Update, ...]  # newest first
    postmortem: Postmortem | None
    summary_line: int  # the first non-blank line after the front matter
    heading_lines: tuple[int, ...] = ()  # every level-2 heading, in file order


def parse_body(body: str, first_line: int, kind: Kind, report: Reporter) -> Body:
    """Cut the body at its level-2 headings into summary, updates and postmortem."""
    labels = INCIDENT_UPDATE_LABELS if kind is Kind.INCIDENT else MAINTENANCE_UPDATE_LABELS
    allowed = [*labels, "postmortem"] if kind is Kind.INCIDENT else list(labels)
    chunks: list[tuple[str, int, list[str]]] = [("", first_line, [])]  # the summary, then one per heading
    fence = ""
    previous = ""
    cost = _Cost(report)
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if not fence and (not line or line[0].isalpha()):  # most lines: blank, or text that starts no block
            if line:
                cost.text(number, line)
            else:
                cost.end()
            chunks[-1][2].append(line)
            previous = line
            continue
        marker = FENCE.match(line)
        cost.line(number, line, text=not (fence or marker))
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
            line_is_text = False
        elif marker:
            fence = marker.group(1)
            line_is_text = False
        else:
            line_is_text = True
            heading = ATX.match(line)
            if heading and len(heading.group(1)) == 2:
                chunks.append((heading.group(2).strip(), number, []))
                previous = ""
                continue
            if heading and len(heading.group(1)) == 1:
                report.warning(number, "a level-1 heading in the text",
                               "the page title comes from 'title'; use '###' for a sub-heading")
            if SETEXT_H2.match(line) and previous.strip() and not NOT_PARAGRAPH.match(previous):
                report.error(number, "an underlined level-2 heading that is not an update",
                             "use '### Heading' for a sub-heading, or a blank line before '---' for a rule")
        chunks[-1][2].append(line)
        # A '---' right after a closing fence is a rule, not an underline: code is not a paragraph.
        previous = line if line_is_text else ""
    cost.end()

    updates: list[Update] = []
    postmortem: Postmortem | None = None
    for title, number, lines in chunks[1:]:
        text = "\n".join(lines).strip("\n")
        match = UPDATE_HEADING.match(title)
        # Without a digit there is no time to read: the heading is prose, not a broken update.
        if match is None:
            if _has_digit(title):
                report.error(number, f"cannot read the update heading '## {title}'",
                             f"write '## <Status> · <time>', e.g. '## {labels[0].capitalize()} · 2026-11-18 10:32 UTC'")
            else:
                _not_an_update(report, number, title)
            continue
        label, written = match["label"].lower(), (match["time"] or "").strip()
        if label not in allowed:
            if _has_digit(written):  # "## Identifed · 2026-…"
                report.error(number, f"unknown update status '{match['label']}'", suggest(label, allowed))
            else:  # "## Next steps", "## Follow-up actions"
                _not_an_update(report, number, title)
            continue
        at = None
        if written:
            try:
                at = content_time(written)
            except TimeError as exc:
                report.error(number, f"update heading: {exc.message}", exc.hint)
                continue
        if label == "postmortem":
            if postmortem is not None:
                report.error(number, "a second '## Postmortem' section",
                             f"merge it into the one on line {postmortem.line}")
            else:
                postmortem = Postmortem(text.strip(), number, at)
            continue
        if at is None:
            report.error(number, f"the update heading '## {title}' has no time",
                         f"add it after one of {SEPARATORS}, e.g. '## {match['label']} · 2026-11-18 10:32 UTC'")
            continue
        updates.append(Update(label, at, text.strip(), number))
    updates.sort(key=lambda u: (u.at, -u.line), reverse=True)
    head = chunks[0][2]
    blank = next((i for i, line in enumerate(head) if line.strip()), len(head))
    headings = tuple(number for _, number, _ in chunks[1:])
    return Body("\n".join(head).strip(), tuple(updates), postmortem, first_line + blank, headings)


class _Cost:
    """Refuse text that would make Markdown recurse too deep or take minutes: once per file."""

    def __init__(self, report: Reporter) -> None:
        self.report = report
        self.nesting_reported = False
        self.work = 0  # the sum of '[' times paragraph length so far
        self.work_reported = False
        self.start = self.length = self.brackets = 0  # the current paragraph

    def line(self, number: int, line: str, text: bool) -> None:
        if not text or NEW_BLOCK.match(line):
            self.end()
        if not text:
            return
        depth = _nesting(line)
        if depth > MAX_NESTING and not self.nesting_reported:
            self.nesting_reported = True
            self.report.error(number, f"lists or quotes nested {depth} levels deep",
                              f"nest at most {MAX_NESTING} levels; Markdown cannot read deeper ones")
        if line.strip():
            self.start = self.start or number
            self.length += len(line) + 1
            self.brackets += line.count("[") - line.count("\\[")
        if line.lstrip().startswith("#"):  # a heading is a run of its own
            self.end()

    def text(self, number: int, line: str) -> None:
        """`line` for a line of text that starts with a letter: not nested, not blank, not a heading."""
        self.start = self.start or number
        self.length += len(line) + 1
        self.brackets += line.count("[") - line.count("\\[")

    def end(self) -> None:
        self.work += self.brackets * self.length
        if self.work > MAX_LINK_WORK and not self.work_reported:
            self.work_reported = True
            self.report.error(self.start, "too many '[' in long paragraphs: Markdown would take minutes to read them",
                              "split long paragraphs, or write '\\[' for a bracket that is not a link")
        self.start = self.length = self.brackets = 0


def _nesting(line: str) -> int:
    """How deep a line nests lists and quotes: its markers ('- > 1.'), and its indentation in fours."""
    stripped = line.lstrip(" \t")
    depth = len(line[: len(line) - len(stripped)].expandtabs(4)) // 4
    position = 0
    while match := CONTAINER.match(stripped, position):
        if match.end() == position:
            break
        depth += 1
        position = match.end()
    return depth


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _not_an_update(report: Reporter, number: int, title: str) -> None:
    report.error(number, f"the level-2 heading '## {title}' is not an update",
                 f"use '### {title}' for a sub-heading, or '## <Status> · <time>' for an update")
