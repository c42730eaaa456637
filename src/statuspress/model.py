"""The content model: frozen dataclasses and enums. Imports nothing else of the package."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

CONFIG_FILE = "site.yaml"  # the site's configuration, in its folder (config.py reads it)

class Word(StrEnum):
    """A StrEnum that pickles as its value, `Kind("incident")`, on every Python: 3.11.0 to 3.11.3 (Debian
    12's python3 is 3.11.2) pickle a member as `getattr(Kind, "INCIDENT")`, which the build cache's
    unpickler refuses, since `getattr` could reach anything (cache.py). Such a cache was never read."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return type(self), (self._value_,)


class ComponentStatus(Word):
    """A component's state, in Statuspage's words; `severity` orders them."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def severity(self) -> int:
        return list(ComponentStatus).index(self)

    @property
    def words(self) -> str:
        return self.value.replace("_", " ").capitalize()


INCIDENT_COMPONENT_STATUSES = (
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
)
MAINTENANCE_COMPONENT_STATUSES = (ComponentStatus.UNDER_MAINTENANCE, *INCIDENT_COMPONENT_STATUSES)


class Impact(Word):
    """How bad an incident is, as its author judges it."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class Indicator(Word):
    """The page's overall status, as Statuspage's `status.indicator`."""

    NONE = "none"
    MAINTENANCE = "maintenance"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def severity(self) -> int:
        return list(Indicator).index(self)

    @property
    def words(self) -> str:
        return INDICATOR_WORDS[self]


INDICATOR_WORDS = {
    Indicator.NONE: "All systems operational",
    Indicator.MINOR: "Minor service disruption",
    Indicator.MAJOR: "Partial system outage",
    Indicator.CRITICAL: "Major system outage",
    Indicator.MAINTENANCE: "Scheduled maintenance in progress",
}


class IncidentStatus(Word):
    """Where an incident stands; `update` headings keep the previous status."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceState(Word):
    """Where a maintenance stands; follows the clock unless an update says otherwise."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Kind(Word):
    """The two kinds of notice, named after their folders' singular."""

    INCIDENT = "incident"
    MAINTENANCE = "maintenance"

    @property
    def folder(self) -> str:
        return "incidents" if self is Kind.INCIDENT else "maintenance"


# The status words an update heading may carry, by kind; "update" changes no status.
INCIDENT_UPDATE_LABELS = ("investigating", "identified", "monitoring", "update", "resolved")
MAINTENANCE_UPDATE_LABELS = ("in progress", "verifying", "completed", "cancelled", "update")


@dataclass(frozen=True)
class Problem:
    """One finding about the content, located at `path:line`."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"
    rule: str = ""  # the id of the review rule behind a warning, e.g. "next-update"

    def __str__(self) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.path}:{self.line}: {self.severity}: {self.message}{hint}{rule}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str = ""
    group: str = ""
    since: date | None = None  # no uptime history before this day (in the site's zone)


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""

    def __bool__(self) -> bool:
        return bool(self.email or self.phone or self.url or self.name)


RULES = ("summary", "next-update", "author", "contact", "postmortem", "notice-period", "move-reason",
         "wording", "placeholder")


@dataclass(frozen=True)
class CheckSettings:
    """The review rules of `check` and their settings: the `check:` section of site.yaml."""

    disable: tuple[str, ...] = ()
    symptom_words: tuple[str, ...] = (
        "fail", "slow", "unavailable", "error", "delay", "down", "outage", "timeout", "degraded",
        "disrupt", "unreachable", "latency", "lost", "missing", "cannot", "unable", "interrupt",
        "maintenance", "upgrade", "read-only", "paused", "not affected",
    )
    generic_authors: tuple[str, ...] = (
        "operations", "ops", "support", "team", "admin", "administrator", "staff", "it", "devops",
        "sre", "engineering", "the team", "status", "noc", "helpdesk", "system",
    )
    postmortem_days: int = 7
    postmortem_headings: tuple[tuple[str, ...], ...] = (
        ("what went wrong", "root cause", "cause"),
        ("what happened", "timeline", "impact"),
        ("how we will prevent", "prevent", "prevention", "action items", "next steps", "follow-up"),
    )
    notice_days: int = 3
    wording: tuple[str, ...] = (
        "fault of", "blame", "human error", "negligence", "incompetent", "stupid", "guarantee",
        "will never happen again", "never again", "100%", "definitely fixed", "promise", "rest assured",
        "should be fixed by", "obviously",
    )


@dataclass(frozen=True)
class UptimeSettings:
    """The uptime history: the `uptime:` section of site.yaml."""

    days: int = 90  # cells of the bar, one per day, today included
    partial_outage: float = 0.3  # the share of a partial outage that counts as downtime


@dataclass(frozen=True)
class Limits:
    """What a notice may not exceed: the `limits:` section of site.yaml. Checked before the costly work."""

    file_bytes: int = 1_000_000  # a larger notice file is refused unread
    title_chars: int = 200  # after runs of white space are folded into one space
    window_days: int = 7  # the longest maintenance window (every window, moved ones included)


@dataclass(frozen=True)
class Repository:
    """Where the site's files live, so each page can link to its own file's history."""

    url: str
    branch: str = "main"
    path: str = ""

    def history_url(self, file: str) -> str:
        """Return the URL of a file's commit history (GitHub, Gitea and Forgejo style)."""
        parts = [p.strip("/") for p in (self.path, file) if p.strip("/")]
        return f"{self.url.rstrip('/')}/commits/{self.branch}/{'/'.join(parts)}"


@dataclass(frozen=True)
class SiteConfig:
    name: str
    url: str
    components: tuple[Component, ...]
    description: str = ""
    time_zone: str = "UTC"
    language: str = "en"
    contact: Contact = field(default_factory=Contact)
    recent_days: int = 14
    history_per_page: int = 50
    check: CheckSettings = field(default_factory=CheckSettings)
    repository: Repository | None = None
    uptime: UptimeSettings = field(default_factory=UptimeSettings)
    limits: Limits = field(default_factory=Limits)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def component(self, component_id: str) -> Component:
        return next(c for c in self.components if c.id == component_id)


@dataclass(frozen=True)
class Update:
    """One `## <Status> · <time>` section of a notice."""

    label: str  # lower-cased heading word, one of *_UPDATE_LABELS
    at: datetime
    body: str  # Markdown source as written
    line: int


@dataclass(frozen=True)
class Postmortem:
    body: str
    line: int
    at: datetime | None = None


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Reschedule:
    """An earlier window of a maintenance, and when and why it was moved."""

    window: Window
    on: datetime
    reason: str


@dataclass(frozen=True)
class Notice:
    """What incidents and maintenance share: a Markdown file with front matter."""

    kind: Kind
    slug: str
    path: str  # relative to the site folder, with forward slashes
    title: str
    components: tuple[tuple[str, ComponentStatus], ...]
    summary: str
    updates: tuple[Update, ...]  # newest first
    author: str = ""
    id: str = ""  # stable API id: `id:` in the front matter, else derived from kind and file name
    source: str = ""  # the file's text, newlines normalised, for line-based review rules
    summary_line: int = 1  # the file line where the text after the front matter starts
    field_lines: tuple[tuple[str, int], ...] = ()  # front-matter field ("rescheduled.0.on") -> its line

    @property
    def url_path(self) -> str:
        return f"{self.kind.folder}/{self.slug}/"

    def line(self, name: str) -> int:
        """Return the line of a front-matter field, or 1 (the opening `---`) when it is absent."""
        return dict(self.field_lines).get(name, 1)


@dataclass(frozen=True, kw_only=True)
class Incident(Notice):
    impact: Impact
    next_update: datetime | None = None
    started: datetime | None = None
    detected: datetime | None = None
    created: datetime | None = None  # when the notice was first opened (imported notices); default: first update
    postmortem: Postmortem | None = None


@dataclass(frozen=True, kw_only=True)
class Maintenance(Notice):
    window: Window
    rescheduled: tuple[Reschedule, ...] = ()
    announced: datetime | None = None


@dataclass(frozen=True)
class Site:
    """Everything the loader read: configuration and every notice."""

    root: str
    config: SiteConfig
    incidents: tuple[Incident, ...]
    maintenance: tuple[Maintenance, ...]
    config_lines: tuple[tuple[str, int], ...] = ()  # site.yaml field -> its line
