"""The command line: the only place that reads the clock, prints, or exits the process."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from . import __version__
from .build import build_site, write_site
from .config import load_config
from .load import future_updates, load_site
from .model import Component, ComponentStatus, Impact, Kind, Problem, Window
from .scaffold import Draft, default_components, default_status, write_draft
from .times import TimeError, parse_now, parse_time

OK, CONTENT_ERROR, USAGE_ERROR = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot be carried out; exits with status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run `statuspress` with `argv`; return the exit status."""
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        now = _now(args.now)
        root = Path(args.site)
        return int(args.run(args, root, now))
    except UsageError as exc:
        parser.exit(USAGE_ERROR, f"statuspress: error: {exc}\n")
    except KeyboardInterrupt:
        print("statuspress: interrupted; nothing was written", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="statuspress", description="A status page that lives in git.")
    parser.add_argument("--version", action="version", version=f"statuspress {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: object, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--site", default=".", metavar="DIR", help="the site folder (default: .)")
        sub.add_argument("--now", metavar="TIME", help="the time the build sees, e.g. 2026-11-24T12:00:00Z")
        sub.set_defaults(run=run)
        return sub

    build = command("build", _build, "check the content and build the static site")
    build.add_argument("--out", metavar="DIR", help="output folder (default: _site in the site folder)")
    command("check", _check, "check every notice and report all problems")
    new = command("new", _new, "write a new notice from the template")
    new.add_argument("kind", choices=[k.value for k in Kind])
    new.add_argument("title")
    new.add_argument("--component", action="append", default=[], metavar="ID=STATUS",
                     help="an affected component and its status; repeat for several")
    new.add_argument("--impact", choices=[i.value for i in Impact], default=Impact.MINOR.value)
    new.add_argument("--window", nargs=2, metavar=("START", "END"), help="a maintenance window")
    return parser


def _now(text: str | None) -> datetime:
    try:
        return parse_now(text)
    except TimeError as exc:
        raise UsageError(f"--now: {exc.message}; {exc.hint}") from None


def _report(problems: list[Problem]) -> tuple[int, int]:
    for problem in sorted(problems, key=lambda p: (p.path != "site.yaml", p.path, p.line)):
        print(problem, file=sys.stderr)
    errors = sum(p.is_error for p in problems)
    return errors, len(problems) - errors


def _counts(errors: int, warnings: int) -> str:
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _build(args: argparse.Namespace, root: Path, now: datetime) -> int:
    out = Path(args.out) if args.out else root / "_site"
    if out.resolve() in (root.resolve(), *root.resolve().parents):
        raise UsageError(f"--out {out} would replace the site folder itself; choose another folder")
    outputs, problems = build_site(root, now)
    errors, warnings = _report(problems)
    if outputs is None:
        print(f"statuspress: {_counts(errors, warnings)}; nothing was built, {out} is unchanged", file=sys.stderr)
        return CONTENT_ERROR
    write_site(outputs, out)
    pages = sum(name.endswith(".html") for name in outputs)
    print(f"statuspress: built {pages} pages and {len(outputs) - pages} other files into {out}"
          f" ({_counts(errors, warnings)})", file=sys.stderr)
    return OK


def _check(args: argparse.Namespace, root: Path, now: datetime) -> int:
    site, problems = load_site(root)
    if site is not None:
        problems += future_updates(site, now)
    errors, warnings = _report(problems)
    notices = len(site.incidents) + len(site.maintenance) if site else 0
    summary = f"checked {notices} notices" if site else "check failed"
    print(f"statuspress: {summary}: {_counts(errors, warnings)}", file=sys.stderr)
    return CONTENT_ERROR if errors else OK


def _new(args: argparse.Namespace, root: Path, now: datetime) -> int:
    config, problems = load_config(root)
    if config is None:
        _report(problems)
        return CONTENT_ERROR
    kind = Kind(args.kind)
    title = " ".join(args.title.split())
    if not title:
        raise UsageError("the title is empty; give the notice a title")
    components = tuple(_component(spec, config.components, kind) for spec in args.component)
    window = None
    if args.window:
        if kind is not Kind.MAINTENANCE:
            raise UsageError("--window is for maintenance")
        try:
            window = Window(parse_time(args.window[0]), parse_time(args.window[1]))
        except TimeError as exc:
            raise UsageError(f"--window: {exc.message}; {exc.hint}") from None
        if window.end <= window.start:
            raise UsageError("--window: the end must come after the start")
    draft = Draft(kind, title, components or default_components(config, kind), Impact(args.impact), window)
    path = write_draft(root, draft, config, now.replace(second=0, microsecond=0))
    print(os.path.relpath(path))
    print(f"statuspress: wrote {path.relative_to(root).as_posix()}; edit it, then run 'statuspress check'",
          file=sys.stderr)
    return OK


def _component(spec: str, components: Sequence[Component], kind: Kind) -> tuple[str, ComponentStatus]:
    cid, _, value = spec.partition("=")
    ids = [c.id for c in components]
    if cid not in ids:
        raise UsageError(f"--component: unknown component '{cid}'; the site has: {', '.join(ids)}")
    try:
        status = ComponentStatus(value) if value else default_status(kind)
    except ValueError:
        raise UsageError(f"--component: unknown status '{value}'") from None
    if kind is Kind.INCIDENT and status in (ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE):
        raise UsageError(f"--component: an incident cannot set '{value}'")
    return cid, status
