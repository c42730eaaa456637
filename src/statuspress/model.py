"""The content model: frozen dataclasses and enums. Imports nothing else of the package."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class ComponentStatus(StrEnum):
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


class Impact(StrEnum):
    """How bad an incident is, as its author judges it."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class Indicator(StrEnum):
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


class IncidentStatus(StrEnum):
    """Where an incident stands; `update` headings keep the previous status."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceState(StrEnum):
    """Where a maintenance stands; follows the clock unless an update says otherwise."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Kind(StrEnum):
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

    def __str__(self) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.path}:{self.line}: {self.severity}: {self.message}{hint}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str = ""
    group: str = ""


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""

    def __bool__(self) -> bool:
        return bool(self.email or self.phone or self.url or self.name)


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

    @property
    def url_path(self) -> str:
        return f"{self.kind.folder}/{self.slug}/"


@dataclass(frozen=True, kw_only=True)
class Incident(Notice):
    impact: Impact
    next_update: datetime | None = None
    started: datetime | None = None
    detected: datetime | None = None
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
