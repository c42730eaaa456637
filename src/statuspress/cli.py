"""The command line: the only place that reads the clock, prints, or exits the process.

Each command imports the modules it needs when it runs, not when this module loads: `--help` and
`check` need not load Jinja, Markdown, icalendar, feedgen, markdownify or the HTTP server.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from . import __version__
from .model import Component, ComponentStatus, Impact, Kind, Maintenance, Notice, Problem, Site, Window
from .times import TimeError, parse_now, parse_time

OK, CONTENT_ERROR, USAGE_ERROR = 0, 1, 2
Command = Callable[[argparse.Namespace, Path, datetime], int]


class UsageError(Exception):
    """A command line that cannot be carried out; exits with status 2."""


def run() -> NoReturn:
    """The `statuspress` command: `main`, then exit without tearing down what the process made. Freeing a
    long history's objects one by one takes a tenth of a second or more; every file is closed by then."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `statuspress` with `argv`; return the exit status."""
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # `update FILE --status S "text"`: argparse cannot take a positional after an option; accept it here.
    if extra and args.command == "update" and args.text is None and len(extra) == 1 and not extra[0].startswith("-"):
        args.text, extra = extra[0], []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        now = _now(args.now)
        root = Path(args.site)
        if not root.is_dir():
            raise UsageError(f"--site {root}: no such folder")
        command: Command = args.run
        return command(args, root, now)
    except UsageError as exc:
        parser.exit(USAGE_ERROR, f"statuspress: error: {exc}\n")
    except KeyboardInterrupt:
        print("statuspress: interrupted; nothing was written", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="statuspress", description="A status page that lives in git.")
    parser.add_argument("--version", action="version", version=f"statuspress {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Command, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--site", default=".", metavar="DIR", help="the site folder (default: .)")
        sub.add_argument("--now", metavar="TIME", help="the time to act at, e.g. 2026-11-24T12:00:00Z (default: now)")
        sub.set_defaults(run=run)
        return sub

    build = command("build", _build, "check the content and build the static site")
    build.add_argument("--out", metavar="DIR", help="output folder (default: _site in the site folder)")
    check = command("check", _check, "check every notice and report all problems and review warnings")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="github: workflow annotations on the file and line")
    check.add_argument("--changed-since", metavar="REF",
                       help="review warnings only for notices changed since the merge base with REF")
    show = command("preview", _preview, "print changed notices as customers will read them, as Markdown")
    show.add_argument("--changed-since", metavar="REF", help="only notices changed since the merge base with REF")
    new = command("new", _new, "write a new notice from the message template")
    new.add_argument("kind", choices=[k.value for k in Kind])
    new.add_argument("title")
    new.add_argument("--component", action="append", default=[], metavar="ID=STATUS",
                     help="an affected component and its status; repeat for several")
    new.add_argument("--impact", choices=[i.value for i in Impact], default=Impact.MINOR.value)
    new.add_argument("--window", nargs=2, metavar=("START", "END"), help="a maintenance window")
    add = command("update", _update, "add an update section to a notice, newest first")
    add.add_argument("file", help="the notice, relative to the current folder")
    add.add_argument("--status", required=True,
                     help="investigating|identified|monitoring|update|resolved|postmortem, or for maintenance "
                          "in_progress|verifying|completed|cancelled|update")
    add.add_argument("text", nargs="?", help="the update's text (default: the stage's message template)")
    add.add_argument("--next-update", metavar="DELAY", help="promise the next update in DELAY (30m, 1h; default 30m)")
    moved = command("move", _move, "move a maintenance window, keeping the old one in 'rescheduled'")
    moved.add_argument("file", help="the maintenance notice, relative to the current folder")
    moved.add_argument("--to", nargs=2, required=True, metavar=("START", "END"), help="the new window")
    moved.add_argument("--reason", required=True, help="why it moved, in one sentence for customers")
    imported = command("import", _import, "convert another status page's incidents and maintenance into notices")
    imported.add_argument("source", choices=("statuspage",), help="where the export comes from")
    imported.add_argument("path", help="incidents.json, scheduled-maintenances.json, or a folder of "
                                       "incidents/<id>.json")
    imported.add_argument("--map", action="append", default=[], metavar="NAME=ID",
                          help="a Statuspage component name -> one of our component ids; repeat for several")
    imported.add_argument("--drop", action="append", default=[], metavar="NAME",
                          help="leave a (retired) Statuspage component out of the notices; repeat for several")
    imported.add_argument("--author", default="", help="the signature of notices that have none, e.g. 'Name, Team'")
    imported.add_argument("--fallback", default="other", metavar="ID",
                          help="the component of a notice that names none (default: other, added as 'Other')")
    served = command("serve", _serve, "build and serve the site on localhost; rebuild and reload pages on every save")
    served.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000; 0: any free one)")
    served.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    return parser


def _now(text: str | None) -> datetime:
    try:
        return parse_now(text)
    except TimeError as exc:
        raise UsageError(f"--now: {exc.message}; {exc.hint}") from None
    except OverflowError:  # 9999-12-31 23:00 -05:00 is in the year 10000 in UTC
        raise UsageError(f"--now: '{text}' is after 9999; give a time between 1970 and 9999") from None


def _time(option: str, text: str) -> datetime:
    try:
        return parse_time(text)
    except TimeError as exc:
        raise UsageError(f"{option}: {exc.message}; {exc.hint}") from None


def _report(problems: list[Problem], first: set[str] | None = None, github: Path | None = None) -> tuple[int, int]:
    """Print the problems, those of `first` paths first; return the counts of errors and warnings."""
    first = first or set()
    ordered = sorted(problems, key=lambda p: (p.path not in first, p.path != "site.yaml", p.path, p.line))
    top = None
    if github is not None:
        from .changes import repository_root

        top = repository_root(github)
    for problem in ordered:
        if github is None:
            print(problem, file=sys.stderr)
        else:  # workflow commands are read from standard output
            print(_github(problem, github, top))
    errors = sum(p.is_error for p in problems)
    return errors, len(problems) - errors


def _github(problem: Problem, root: Path, top: Path | None) -> str:
    """Format a problem as a GitHub workflow command, annotating the file and line in the diff."""
    from .changes import display_path

    def escape(text: str, properties: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if properties else text

    title = f"statuspress {problem.rule}" if problem.rule else "statuspress"
    message = problem.message + (f"; {problem.hint}" if problem.hint else "")
    path = escape(display_path(problem.path, root, top), True)
    return f"::{problem.severity} file={path},line={problem.line},title={escape(title, True)}::{escape(message)}"


def _counts(errors: int, warnings: int) -> str:
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _build(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from . import quiet
    from .write import site_files, write_site

    out = Path(args.out) if args.out else root / "_site"
    if out.resolve() in (root.resolve(), *root.resolve().parents):
        raise UsageError(f"--out {out} would replace the site folder itself; choose another folder")
    spare = root / quiet.CACHE / "previous-site"  # the site swapped out, brought up to date by the next build
    started = time.time_ns()
    signed = quiet.inputs(root, out)
    # Nothing changed but `now` (the scheduled publish): the last build's files, with the new time.
    record = quiet.load(root / quiet.CACHE) if signed is not None else None
    changed = quiet.files(record, signed, now) if record is not None and signed is not None else None
    found = site_files(out, spare) if changed is not None else None
    if record is not None and changed is not None and found is not None and changed.keys() <= found.live.keys():
        try:
            write_site(changed, out, spare=spare, keep=found)
        except OSError:
            pass  # a full build says what is wrong
        else:
            errors, warnings = _report(list(record.problems))
            print(f"statuspress: built {out}: {record.summary} ({_counts(errors, warnings)})", file=sys.stderr)
            return OK

    from .build import build_with_summary, forget
    from .parallel import workers

    failed: list[OSError] = []

    def write(outputs: dict[str, bytes]) -> None:
        forget()  # one build: what it kept for a next one is not needed
        try:
            write_site(outputs, out, spare=spare, processes=workers())
        except OSError as exc:  # a full disk, a read-only folder: the previous site stays as it was
            failed.append(exc)

    outputs, problems, summary = build_with_summary(root, now, root / quiet.CACHE, processes=workers(), write=write)
    errors, warnings = _report(problems)
    if outputs is None or summary is None:
        print(f"statuspress: {_counts(errors, warnings)}; nothing was built, {out} is unchanged", file=sys.stderr)
        return CONTENT_ERROR
    if failed:
        print(f"statuspress: cannot write {out}: {failed[0].strerror or failed[0]}; {out} is unchanged",
              file=sys.stderr)
        return CONTENT_ERROR
    if signed is not None and summary.until is not None and summary.config is not None:
        quiet.save(root / quiet.CACHE, quiet.Record(signed, now, summary.until, summary.config.language,
                                              summary.config.time_zone, summary.stamped, tuple(problems), str(summary)),
                   started)
    print(f"statuspress: built {out}: {summary} ({_counts(errors, warnings)})", file=sys.stderr)
    return OK


def _changed(root: Path, ref: str | None) -> set[str] | None:
    if ref is None:
        return None
    from .changes import ChangesError, changed_since

    try:
        return changed_since(root, ref)
    except ChangesError as exc:
        raise UsageError(f"--changed-since: {exc}") from None


def _check(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .load import future_updates, load_site
    from .rules import review

    site, problems = load_site(root)
    changed = _changed(root, args.changed_since)
    if site is not None:
        problems += future_updates(site, now) + review(site, now)
    if changed is not None:  # errors for everything; warnings for what the change touches
        problems = [p for p in problems if p.is_error or p.path in changed]
    errors, warnings = _report(problems, changed, root if args.format == "github" else None)
    notices = len(site.incidents) + len(site.maintenance) if site else 0
    summary = f"checked {notices} notice{'s' * (notices != 1)}" if site and not errors else "check failed"
    print(f"statuspress: {summary}: {_counts(errors, warnings)}", file=sys.stderr)
    return CONTENT_ERROR if errors or (args.strict and warnings) else OK


def _preview(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .load import load_site
    from .preview import preview
    from .rules import review

    site, problems = load_site(root)
    if site is None:
        _report(problems)
        return CONTENT_ERROR
    changed = _changed(root, args.changed_since)
    sys.stdout.write(preview(site, now, changed, [*problems, *review(site, now)]))
    return CONTENT_ERROR if any(p.is_error for p in problems) else OK


def _new(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .config import load_config
    from .scaffold import Draft, clean_title, write_draft

    config, _, problems = load_config(root)
    if config is None:
        _report(problems)
        return CONTENT_ERROR
    kind = Kind(args.kind)
    title = clean_title(args.title)
    if not title:
        raise UsageError("the title is empty; give the notice a title")
    components = tuple(_component(spec, config.components, kind) for spec in args.component)
    window = None
    if args.window:
        if kind is not Kind.MAINTENANCE:
            raise UsageError("--window is for maintenance")
        window = Window(_time("--window", args.window[0]), _time("--window", args.window[1]))
        if window.end <= window.start:
            raise UsageError("--window: the end must come after the start")
    draft = Draft(kind, title, components, Impact(args.impact), window)
    path = write_draft(root, draft, config, now.replace(second=0, microsecond=0))
    print(os.path.relpath(path))
    print(f"statuspress: wrote {path.relative_to(root).as_posix()}; edit it, then run 'statuspress check'",
          file=sys.stderr)
    return OK


def _component(spec: str, components: Sequence[Component], kind: Kind) -> tuple[str, ComponentStatus]:
    from .scaffold import default_status

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


def _open_notice(root: Path, file: str) -> tuple[Site, Notice, Path, str]:
    """Load the site and the notice FILE names (relative to the current folder), or explain why not."""
    from .load import load_notice, load_site

    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{file}: no such file")
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{file} is not inside the site folder {root}; pass --site") from None
    kind = next((k for k in Kind if relative.startswith(k.folder + "/")), None)
    if kind is None:
        raise UsageError(f"{file} is not in incidents/ or maintenance/")
    site, problems = load_site(root)
    if site is None:
        _report(problems)
        raise UsageError("site.yaml has errors; fix them first")
    data = path.read_bytes()
    notice, found = load_notice(data, relative, kind, site.config)
    if notice is None:
        _report(found)
        raise UsageError(f"{file} has errors; fix them before adding to it")
    return site, notice, path, data.decode("utf-8-sig").replace("\r\n", "\n")


def _write_edit(root: Path, site: Site, notice: Notice, path: Path, text: str, line: int, what: str) -> int:
    from .load import load_notice

    reloaded, problems = load_notice(text.encode(), notice.path, notice.kind, site.config)
    errors, warnings = _report(problems)
    if reloaded is None:  # never leave a notice broken by an edit
        print(f"statuspress: the edit would break {notice.path}; the file is unchanged", file=sys.stderr)
        return CONTENT_ERROR
    path.write_text(text, encoding="utf-8", newline="\n")
    print(f"statuspress: {what} at line {line} of {notice.path} ({_counts(errors, warnings)})", file=sys.stderr)
    return OK


def _update(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .edit import EditError, parse_delay, update

    site, notice, path, text = _open_notice(root, args.file)
    try:
        delay = parse_delay(args.next_update) if args.next_update else None
        edited = update(root, site.config, notice, text, args.status, args.text, delay, now.replace(second=0))
    except EditError as exc:
        raise UsageError(str(exc)) from None
    return _write_edit(root, site, notice, path, edited.text, edited.line, "added the update")


def _move(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .edit import EditError, move

    site, notice, path, text = _open_notice(root, args.file)
    if not isinstance(notice, Maintenance):
        raise UsageError("move is for maintenance notices; an incident has no window")
    window = Window(_time("--to", args.to[0]), _time("--to", args.to[1]))
    if window.end <= window.start:
        raise UsageError("--to: the end must come after the start")
    try:
        edited = move(root, site.config, notice, text, window, args.reason, now.replace(second=0))
    except EditError as exc:
        raise UsageError(str(exc)) from None
    return _write_edit(root, site, notice, path, edited.text, edited.line, "moved the window; added the update")


def _import(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .config import load_config
    from .importer import ImportFailure, convert, parse_options, read_export, write_import

    config, _, problems = load_config(root)
    if config is None or any(p.is_error for p in problems):
        _report(problems)
        raise UsageError("site.yaml has errors; fix them first")
    try:
        options = parse_options(args.map, args.drop, args.author, args.fallback)
        documents, unreadable = read_export(Path(args.path))
        conversion = convert(documents, config, options)
        conversion.skipped[:0] = unreadable
        outcome = write_import(root, conversion)
    except (ValueError, ImportFailure) as exc:
        raise UsageError(str(exc)) from None
    for skipped in outcome.skipped:
        print(skipped, file=sys.stderr)
    for note in conversion.notes:
        print(f"statuspress: note: {note}", file=sys.stderr)
    counts = {kind: sum(n.kind is kind for n in outcome.written) for kind in Kind}
    added = f"; added to site.yaml: {', '.join(c.id for c in outcome.added)}" if outcome.added else ""
    print(f"statuspress: imported {counts[Kind.INCIDENT]} incident{'s' * (counts[Kind.INCIDENT] != 1)} and "
          f"{counts[Kind.MAINTENANCE]} maintenance into {root}{added}; {len(outcome.unchanged)} already there; "
          f"skipped {len(outcome.skipped)}", file=sys.stderr)
    return CONTENT_ERROR if any(s.problem for s in outcome.skipped) else OK


def _serve(args: argparse.Namespace, root: Path, now: datetime) -> int:
    from .build import build_site, notice_pages
    from .cache import FOLDER as CACHE
    from .serve import PreviewServer

    def rebuild() -> tuple[dict[str, bytes] | None, list[Problem]]:
        return build_site(root, _now(args.now), root / CACHE)  # --now fixes the time; else each rebuild reads the clock

    def first(paths: list[str]) -> dict[str, bytes] | None:
        if not all(p.startswith(("incidents/", "maintenance/")) for p in paths):
            return None  # site.yaml or a template: every page may change
        return notice_pages(root, _now(args.now), paths, root / CACHE)

    try:
        server = PreviewServer(rebuild, root, host=args.host, port=args.port, ignore=[root / "_site", root / CACHE],
                               say=lambda line: print(line, file=sys.stderr, flush=True), first=first)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host} port {args.port}: {exc.strerror or exc}; "
                         "choose another --port") from None
    server.run()
    print("statuspress: stopped", file=sys.stderr)
    return OK
