"""The Statuspage-compatible JSON API (api/v2/): schemas, exact values, lists, ids, time travel."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import NOW, ROOT
from statuspress.api import dump
from statuspress.build import build_site

SCHEMAS = ROOT / "schemas" / "api"
KINDS = ("summary", "status", "components", "incidents", "incident", "scheduled-maintenances",
         "scheduled-maintenance")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

# The example site's notices, by file name, and the ids the API gives them (derived from kind and file name).
DASHBOARD_SLOW = "yxke5iv4ysqs"
SIGN_IN = "x7wbgrr0xgfl"
API_ERRORS = "9xtor29phc17"
WEBHOOKS = "c7fj1ceo2vd7"
NETWORK = "cm40djxgpnt8"
BACKUPS = "8jy1ou8zsjpg"
DATABASE = "t4uadl9ywa7a"
PAGE = "td1wgkd78hor"  # derived from https://status.example.com/
DATA_GROUP = "lsfzerqyf1mr"  # derived from the group name "Data"
REGIONS_GROUP = "wcwfk1se8k4g"

FIXED_FILES = {
    "summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
    "scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json",
}

# Two incidents exactly as Statuspage served them (githubstatus.com, from the public-domain repository
# GitHub-Incident-History/GitHub-Incident-History): with the Statuspage-only fields statuspress never
# sends, a null affected_components, and a numeric tweet_id.
STATUSPAGE_SAMPLE = json.loads("""{
 "page": {"id": "kctbh9vrtdwd", "name": "GitHub", "url": "https://www.githubstatus.com", "time_zone": "Etc/UTC",
          "updated_at": "2023-01-10T18:14:52.140Z"},
 "incidents": [
  {"id": "9f8dkxjg67qq", "name": "Incident with Issues", "status": "resolved",
   "created_at": "2023-07-28T09:31:01.995Z", "updated_at": "2023-07-28T10:00:49.837Z", "monitoring_at": null,
   "resolved_at": "2023-07-28T10:00:49.823Z", "impact": "minor", "shortlink": "https://stspg.io/6748sxxqsc23",
   "started_at": "2023-07-28T09:31:01.989Z", "page_id": "kctbh9vrtdwd",
   "incident_updates": [
    {"id": "f85jk8yxc2w6", "status": "resolved", "body": "This incident has been resolved.",
     "incident_id": "9f8dkxjg67qq", "created_at": "2023-07-28T10:00:49.823Z",
     "updated_at": "2023-07-28T10:00:49.823Z", "display_at": "2023-07-28T10:00:49.823Z",
     "affected_components": null, "deliver_notifications": true, "custom_tweet": null, "tweet_id": null},
    {"id": "5vy3m37gfny3", "status": "investigating",
     "body": "We are investigating reports of degraded performance for Issues.", "incident_id": "9f8dkxjg67qq",
     "created_at": "2023-07-28T09:31:02.025Z", "updated_at": "2023-07-28T09:31:02.025Z",
     "display_at": "2023-07-28T09:31:02.025Z",
     "affected_components": [{"code": "kr09ddfgbfsf", "name": "Issues", "old_status": "operational",
                              "new_status": "operational"}],
     "deliver_notifications": true, "custom_tweet": null, "tweet_id": null}],
   "components": [
    {"id": "kr09ddfgbfsf", "name": "Issues", "status": "operational", "created_at": "2017-01-31T20:01:46.638Z",
     "updated_at": "2023-09-20T04:02:13.895Z", "position": 5, "description": "Requests for Issues on GitHub.com",
     "showcase": false, "start_date": null, "group_id": null, "page_id": "kctbh9vrtdwd", "group": false,
     "only_show_if_degraded": false}],
   "reminder_intervals": null},
  {"id": "jrzkpt9g8zm6", "name": "Incident on 2022-11-07 19:07 UTC", "status": "resolved",
   "created_at": "2022-11-07T20:29:41.260Z", "updated_at": "2022-11-08T01:21:58.313Z", "monitoring_at": null,
   "resolved_at": "2022-11-08T01:21:57.718Z", "impact": "none", "shortlink": "https://stspg.io/6zn31cx41k1m",
   "started_at": "2022-11-07T20:29:41.253Z", "page_id": "kctbh9vrtdwd",
   "incident_updates": [
    {"id": "qqfrszt7b927", "status": "resolved", "body": "This incident has been resolved.",
     "incident_id": "jrzkpt9g8zm6", "created_at": "2022-11-08T01:21:57.718Z",
     "updated_at": "2022-11-08T01:21:58.308Z", "display_at": "2022-11-08T01:21:57.718Z",
     "affected_components": null, "deliver_notifications": false, "custom_tweet": null,
     "tweet_id": 1589790296485015552},
    {"id": "ct084fng9l92", "status": "investigating",
     "body": "We are investigating and mitigating intermittent availability issues on some GitHub services.",
     "incident_id": "jrzkpt9g8zm6", "created_at": "2022-11-07T20:29:41.298Z",
     "updated_at": "2022-11-07T20:29:41.587Z", "display_at": "2022-11-07T20:29:41.298Z",
     "affected_components": null, "deliver_notifications": false, "custom_tweet": null,
     "tweet_id": 1589716742154354689}],
   "components": []}
 ]
}""")


def incident_file(title: str, updates: str, extra: str = "", components: str = "{api: partial_outage}",
                  impact: str = "minor") -> str:
    return (f"---\ntitle: {title}\nimpact: {impact}\ncomponents: {components}\n{extra}---\n"
            f"Summary of {title}.\n\n{updates}")


def maintenance_file(title: str, start: str, end: str, updates: str = "", extra: str = "",
                     components: str = "{db: under_maintenance}") -> str:
    return (f"---\ntitle: {title}\ncomponents: {components}\nwindow: {{start: {start}, end: {end}}}\n{extra}---\n"
            f"Summary of {title}.\n\n{updates}")


def api_of(outputs: dict[str, bytes]) -> dict[str, Any]:
    """Return every api/v2/ file, parsed, keyed by its path below api/v2/."""
    return {name.removeprefix("api/v2/"): json.loads(data) for name, data in outputs.items()
            if name.startswith("api/v2/")}


def build_api(root: Path, now: datetime) -> dict[str, Any]:
    outputs, problems = build_site(root, now)
    assert outputs is not None, [str(p) for p in problems]
    return api_of(outputs)


def schema_kind(name: str) -> str:
    """Name the schema that describes an api/v2/ file."""
    if name in ("incidents.json", "incidents/unresolved.json"):
        return "incidents"
    if name.startswith("incidents/"):
        return "incident"
    if name in ("scheduled-maintenances.json", "scheduled-maintenances/upcoming.json",
                "scheduled-maintenances/active.json"):
        return "scheduled-maintenances"
    if name.startswith("scheduled-maintenances/"):
        return "scheduled-maintenance"
    return name.removesuffix(".json")


def load_schema(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return schema


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(kind: str, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(kind).iter_errors(document)]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (key, value) for every scalar in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)
    else:
        yield key, value


@pytest.fixture(scope="module")
def example(example_outputs: dict[str, bytes]) -> dict[str, Any]:
    return api_of(example_outputs)


def copy_example(target: Path) -> Path:
    """Copy the example site's content into `target`, to build it with changes."""
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    for folder in ("incidents", "maintenance"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


# Schemas


def test_every_api_file_validates_against_its_schema(example: dict[str, Any]) -> None:
    expected = FIXED_FILES | {f"incidents/{i}.json" for i in (DASHBOARD_SLOW, SIGN_IN, API_ERRORS, WEBHOOKS)}
    expected |= {f"scheduled-maintenances/{m}.json" for m in (NETWORK, BACKUPS, DATABASE)}
    assert set(example) == expected
    for name, document in example.items():
        assert errors(schema_kind(name), document) == [], name


def test_format_checking_is_on() -> None:
    assert "date-time" in Draft202012Validator.FORMAT_CHECKER.checkers  # the format-nongpl extra is installed
    assert "uri" in Draft202012Validator.FORMAT_CHECKER.checkers
    document = {"page": {"id": PAGE, "name": "N", "url": "https://status.example.com", "time_zone": "UTC",
                         "updated_at": "2026-11-24T12:00:00.000Z"},
                "status": {"indicator": "none", "description": "All systems operational"}}
    assert errors("status", document) == []
    document["page"]["updated_at"] = "2026-02-30T12:00:00.000Z"  # the right shape, but no such day
    assert errors("status", document) == ["page/updated_at: '2026-02-30T12:00:00.000Z' is not a 'date-time'"]
    document["page"]["updated_at"] = "2026-11-24T12:00:00.000Z"
    document["page"]["url"] = "https://exa mple.com"  # an http URL, but not a URI
    assert errors("status", document) == ["page/url: 'https://exa mple.com' is not a 'uri'"]


def test_schemas_are_strict_and_share_their_definitions() -> None:
    assert sorted(p.name for p in SCHEMAS.iterdir()) == sorted(f"{k}.schema.json" for k in KINDS)
    schemas = {kind: load_schema(kind) for kind in KINDS}
    for kind, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$defs"] == schemas["summary"]["$defs"], f"{kind}: $defs differ from summary's"
        objects = [node for node in nodes(schema) if node.get("type") == "object"]
        assert len(objects) > 1 and all(node["additionalProperties"] is False for node in objects), kind
    defs = schemas["summary"]["$defs"]
    assert defs["incident"]["properties"]["status"]["enum"] == [
        "investigating", "identified", "monitoring", "resolved", "postmortem"]
    assert defs["scheduled_maintenance"]["properties"]["status"]["enum"] == [
        "scheduled", "in_progress", "verifying", "completed"]
    assert defs["component_status"]["enum"] == [
        "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]


def nodes(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from nodes(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from nodes(value)


def test_schemas_accept_what_statuspage_itself_serves() -> None:
    # The schemas are as strict as Statuspage allows: its own payload passes, extra fields included.
    assert errors("incidents", STATUSPAGE_SAMPLE) == []
    changed = json.loads(json.dumps(STATUSPAGE_SAMPLE))
    changed["incidents"][0]["unknown_field"] = 1
    assert errors("incidents", changed) == ["incidents/0: Additional properties are not allowed "
                                            "('unknown_field' was unexpected)"]


def test_schemas_reject_what_a_statuspage_client_would_not_expect(example: dict[str, Any]) -> None:
    maintenance = json.loads(json.dumps(example[f"scheduled-maintenances/{NETWORK}.json"]))
    maintenance["scheduled_maintenance"]["status"] = "cancelled"
    assert errors("scheduled-maintenance", maintenance) == [
        "scheduled_maintenance/status: 'cancelled' is not one of "
        "['scheduled', 'in_progress', 'verifying', 'completed']"]
    as_incident = {"page": example["incidents.json"]["page"],
                   "incidents": [example[f"scheduled-maintenances/{NETWORK}.json"]["scheduled_maintenance"]]}
    assert errors("incidents", as_incident)  # a maintenance is not an incident
    incident = json.loads(json.dumps(example[f"incidents/{API_ERRORS}.json"]))
    incident["incident"]["created_at"] = "2026-11-18T09:55:00Z"  # no milliseconds
    assert len(errors("incident", incident)) == 1
    components = json.loads(json.dumps(example["components.json"]))
    del components["components"][4]["components"]  # a group without its members
    assert len(errors("components", components)) == 1


# The example site at NOW (2026-11-24 12:00 UTC)


def test_page_summary_and_status_at_now(example: dict[str, Any]) -> None:
    summary = example["summary.json"]
    page = {"id": PAGE, "name": "Example Cloud Status", "url": "https://status.example.com",
            "time_zone": "Europe/Rome", "updated_at": "2026-11-24T11:20:00.000Z"}  # the webhooks update
    assert list(summary) == ["page", "components", "incidents", "scheduled_maintenances", "status"]
    assert summary["page"] == page
    for name, document in example.items():
        # a notice's own file: the page as of that notice's latest change
        notice = document.get("incident") or document.get("scheduled_maintenance")
        mine = {**page, "updated_at": notice["updated_at"]} if name not in FIXED_FILES else page
        assert document["page"] == mine, name
    status = {"indicator": "minor", "description": "Minor service disruption"}
    assert summary["status"] == status
    assert example["status.json"] == {"page": page, "status": status}
    assert summary["components"] == example["components.json"]["components"]
    assert ids(summary["incidents"]) == [WEBHOOKS]
    assert [(m["id"], m["status"]) for m in summary["scheduled_maintenances"]] == [
        (BACKUPS, "in_progress"), (DATABASE, "scheduled")]  # in progress or upcoming, soonest first


def test_components_groups_positions_and_times(example: dict[str, Any]) -> None:
    components = example["components.json"]["components"]
    assert [(c["position"], c["id"], c["name"], c["status"], c["group"], c["group_id"]) for c in components] == [
        (1, "api", "API", "operational", False, None),
        (2, "dashboard", "Dashboard", "operational", False, None),
        (3, "auth", "Sign-in", "operational", False, None),
        (4, "webhooks", "Webhooks", "degraded_performance", False, None),
        (5, DATA_GROUP, "Data", "under_maintenance", True, None),  # the worst of its members
        (6, "database", "Managed databases", "operational", False, DATA_GROUP),
        (7, "backups", "Backups", "under_maintenance", False, DATA_GROUP),
        (8, REGIONS_GROUP, "Regions", "operational", True, None),
        (9, "eu", "EU (Frankfurt)", "operational", False, REGIONS_GROUP),
        (10, "us", "US (Virginia)", "operational", False, REGIONS_GROUP),
    ]
    found = by_id(components)
    assert found[DATA_GROUP]["components"] == ["database", "backups"]
    assert found[REGIONS_GROUP]["components"] == ["eu", "us"]
    assert all("components" not in c for c in components if not c["group"])
    assert found["api"]["description"] == "REST and GraphQL endpoints"
    assert found["dashboard"]["description"] is None
    assert {(c["showcase"], c["start_date"], c["only_show_if_degraded"], c["page_id"]) for c in components} == {
        (False, None, False, PAGE)}
    # created_at: the earliest published notice (the dashboard incident's first update), for every component.
    assert {c["created_at"] for c in components} == {"2026-10-29T16:48:00.000Z"}
    # updated_at: when the status last changed, not when a notice naming the component last changed.
    assert {c["id"]: c["updated_at"] for c in components} == {
        "api": "2026-11-18T11:18:00.000Z",  # resolved; the database upgrade's move at 09:00 changed nothing
        "dashboard": "2026-11-18T11:18:00.000Z",
        "auth": "2026-11-12T15:05:00.000Z",
        "webhooks": "2026-11-24T10:52:00.000Z",  # the 11:20 update kept it degraded
        DATA_GROUP: "2026-11-24T11:00:00.000Z",
        "database": "2026-10-29T16:48:00.000Z",  # never changed
        "backups": "2026-11-24T11:00:00.000Z",  # the window started, before the In progress update at 11:02
        REGIONS_GROUP: "2026-11-10T05:40:00.000Z",
        "eu": "2026-11-10T05:40:00.000Z",
        "us": "2026-10-29T17:40:00.000Z",
    }


def test_incident_lists_hold_incidents_only_newest_first(example: dict[str, Any]) -> None:
    incidents = example["incidents.json"]["incidents"]
    assert [(i["id"], i["status"], i["created_at"]) for i in incidents] == [
        (WEBHOOKS, "identified", "2026-11-24T10:52:00.000Z"),
        (API_ERRORS, "postmortem", "2026-11-18T09:55:00.000Z"),
        (SIGN_IN, "resolved", "2026-11-12T14:40:00.000Z"),
        (DASHBOARD_SLOW, "resolved", "2026-10-29T16:48:00.000Z"),
    ]
    assert example["incidents/unresolved.json"]["incidents"] == [incidents[0]]
    for incident in incidents:
        page = {**example["incidents.json"]["page"], "updated_at": incident["updated_at"]}
        assert example[f"incidents/{incident['id']}.json"] == {"page": page, "incident": incident}


def test_an_incident_in_full(example: dict[str, Any]) -> None:
    incident = example[f"incidents/{API_ERRORS}.json"]["incident"]
    assert {k: v for k, v in incident.items() if k not in ("incident_updates", "components")} == {
        "id": API_ERRORS,
        "name": "Elevated error rates on the API",
        "status": "postmortem",  # resolved, and its postmortem is published (2026-11-23 16:00)
        "created_at": "2026-11-18T09:55:00.000Z",  # no 'created:': the first update
        "updated_at": "2026-11-23T16:00:00.000Z",  # the postmortem
        "monitoring_at": "2026-11-18T10:48:00.000Z",
        "resolved_at": "2026-11-18T11:18:00.000Z",
        "impact": "major",
        "shortlink": "https://status.example.com/incidents/2026-11-18-api-errors/",
        "started_at": "2026-11-18T09:41:00.000Z",  # 'started:'
        "page_id": PAGE,
    }
    updates = incident["incident_updates"]
    assert [(u["status"], u["display_at"]) for u in updates] == [
        ("resolved", "2026-11-18T11:18:00.000Z"), ("monitoring", "2026-11-18T10:48:00.000Z"),
        ("identified", "2026-11-18T10:32:00.000Z"), ("investigating", "2026-11-18T09:55:00.000Z")]
    assert all(u["created_at"] == u["updated_at"] == u["display_at"] for u in updates)
    assert all(u["incident_id"] == API_ERRORS for u in updates)
    assert len({u["id"] for u in updates}) == 4
    source = (ROOT / "incidents" / "2026-11-18-api-errors.md").read_text(encoding="utf-8")
    assert updates[2]["body"] == ("We traced the errors to a failed database node and are moving traffic away "
                                  "from it.\nNext update by 11:00 UTC.")
    assert all(u["body"] in source for u in updates)  # the Markdown source as written
    assert [(a["code"], a["name"], a["old_status"], a["new_status"]) for a in updates[3]["affected_components"]] == [
        ("api", "API", "operational", "partial_outage"),
        ("dashboard", "Dashboard", "operational", "degraded_performance")]
    assert [(a["old_status"], a["new_status"]) for a in updates[1]["affected_components"]] == [
        ("partial_outage", "partial_outage"), ("degraded_performance", "degraded_performance")]
    assert [(a["old_status"], a["new_status"]) for a in updates[0]["affected_components"]] == [
        ("partial_outage", "operational"), ("degraded_performance", "operational")]
    # The components as they stand now, in the order of site.yaml.
    assert [(c["id"], c["status"]) for c in incident["components"]] == [
        ("api", "operational"), ("dashboard", "operational")]
    assert incident["components"][0] == by_id(example["components.json"]["components"])["api"]


def test_update_headings_map_to_statuspage_statuses(site: Callable[..., Path]) -> None:
    updates = (
        "## Update · 2026-11-20 12:00 UTC\nStill watching.\n\n"
        "## Resolved · 2026-11-20 11:00 UTC\nFixed.\n\n"
        "## Update · 2026-11-20 10:30 UTC\nMore news.\n\n"
        "## Monitoring · 2026-11-20 10:15:30.250 UTC\nWatching.\n\n"
        "## Identified · 2026-11-20 10:10 UTC\nFound it.\n\n"
        "## Update · 2026-11-20 10:05 UTC\nStill looking.\n\n"
        "## Investigating · 2026-11-20 10:00 UTC\nLooking.\n"
    )
    root = site({"incidents/reopened.md": incident_file("Reopened", updates)})
    incident = build_api(root, NOW)["incidents.json"]["incidents"][0]
    got = [(u["status"], u["display_at"], [(a["old_status"], a["new_status"]) for a in u["affected_components"]])
           for u in incident["incident_updates"]]
    assert got == [
        ("monitoring", "2026-11-20T12:00:00.000Z", [("operational", "partial_outage")]),  # an update reopens it
        ("resolved", "2026-11-20T11:00:00.000Z", [("partial_outage", "operational")]),
        ("monitoring", "2026-11-20T10:30:00.000Z", [("partial_outage", "partial_outage")]),  # keeps the status
        ("monitoring", "2026-11-20T10:15:30.250Z", [("partial_outage", "partial_outage")]),
        ("identified", "2026-11-20T10:10:00.000Z", [("partial_outage", "partial_outage")]),
        ("investigating", "2026-11-20T10:05:00.000Z", [("partial_outage", "partial_outage")]),
        ("investigating", "2026-11-20T10:00:00.000Z", [("operational", "partial_outage")]),
    ]
    assert incident["status"] == "monitoring"
    assert incident["monitoring_at"] == "2026-11-20T10:15:30.250Z"
    assert incident["resolved_at"] is None


def test_maintenance_lists_and_states(example: dict[str, Any]) -> None:
    listed = example["scheduled-maintenances.json"]["scheduled_maintenances"]
    assert [(m["id"], m["status"], m["scheduled_for"], m["scheduled_until"]) for m in listed] == [
        (DATABASE, "scheduled", "2026-12-02T08:00:00.000Z", "2026-12-02T09:00:00.000Z"),  # latest window first
        (BACKUPS, "in_progress", "2026-11-24T11:00:00.000Z", "2026-11-24T13:00:00.000Z"),
        (NETWORK, "completed", "2026-11-10T05:00:00.000Z", "2026-11-10T06:00:00.000Z"),
    ]
    assert ids(example["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]) == [DATABASE]
    assert ids(example["scheduled-maintenances/active.json"]["scheduled_maintenances"]) == [BACKUPS]
    for maintenance in listed:
        assert example[f"scheduled-maintenances/{maintenance['id']}.json"]["scheduled_maintenance"] == maintenance
        assert maintenance["impact"] == "maintenance"
        assert maintenance["monitoring_at"] is None


def test_a_maintenance_in_full(example: dict[str, Any]) -> None:
    found = by_id(example["scheduled-maintenances.json"]["scheduled_maintenances"])
    network = found[NETWORK]
    assert (network["created_at"], network["started_at"], network["updated_at"], network["resolved_at"]) == (
        "2026-11-03T10:00:00.000Z", "2026-11-03T10:00:00.000Z",  # announced
        "2026-11-10T05:40:00.000Z", "2026-11-10T05:40:00.000Z")  # the Completed update, before the window's end
    assert network["shortlink"] == "https://status.example.com/maintenance/2026-11-10-network-upgrade/"
    got = [(u["status"], u["display_at"], u["body"][:30],
            [(a["code"], a["old_status"], a["new_status"]) for a in u["affected_components"]])
           for u in network["incident_updates"]]
    assert got == [
        ("completed", "2026-11-10T05:40:00.000Z", "The upgrade finished early. Co",
         [("eu", "degraded_performance", "operational")]),
        ("in_progress", "2026-11-10T05:00:00.000Z", "The router replacement has sta",
         [("eu", "operational", "degraded_performance")]),
        # The announcement: the summary, as Statuspage's first "scheduled" update.
        ("scheduled", "2026-11-03T10:00:00.000Z", "We will replace core routers i",
         [("eu", "operational", "operational")]),
    ]
    database = found[DATABASE]
    assert [u["status"] for u in database["incident_updates"]] == ["scheduled"]
    assert database["incident_updates"][0]["body"].startswith("We will upgrade our managed database clusters")
    assert database["updated_at"] == "2026-11-24T09:00:00.000Z"  # the move
    assert database["resolved_at"] is None
    assert [(c["id"], c["status"]) for c in database["components"]] == [("api", "operational"),
                                                                        ("dashboard", "operational")]
    backups = found[BACKUPS]
    assert backups["updated_at"] == "2026-11-24T11:02:00.000Z"
    assert [(u["status"], u["affected_components"][0]["old_status"], u["affected_components"][0]["new_status"])
            for u in backups["incident_updates"]] == [
        ("in_progress", "under_maintenance", "under_maintenance"),  # the clock had started it at 11:00
        ("scheduled", "operational", "operational")]


def test_a_maintenance_window_follows_the_clock(example: dict[str, Any]) -> None:
    after = build_api(ROOT, NOW.replace(hour=13, minute=30))
    backups = after[f"scheduled-maintenances/{BACKUPS}.json"]["scheduled_maintenance"]
    # An In progress update keeps it open past its window, until a Completed one.
    assert backups["status"] == "in_progress"
    assert ids(after["scheduled-maintenances/active.json"]["scheduled_maintenances"]) == [BACKUPS]


def test_a_cancelled_maintenance_is_completed_and_never_upcoming_or_active(site: Callable[..., Path]) -> None:
    root = site({
        "maintenance/later.md": maintenance_file(
            "Later", "2026-12-01T10:00Z", "2026-12-01T11:00Z",
            "## Cancelled · 2026-11-23 09:00 UTC\nWe no longer need this window.\n\n"
            "## Update · 2026-11-22 09:00 UTC\nA reminder.\n"),
        "maintenance/now.md": maintenance_file(
            "Now", "2026-11-24T11:00Z", "2026-11-24T13:00Z",
            "## Cancelled · 2026-11-24 11:30 UTC\n\n## In progress · 2026-11-24 11:00 UTC\nStarted.\n"),
        "maintenance/open.md": maintenance_file("Open", "2026-11-24T11:00Z", "2026-11-24T13:00Z",
                                                components="{api: degraded_performance}"),
    })
    api = build_api(root, NOW)
    found = by_id(api["scheduled-maintenances.json"]["scheduled_maintenances"])
    later, current = found[found_id(found, "Later")], found[found_id(found, "Now")]
    assert later["status"] == current["status"] == "completed"
    assert (later["resolved_at"], current["resolved_at"]) == ("2026-11-23T09:00:00.000Z", "2026-11-24T11:30:00.000Z")
    last = later["incident_updates"][0]
    assert (last["status"], last["body"], last["display_at"]) == (
        "completed", "We no longer need this window.", "2026-11-23T09:00:00.000Z")
    assert later["incident_updates"][1]["status"] == "scheduled"  # the Update before the cancellation
    # A Cancelled heading without text still says so.
    assert current["incident_updates"][0]["body"] == "This scheduled maintenance has been cancelled."
    assert [(a["old_status"], a["new_status"]) for a in current["incident_updates"][0]["affected_components"]] == [
        ("under_maintenance", "operational")]
    open_id = found_id(found, "Open")
    assert ids(api["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]) == []
    assert ids(api["scheduled-maintenances/active.json"]["scheduled_maintenances"]) == [open_id]
    assert ids(api["summary.json"]["scheduled_maintenances"]) == [open_id]
    assert by_id(api["components.json"]["components"])["db"]["status"] == "operational"
    assert api["status.json"]["status"]["indicator"] == "maintenance"
    # Before the cancellation the same notice was upcoming.
    before = build_api(root, NOW.replace(day=22, hour=12))
    upcoming = before["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]
    assert [m["name"] for m in upcoming][-1] == "Later" and len(upcoming) == 3  # soonest first


def found_id(found: dict[str, dict[str, Any]], name: str) -> str:
    return next(i for i, item in found.items() if item["name"] == name)


def test_maintenance_never_appears_among_incidents(example: dict[str, Any], site: Callable[..., Path]) -> None:
    maintenance = {NETWORK, BACKUPS, DATABASE}
    incident_lists = [example["incidents.json"], example["incidents/unresolved.json"], example["summary.json"]]
    assert all(not maintenance & set(ids(document["incidents"])) for document in incident_lists)
    assert not any(f"incidents/{m}.json" in example for m in maintenance)
    assert all(i["impact"] != "maintenance" for document in incident_lists for i in document["incidents"])
    # Even a maintenance that degrades a component and is in progress stays out of the incidents.
    root = site({"maintenance/m.md": maintenance_file("M", "2026-11-24T11:00Z", "2026-11-24T13:00Z",
                                                      components="{api: major_outage}")})
    api = build_api(root, NOW)
    assert api["incidents.json"]["incidents"] == api["incidents/unresolved.json"]["incidents"] == []
    assert api["summary.json"]["incidents"] == []
    assert len(api["summary.json"]["scheduled_maintenances"]) == 1


# Time travel and stability


def test_time_travel_holds_for_the_api(example: dict[str, Any]) -> None:
    during = build_api(ROOT, NOW.replace(day=18, hour=10, minute=40))  # before the Monitoring update
    incident = during[f"incidents/{API_ERRORS}.json"]["incident"]
    assert (incident["status"], incident["monitoring_at"], incident["resolved_at"], incident["updated_at"]) == (
        "identified", None, None, "2026-11-18T10:32:00.000Z")
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    assert ids(during["incidents/unresolved.json"]["incidents"]) == [API_ERRORS]
    assert f"incidents/{WEBHOOKS}.json" not in during  # not written yet
    assert ids(during["incidents.json"]["incidents"]) == [API_ERRORS, SIGN_IN, DASHBOARD_SLOW]
    # The database upgrade is not announced yet (2026-11-18 14:00 UTC).
    assert ids(during["scheduled-maintenances.json"]["scheduled_maintenances"]) == [BACKUPS, NETWORK]
    assert by_id(during["components.json"]["components"])["api"]["status"] == "partial_outage"
    assert during["status.json"]["status"] == {"indicator": "major", "description": "Partial system outage"}
    assert during["summary.json"]["page"]["updated_at"] == "2026-11-18T10:32:00.000Z"

    before_postmortem = build_api(ROOT, NOW.replace(day=20))
    incident = before_postmortem[f"incidents/{API_ERRORS}.json"]["incident"]
    assert (incident["status"], incident["updated_at"]) == ("resolved", "2026-11-18T11:18:00.000Z")

    before_move = build_api(ROOT, NOW.replace(hour=8))  # the database upgrade is moved at 09:00 UTC
    database = before_move[f"scheduled-maintenances/{DATABASE}.json"]["scheduled_maintenance"]
    assert (database["scheduled_for"], database["scheduled_until"], database["updated_at"]) == (
        "2026-11-25T21:00:00.000Z", "2026-11-25T22:00:00.000Z", "2026-11-18T14:00:00.000Z")
    assert example[f"scheduled-maintenances/{DATABASE}.json"]["scheduled_maintenance"]["id"] == database["id"]


def test_a_notice_file_changes_only_when_the_notice_does(example: dict[str, Any]) -> None:
    # The webhooks incident's update at 11:20 UTC is the page's latest change: every list shows it, but
    # an older incident's own file is as it was before it (or its components' status) changed.
    before = build_site(ROOT, NOW.replace(hour=11, minute=10))[0]
    now = build_site(ROOT, NOW)[0]
    assert before is not None and now is not None
    assert json.loads(before[f"api/v2/incidents/{WEBHOOKS}.json"])["page"]["updated_at"] == "2026-11-24T10:52:00.000Z"
    assert example[f"incidents/{WEBHOOKS}.json"]["page"]["updated_at"] == "2026-11-24T11:20:00.000Z"
    assert example["summary.json"]["page"]["updated_at"] == "2026-11-24T11:20:00.000Z"
    for name in (f"api/v2/incidents/{SIGN_IN}.json", f"api/v2/scheduled-maintenances/{BACKUPS}.json"):
        assert before[name] == now[name], name
    assert before["api/v2/summary.json"] != now["api/v2/summary.json"]


def all_ids(api: dict[str, Any]) -> dict[str, set[str]]:
    """Every id in the API by what it names: the page, components, notices and updates."""
    notices = [d.get("incident") or d["scheduled_maintenance"] for name, d in api.items()
               if name not in FIXED_FILES]
    return {
        "page": {api["summary.json"]["page"]["id"]},
        "components": set(ids(api["components.json"]["components"])),
        "notices": {n["id"] for n in notices},
        "updates": {f"{n['id']}/{u['status']}/{u['display_at']}={u['id']}" for n in notices
                    for u in n["incident_updates"]},
    }


def test_ids_are_stable_across_builds_and_new_content(example: dict[str, Any], tmp_path: Path) -> None:
    now_ids = all_ids(example)
    later_ids = all_ids(build_api(ROOT, NOW + timedelta(days=30)))
    assert now_ids == later_ids
    assert len(now_ids["notices"]) == 7 and len(now_ids["updates"]) == 17

    root = copy_example(tmp_path)
    # A new incident and maintenance sorting before and between the others, and an update inserted in the
    # middle of an existing incident: no other id moves.
    (root / "incidents" / "2026-01-01-aaa.md").write_text(incident_file(
        "Early", "## Investigating · 2026-11-24 11:59 UTC\nLooking.\n"), encoding="utf-8")
    (root / "maintenance" / "2026-11-30-mmm.md").write_text(maintenance_file(
        "Middle", "2026-11-30T10:00Z", "2026-11-30T11:00Z", components="{database: under_maintenance}"),
        encoding="utf-8")
    text = (root / "incidents" / "2026-11-18-api-errors.md").read_text(encoding="utf-8")
    text = text.replace("## Identified · 2026-11-18 10:32 UTC",
                        "## Update · 2026-11-18 10:40 UTC\nStill on it.\n\n## Identified · 2026-11-18 10:32 UTC")
    (root / "incidents" / "2026-11-18-api-errors.md").write_text(text, encoding="utf-8")
    changed = all_ids(build_api(root, NOW))
    for what in ("page", "components", "notices", "updates"):
        assert now_ids[what] <= changed[what], what
    assert len(changed["notices"]) == 9 and len(changed["updates"]) == 17 + 1 + 1 + 1


def test_ids_with_front_matter_are_kept_and_reserved_names_never_collide(site: Callable[..., Path]) -> None:
    update = "## Investigating · 2026-11-24 10:00 UTC\nLooking.\n"
    root = site({
        "incidents/unresolved.md": incident_file("Named like a list", update),
        "incidents/kept.md": incident_file("Imported", update, extra="id: w554d74dv18j\n"),
        "maintenance/upcoming.md": maintenance_file("Upcoming file", "2026-12-01T10:00Z", "2026-12-01T11:00Z"),
        "maintenance/active.md": maintenance_file("Active file", "2026-11-24T11:00Z", "2026-11-24T13:00Z"),
    })
    api = build_api(root, NOW)
    assert set(api["incidents/unresolved.json"]) == {"page", "incidents"}  # still the list
    assert len(api["incidents/unresolved.json"]["incidents"]) == 2
    assert set(api["scheduled-maintenances/upcoming.json"]) == {"page", "scheduled_maintenances"}
    assert set(api["scheduled-maintenances/active.json"]) == {"page", "scheduled_maintenances"}
    assert api["incidents/w554d74dv18j.json"]["incident"]["name"] == "Imported"
    notice_files = {name for name in api if name not in FIXED_FILES}
    assert len(notice_files) == 4
    assert all(re.fullmatch(r"(incidents|scheduled-maintenances)/[a-z0-9]{12}\.json", n) for n in notice_files)

    for reserved in ("unresolved", "upcoming", "active"):
        (root / "incidents" / "kept.md").write_text(incident_file("Imported", update, extra=f"id: {reserved}\n"),
                                                    encoding="utf-8")
        outputs, problems = build_site(root, NOW)
        assert outputs is None
        assert [p.message for p in problems if p.is_error] == [f"'id' cannot be '{reserved}'"]


def test_lists_hold_the_50_most_recent(site: Callable[..., Path]) -> None:
    files = {}
    start = datetime.fromisoformat("2026-09-01T10:00:00+00:00")
    for n in range(60):
        at = start + timedelta(days=n)
        resolved = "" if n < 3 else f"## Resolved · {at + timedelta(hours=1):%Y-%m-%d %H:%M} UTC\nFixed.\n\n"
        files[f"incidents/i{n:02}.md"] = incident_file(f"Incident {n}", f"{resolved}## Investigating · "
                                                                         f"{at:%Y-%m-%d %H:%M} UTC\nLooking.\n")
        files[f"maintenance/m{n:02}.md"] = maintenance_file(
            f"Maintenance {n}", f"{at:%Y-%m-%dT%H:%M}Z", f"{at + timedelta(hours=1):%Y-%m-%dT%H:%M}Z")
    api = build_api(site(files), NOW)
    names = [i["name"] for i in api["incidents.json"]["incidents"]]
    assert names == [f"Incident {n}" for n in range(59, 9, -1)]
    # The unresolved ones are listed even when they are older than the 50 most recent.
    assert [i["name"] for i in api["incidents/unresolved.json"]["incidents"]] == ["Incident 2", "Incident 1",
                                                                                 "Incident 0"]
    assert [i["name"] for i in api["summary.json"]["incidents"]] == ["Incident 2", "Incident 1", "Incident 0"]
    listed = [m["name"] for m in api["scheduled-maintenances.json"]["scheduled_maintenances"]]
    assert listed == [f"Maintenance {n}" for n in range(59, 9, -1)]
    # Every notice keeps its own file.
    assert sum(name.startswith("incidents/") for name in api) == 60 + 1
    assert sum(name.startswith("scheduled-maintenances/") for name in api) == 60 + 2
    assert {m["status"] for m in api["scheduled-maintenances.json"]["scheduled_maintenances"]} == {"completed"}
    assert api["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"] == []


# Bytes and times


def test_bytes_are_deterministic_readable_and_in_statuspage_order(example_outputs: dict[str, bytes]) -> None:
    again, _ = build_site(ROOT, NOW)
    assert again is not None
    api_files = {name: data for name, data in example_outputs.items() if name.startswith("api/")}
    assert {name: again[name] for name in api_files} == api_files
    for name, data in api_files.items():
        text = data.decode("utf-8")
        assert text.endswith("}\n") and not text.endswith("\n\n"), name
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n", name
    incident = json.loads(api_files[f"api/v2/incidents/{API_ERRORS}.json"])["incident"]
    assert list(incident) == ["id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
                              "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"]
    assert list(incident["incident_updates"][0]) == ["id", "status", "body", "incident_id", "created_at",
                                                     "updated_at", "display_at", "affected_components"]
    maintenance = json.loads(api_files[f"api/v2/scheduled-maintenances/{NETWORK}.json"])["scheduled_maintenance"]
    assert list(maintenance)[-2:] == ["scheduled_for", "scheduled_until"]


def test_text_is_utf8_not_escaped(site: Callable[..., Path]) -> None:
    config = "name: Statut — Café\nurl: https://status.test.example/\ncomponents:\n  - {id: api, name: Zürich API}\n"
    root = site({"incidents/x.md": incident_file("Panne à Zürich", "## Investigating · 2026-11-24 10:00 UTC\nÇa "
                                                 "ne marche pas.\n")}, config=config)
    outputs, _ = build_site(root, NOW)
    assert outputs is not None
    summary = outputs["api/v2/summary.json"].decode("utf-8")
    assert '"name": "Statut — Café"' in summary and '"name": "Zürich API"' in summary
    assert '"body": "Ça ne marche pas."' in summary and "\\u" not in summary


def test_times_are_utc_with_milliseconds(example: dict[str, Any], site: Callable[..., Path]) -> None:
    stamps = [(k, v) for document in example.values() for k, v in walk(document)
              if k.endswith("_at") or k.startswith("scheduled_")]
    assert len(stamps) > 100
    assert all(v is None or STAMP.match(v) for _, v in stamps)
    root = site({"incidents/x.md": incident_file(
        "X", "## Resolved · 2026-11-24 11:00:05.123456 +01:00\nDone.\n\n"
             "## Investigating · 2026-11-24T09:30:59.9Z\nLooking.\n",
        extra="created: 2026-11-24T09:30:00.5Z\nstarted: 2026-11-24 09:00 +01:00\n")})
    incident = build_api(root, NOW)["incidents.json"]["incidents"][0]
    assert (incident["created_at"], incident["started_at"], incident["resolved_at"], incident["updated_at"]) == (
        "2026-11-24T09:30:00.500Z", "2026-11-24T08:00:00.000Z", "2026-11-24T10:00:05.123Z",
        "2026-11-24T10:00:05.123Z")
    assert [u["display_at"] for u in incident["incident_updates"]] == ["2026-11-24T10:00:05.123Z",
                                                                     "2026-11-24T09:30:59.900Z"]


def test_files_change_only_when_something_happens(tmp_path: Path, site: Callable[..., Path]) -> None:
    # Between 30 Nov and 1 Dec nothing is written nor due, so not a byte of the API changes.
    first, _ = build_site(ROOT, NOW.replace(day=30))
    second, _ = build_site(ROOT, NOW.replace(month=12, day=1, hour=7))
    assert first is not None and second is not None
    assert {k: v for k, v in first.items() if k.startswith("api/")} == {
        k: v for k, v in second.items() if k.startswith("api/")}
    # A site without any notice has no time to tell: the Unix epoch stands in, never the clock.
    empty = build_api(site(), NOW)
    assert empty["summary.json"]["page"]["updated_at"] == "1970-01-01T00:00:00.000Z"
    assert {c["created_at"] for c in empty["components.json"]["components"]} == {"1970-01-01T00:00:00.000Z"}
    assert empty["status.json"]["status"] == {"indicator": "none", "description": "All systems operational"}
    assert errors("summary", empty["summary.json"]) == []


def test_a_site_at_a_sub_path(site: Callable[..., Path]) -> None:
    config = "name: Status\nurl: https://example.github.io/status/\ncomponents:\n  - {id: api, name: API}\n"
    root = site({"incidents/2026-11-24-x.md": incident_file("X", "## Investigating · 2026-11-24 10:00 UTC\nA.\n")},
                config=config)
    api = build_api(root, NOW)
    assert "summary.json" in api  # api/v2/ sits at the top of the output, which is served at the sub-path
    assert api["summary.json"]["page"]["url"] == "https://example.github.io/status"
    incident = api["incidents.json"]["incidents"][0]
    assert incident["shortlink"] == "https://example.github.io/status/incidents/2026-11-24-x/"
    assert errors("incidents", api["incidents.json"]) == []


def test_notice_files_are_serialised_as_the_list_files_are(generated_outputs: dict[str, bytes]) -> None:
    """A notice's own file is made of reused parts (api.py `record`); whole, it is what `dump` makes."""
    records = {n: d for n, d in generated_outputs.items() if re.match(r"api/v2/(incidents|scheduled-maintenances)/"
                                                                       r"[a-z0-9]+\.json$", n)
               and not n.endswith(("/unresolved.json", "/upcoming.json", "/active.json"))}
    assert len(records) == 126
    for name, data in records.items():
        assert dump(json.loads(data)) == data, name
        assert b"\\u0000" not in data
