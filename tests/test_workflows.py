"""The GitHub workflows in .github/: valid, least privilege, and running the CLI the way the README says.

The workflows keep their real commands in .github/scripts/*.sh; the tests here run those very scripts
against a git clone of the example site, with the environment GitHub Actions gives them, so the
workflows cannot drift from the CLI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from statuspress import cache

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
SCRIPTS = GITHUB / "scripts"
SITE_FILES = ["site.yaml", "incidents", "maintenance", "templates"]
ANNOTATION = re.compile(r"^::(error|warning|notice) ?([^:]*)::(.*)$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # PyYAML reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return dict(data)


def workflow(name: str) -> dict[str, Any]:
    return load(GITHUB / "workflows" / name)


def steps(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in data["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def workflow_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands in `output`: (level, properties, message)."""
    found = []
    for line in output.splitlines():
        match = ANNOTATION.match(line)
        if match:
            props = dict(p.split("=", 1) for p in match[2].split(",") if "=" in p)
            found.append((match[1], props, match[3]))
    return found


# --- GitHub's workflow schema ---------------------------------------------------------------------------

def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, check=False)


def test_there_are_the_two_workflows() -> None:
    assert {"check.yml", "publish.yml"} <= {p.name for p in WORKFLOWS}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_validates_against_githubs_schema(path: Path) -> None:
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\npermissions: {contents: maybe}\njobs:\n  a:\n    steps: [{run: 'true'}]\n")
    assert check_jsonschema(broken).returncode != 0


# --- Least privilege and the structure the issue asks for ----------------------------------------------

@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "pull_request_target" in line]
    assert "pull_request_target" not in load(path)["on"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_explicit_permissions_everywhere(path: Path) -> None:
    data = load(path)
    assert "permissions" in data, "a workflow-level default, so no job falls back to the repository's"
    for job_id, job in data["jobs"].items():
        permissions = job.get("permissions", data["permissions"])
        assert isinstance(permissions, dict), f"{job_id}: name each permission, no read-all/write-all"


def test_pull_requests_get_read_only_access_and_no_secrets() -> None:
    data = workflow("check.yml")
    assert set(data["on"]) == {"pull_request"}
    for job_id, job in data["jobs"].items():
        permissions = job.get("permissions", data["permissions"])
        assert set(permissions.values()) <= {"read", "none"}, job_id
    assert "secrets." not in (GITHUB / "workflows" / "check.yml").read_text()


def test_only_the_deploy_job_may_write_to_pages() -> None:
    data = workflow("publish.yml")
    assert data["permissions"] == {}
    for job_id, job in data["jobs"].items():
        assert "permissions" in job, f"{job_id}: every publish job says what it needs"
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        expected = {"deploy": {"pages", "id-token"}, "keepalive": {"actions"}}.get(job_id, set())
        assert writes == expected, job_id


def test_publishes_never_race() -> None:
    assert workflow("publish.yml")["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_publish_triggers() -> None:
    on = workflow("publish.yml")["on"]
    assert on["push"] == {"branches": ["main"]}
    assert {"cron": "*/10 * * * *"} in on["schedule"]
    assert "workflow_dispatch" in on


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_version(path: Path) -> None:
    uses = [step["uses"] for _, step in steps(load(path)) if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", action), action


def test_the_scheduled_publish_keeps_the_build_cache_between_runs() -> None:
    """Only what shows the present is rendered again every 10 minutes (README, "The build cache")."""
    build = [step for job, step in steps(workflow("publish.yml")) if job == "build"]
    names = [step.get("name", step.get("uses", "")) for step in build]
    cached = next(step for step in build if step.get("uses", "").startswith("actions/cache@"))
    # the cache files (cache.FILE and cache.DELTA), not the spare site: runners start clean
    assert cached["with"]["path"].split() == [f".statuspress-cache/{cache.FILE}", f".statuspress-cache/{cache.DELTA}"]
    assert cached["with"]["restore-keys"] == "statuspress-build-" and "run_id" in cached["with"]["key"]
    assert names.index(cached["name"]) < names.index("Build the site at the current time")


def test_publish_deploys_with_the_official_pages_actions() -> None:
    data = workflow("publish.yml")
    uses = {step["uses"] for _, step in steps(data) if "uses" in step}
    assert {"actions/upload-pages-artifact@v3", "actions/configure-pages@v5", "actions/deploy-pages@v4"} <= uses
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"


def test_the_merge_base_is_known_on_pull_requests() -> None:
    for job_id, step in steps(workflow("check.yml")):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["fetch-depth"] == 0, job_id
            assert step["with"]["persist-credentials"] is False, job_id


def test_the_other_host_uses_repository_secrets_and_is_skipped_without_them() -> None:
    data = workflow("publish.yml")
    job = data["jobs"]["netlify"]
    assert job["if"].startswith("needs.build.outputs.netlify == 'true'")
    hosts = next(step for _, step in steps(data) if step.get("id") == "hosts")
    assert hosts["env"]["NETLIFY_CONFIGURED"] == (
        "${{ secrets.NETLIFY_AUTH_TOKEN != '' && secrets.NETLIFY_SITE_ID != '' }}")
    deploy = job["steps"][-1]
    assert deploy["env"]["NETLIFY_AUTH_TOKEN"] == "${{ secrets.NETLIFY_AUTH_TOKEN }}"
    assert deploy["env"]["NETLIFY_SITE_ID"] == "${{ secrets.NETLIFY_SITE_ID }}"


def test_the_keepalive_runs_on_one_of_the_schedules() -> None:
    data = workflow("publish.yml")
    crons = [entry["cron"] for entry in data["on"]["schedule"]]
    daily = re.search(r"github\.event\.schedule == '([^']+)'", data["jobs"]["keepalive"]["if"])
    assert daily and daily[1] in crons and daily[1] != "*/10 * * * *"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_command_is_a_script_that_exists(path: Path) -> None:
    for job_id, step in steps(load(path)):
        if "run" in step:
            match = re.fullmatch(r"bash (\.github/scripts/[\w-]+\.sh)", step["run"].strip())
            assert match, f"{job_id}: put the command in .github/scripts/ so the tests run it: {step['run']!r}"
            assert (ROOT / match[1]).is_file(), match[1]


def test_every_script_is_used_by_a_workflow() -> None:
    text = "".join(path.read_text() for path in WORKFLOWS)
    for script in SCRIPTS.glob("*.sh"):
        if script.name != "common.sh":  # sourced by the others
            assert f"bash .github/scripts/{script.name}" in text, script.name


def test_builds_use_the_current_time() -> None:
    for path in [*WORKFLOWS, *SCRIPTS.glob("*.sh")]:
        code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
        assert not [line for line in code if "--now" in line], path.name


def test_codeowners_and_pull_request_template() -> None:
    owners = (GITHUB / "CODEOWNERS").read_text()
    for folder in ("/incidents/", "/maintenance/", "/templates/messages/"):
        assert re.search(rf"^{re.escape(folder)}\s+@\S+", owners, re.MULTILINE), folder
    template = (GITHUB / "pull_request_template.md").read_text().lower()
    for point in ("summary", "components", "next update", "signed", "time zone", "neutral", "attacker"):
        assert point in template, point


# --- The scripts, against a git clone of the example site ---------------------------------------------

class Repo:
    """A git repository holding the example site (in `site_dir`) and .github/, on a branch off main."""

    def __init__(self, path: Path, site_dir: str, env: dict[str, str]) -> None:
        self.path, self.site_dir, self.env = path, site_dir, env
        self.site = path / site_dir
        self.summary = path.parent / "step-summary.md"
        self.output = path.parent / "github-output.txt"

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.path, env=self.env, check=True, capture_output=True,
                              text=True).stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run `bash .github/scripts/<script>` from the repository root, as the workflows do."""
        self.summary.write_text("")
        self.output.write_text("")
        full = {**self.env, "SITE_DIR": self.site_dir, "GITHUB_STEP_SUMMARY": str(self.summary),
                "GITHUB_OUTPUT": str(self.output), **env}
        return subprocess.run(["bash", f".github/scripts/{script}"], cwd=self.path, env=full, check=False,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def notice(self, name: str, text: str) -> str:
        """Write a notice; return its path relative to the repository root."""
        path = self.site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path.relative_to(self.path).as_posix()


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment without what GitHub Actions or a developer's shell would add."""
    drop = ("GITHUB_", "RUNNER_", "GH_", "GIT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    for name in ("CHANGED_SINCE", "SITE_DIR", "OUT_DIR", "BEFORE", "VIA_PULL_REQUEST", "NETLIFY_AUTH_TOKEN",
                 "NETLIFY_SITE_ID", "NETLIFY_CONFIGURED", "KEEPALIVE_NOW", "WARN_AFTER_DAYS", "PAGES_ARTIFACT"):
        env.pop(name, None)
    home = tmp_path / "home"
    home.mkdir()
    return {**env, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "On Call", "GIT_AUTHOR_EMAIL": "oncall@example.com",
            "GIT_COMMITTER_NAME": "On Call", "GIT_COMMITTER_EMAIL": "oncall@example.com",
            # the statuspress of this environment, as `pip install .` puts it on PATH in the workflows
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])}


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Repo]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def make(site_dir: str = ".") -> Repo:
        repo = Repo(tmp_path / "repo", site_dir, _clean_env(tmp_path))
        repo.site.mkdir(parents=True)
        for name in SITE_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, repo.site / name)
            elif source.exists():
                shutil.copy2(source, repo.site / name)
        shutil.copytree(SCRIPTS, repo.path / ".github" / "scripts")
        shutil.copytree(GITHUB / "workflows", repo.path / ".github" / "workflows")
        repo.git("init", "-q", "-b", "main")
        repo.commit("The example site")
        repo.git("checkout", "-q", "-b", "notice")
        return repo

    return make


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def first_post(title: str, later: str = "") -> str:
    """A new incident: its first Investigating post ten minutes ago, and optionally a later section."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return f"""\
---
title: {title}
impact: minor
components:
  api: partial_outage
author: Amara Okafor, Integrations team
next_update: {(now + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}
---
Some API requests for search fail with errors since {_stamp(now - timedelta(minutes=15))}. No data is lost.
{later}
## Investigating · {_stamp(now - timedelta(minutes=10))}
We are investigating failing search requests on the API. Next update within 30 minutes.
"""


def edit_summary(repo: Repo, name: str, sentence: str) -> str:
    path = repo.site / name
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    path.write_text(f"{head}{sep}{sentence} {body}", encoding="utf-8")
    return path.relative_to(repo.path).as_posix()


def new_lines(repo: Repo, relative: str) -> list[str]:
    return (repo.path / relative).read_text(encoding="utf-8").splitlines()


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def test_check_annotates_the_changed_notices(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    future = _stamp(datetime.now(UTC) + timedelta(hours=3))
    later = f"\n## Update · {future}\nWritten ahead of time.\n"
    new = repo.notice(f"incidents/{today()}-search-errors.md", first_post("Search requests failing", later))
    repo.commit("New incident")
    result = repo.run("check.sh", CHANGED_SINCE="main")
    assert result.returncode == 0, result.stdout
    assert "--format github --changed-since main" in result.stdout
    found = workflow_commands(result.stdout)
    future_line = new_lines(repo, new).index(f"## Update · {future}") + 1
    assert ("warning", new, str(future_line)) in [(level, p.get("file"), p.get("line")) for level, p, _ in found]
    assert {p.get("file") for level, p, _ in found if level == "warning"} == {new}, found


def test_check_reports_errors_in_every_notice_and_fails(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo("status")  # a site in a sub-folder: annotation paths are relative to the repository root
    new = repo.notice(f"incidents/{today()}-search-errors.md",
                      first_post("Search requests failing").replace("  api: partial_outage", "  apii: partial_outage"))
    result = repo.run("check.sh", CHANGED_SINCE="main")  # uncommitted and untracked files count as changed
    assert result.returncode == 1, result.stdout
    errors = [(p.get("file"), p.get("line")) for level, p, _ in workflow_commands(result.stdout) if level == "error"]
    assert new.startswith("status/incidents/")
    assert (new, "5") in errors, result.stdout


@pytest.mark.parametrize("ref", ["", "0000000000000000000000000000000000000000", "no-such-branch"])
def test_check_without_a_base_checks_every_notice(make_repo: Callable[..., Repo], ref: str) -> None:
    repo = make_repo()
    result = repo.run("check.sh", CHANGED_SINCE=ref)
    assert result.returncode == 0, result.stdout
    assert "statuspress check --site . --format github\n" in result.stdout
    assert ("Nothing to compare with" in result.stdout) == (ref == "no-such-branch")


def test_preview_writes_the_changed_notices_into_the_job_summary(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    repo.notice(f"incidents/{today()}-search-errors.md", first_post("Search requests failing"))
    edit_summary(repo, "incidents/2026-10-29-dashboard-slow.md", "We have added the final load figures.")
    repo.commit("A new incident and an edit")
    result = repo.run("preview.sh", CHANGED_SINCE="main")
    assert result.returncode == 0, result.stdout
    summary = repo.summary.read_text(encoding="utf-8")
    assert summary.strip() and summary.strip() in result.stdout  # the log shows it too
    assert "Search requests failing" in summary
    assert "Some API requests for search fail with errors" in summary
    assert "investigating" in summary.lower()
    assert "API" in summary  # the affected component, by name
    assert "Dashboard slow to load in the US region" in summary
    assert "Elevated error rates on the API" not in summary  # unchanged


def test_build_builds_the_site_at_the_current_time(make_repo: Callable[..., Repo], tmp_path: Path) -> None:
    repo = make_repo()
    name = f"{today()}-search-errors"
    repo.notice(f"incidents/{name}.md", first_post("Search requests failing"))
    out = tmp_path / "out"
    before = datetime.now(UTC)
    result = repo.run("build.sh", OUT_DIR=str(out))
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Search requests failing" in index
    assert (out / "incidents" / name / "index.html").is_file()
    assert (out / "feed.atom").is_file()
    assert any(f"{moment.day} {moment:%b %Y}" in index for moment in (before, after)), "built at now"


def test_build_default_output_is_what_the_workflows_upload(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    assert repo.run("build.sh").returncode == 0
    assert (repo.path / "_site" / "index.html").is_file()  # check.yml and publish.yml upload _site/


def test_code_changed_decides_whether_the_tests_run(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    repo.notice(f"incidents/{today()}-search-errors.md", first_post("Search requests failing"))
    repo.commit("Only a notice")
    assert repo.run("code-changed.sh", CHANGED_SINCE="main").returncode == 0
    assert repo.output.read_text() == "code=false\n"
    (repo.path / "src").mkdir()
    (repo.path / "src" / "module.py").write_text("")  # untracked counts
    assert repo.run("code-changed.sh", CHANGED_SINCE="main").returncode == 0
    assert repo.output.read_text() == "code=true\n"
    assert repo.run("code-changed.sh").returncode == 0  # no base: run the tests
    assert repo.output.read_text() == "code=true\n"


def test_test_script_skips_a_site_without_tests(make_repo: Callable[..., Repo]) -> None:
    result = make_repo().run("test.sh")
    assert result.returncode == 0 and "no tests/ folder" in result.stdout


def fake_gh(tmp_path: Path, answer: str, path: str) -> tuple[str, Path]:
    """A `gh` first on `path` that records its arguments and prints `answer`; returns (PATH, the log)."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "gh.log"
    gh = bin_dir / "gh"
    gh.write_text(f'#!/usr/bin/env bash\necho "$*" >> {log}\necho {answer}\n')
    gh.chmod(0o755)
    return os.pathsep.join([str(bin_dir), path]), log


@pytest.mark.parametrize("site_dir", [".", "status"])
def test_fast_path_audit(make_repo: Callable[..., Repo], site_dir: str) -> None:
    repo = make_repo(site_dir)
    first = repo.notice(f"incidents/{today()}-search-errors.md", first_post("Search requests failing"))
    edited = edit_summary(repo, "maintenance/2026-12-02-database-upgrade.md", "Moved by one hour.")
    repo.commit("Pushed straight to main")
    result = repo.run("fast-path.sh", BEFORE="main", VIA_PULL_REQUEST="false")
    assert result.returncode == 0, result.stdout
    found = {(level, p.get("file")) for level, p, _ in workflow_commands(result.stdout)}
    assert found == {("notice", first), ("warning", edited)}, result.stdout
    summary = repo.summary.read_text()
    assert first in summary and edited in summary and "outside the fast path" in summary


def test_fast_path_audit_accepts_a_first_post_and_anything_reviewed(make_repo: Callable[..., Repo],
                                                                   tmp_path: Path) -> None:
    repo = make_repo()
    first = repo.notice(f"incidents/{today()}-search-errors.md", first_post("Search requests failing"))
    repo.commit("First post")
    result = repo.run("fast-path.sh", BEFORE="main", VIA_PULL_REQUEST="false")
    assert [(level, p.get("file")) for level, p, _ in workflow_commands(result.stdout)] == [("notice", first)]
    edit_summary(repo, "maintenance/2026-12-02-database-upgrade.md", "Moved by one hour.")
    repo.commit("A reviewed change")
    path, log = fake_gh(tmp_path, "1", repo.env["PATH"])  # GitHub: merged from one pull request
    result = repo.run("fast-path.sh", BEFORE="main", GH_TOKEN="token", GITHUB_REPOSITORY="acme/status", PATH=path)
    assert result.returncode == 0 and workflow_commands(result.stdout) == [], result.stdout
    assert f"api repos/acme/status/commits/{repo.git('rev-parse', 'HEAD').strip()}/pulls" in log.read_text()


def test_what_statuspress_new_writes_is_a_first_post(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    new = subprocess.run(["statuspress", "new", "incident", "Elevated API error rates", "--component",
                          "api=partial_outage"], cwd=repo.path, env=repo.env, capture_output=True, text=True,
                         check=True).stdout.strip()
    repo.commit("First post, as the README's fast path writes it")
    result = repo.run("fast-path.sh", BEFORE="main", VIA_PULL_REQUEST="false")
    assert [(level, p.get("file")) for level, p, _ in workflow_commands(result.stdout)] == [("notice", new)]


def test_fast_path_audit_without_a_previous_head(make_repo: Callable[..., Repo]) -> None:
    result = make_repo().run("fast-path.sh", BEFORE="0000000000000000000000000000000000000000")
    assert result.returncode == 0 and workflow_commands(result.stdout) == []


def test_keepalive(make_repo: Callable[..., Repo], tmp_path: Path) -> None:
    repo = make_repo()
    last = int(repo.git("log", "-1", "--format=%ct").strip())
    path, log = fake_gh(tmp_path, "", repo.env["PATH"])
    quiet = repo.run("keepalive.sh", KEEPALIVE_NOW=str(last + 86400), GH_TOKEN="token", PATH=path,
                     GITHUB_REPOSITORY="acme/status",
                     GITHUB_WORKFLOW_REF="acme/status/.github/workflows/publish.yml@refs/heads/main")
    assert quiet.returncode == 0, quiet.stdout
    assert log.read_text() == "api --method PUT repos/acme/status/actions/workflows/publish.yml/enable\n"
    assert workflow_commands(quiet.stdout) == [] and repo.summary.read_text() == ""
    stale = repo.run("keepalive.sh", KEEPALIVE_NOW=str(last + 50 * 86400))
    assert stale.returncode == 0, stale.stdout
    [(level, props, message)] = workflow_commands(stale.stdout)
    assert level == "warning" and "No commit for 50 days" in message and "60 days" in message
    assert "Publish schedule at risk" in repo.summary.read_text()


def test_keepalive_fails_loudly_when_the_api_refuses(make_repo: Callable[..., Repo], tmp_path: Path) -> None:
    repo = make_repo()
    bin_dir = tmp_path / "failing-bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text("#!/usr/bin/env bash\necho 'HTTP 403' >&2\nexit 1\n")
    (bin_dir / "gh").chmod(0o755)
    result = repo.run("keepalive.sh", GH_TOKEN="token", GITHUB_REPOSITORY="acme/status",
                      PATH=os.pathsep.join([str(bin_dir), repo.env["PATH"]]))
    assert result.returncode != 0


@pytest.mark.parametrize(("configured", "expected"), [("true", "netlify=true\n"), ("false", "netlify=false\n"),
                                                      ("", "netlify=false\n")])
def test_hosts(make_repo: Callable[..., Repo], configured: str, expected: str) -> None:
    repo = make_repo()
    assert repo.run("hosts.sh", NETLIFY_CONFIGURED=configured).returncode == 0
    assert repo.output.read_text() == expected


def test_netlify_deploy_does_nothing_without_its_secrets(make_repo: Callable[..., Repo]) -> None:
    result = make_repo().run("deploy-netlify.sh", NETLIFY_SITE_ID="site-id")
    assert result.returncode == 0
    assert [level for level, _, _ in workflow_commands(result.stdout)] == ["notice"]

