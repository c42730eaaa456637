"""Fuzz target for the loader: any bytes as a notice file give problems with a line, or a site; never an exception.

Each input is the bytes of one notice file (an incident, or a maintenance if it mentions `window`) in a
small site. It goes through the whole build as `statuspress build` runs it, without writing the output:
reading and size check, UTF-8, front matter, YAML (tags, aliases), fields, update headings, Markdown,
pages, feeds, calendar, API, badges, and the check that every notice is in the output. A crash is any
exception, a problem without a line, or a refused build without an error.

Run it with atheris, a coverage-guided fuzzer (a benchmark-only dependency, not one of the package's;
it has wheels for CPython on Linux and macOS):

    python -m pip install atheris
    mkdir -p /tmp/corpus && cp incidents/*.md maintenance/*.md /tmp/corpus/    # seeds; the fuzzer adds to it
    python bench/fuzz_loader.py /tmp/corpus -timeout=10 -max_len=8192 -atheris_runs=200000

`-timeout=10` reports an input that takes more than 10 seconds as a crash too (a slow input is a way to
stop a publish). A crash is saved as `crash-<hash>` (or `timeout-<hash>`) in the current folder; replay
one, or any notice files, without atheris:

    python bench/fuzz_loader.py crash-0123abcd incidents/2026-11-18-api-errors.md
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

try:
    import atheris
except ImportError:  # replaying files needs no fuzzer
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["statuspress", "yaml", "markdown", "pymdownx"]):
        from statuspress.build import build_site
else:
    from statuspress.build import build_site

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SITE_YAML = """\
name: Fuzz Status
url: https://status.fuzz.example/
time_zone: Europe/Rome
contact: {email: support@fuzz.example}
components:
  - {id: api, name: API}
  - {id: dashboard, name: Dashboard, group: Web}
  - {id: db, name: Database}
"""
ROOT = Path(tempfile.mkdtemp(prefix="statuspress-fuzz-"))
(ROOT / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
FILES = {folder: ROOT / folder / "2026-11-20-fuzz.md" for folder in ("incidents", "maintenance")}
for file in FILES.values():
    file.parent.mkdir()


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the name atheris and libFuzzer expect
    """Build the site with `data` as its only notice; raise if the answer is not problems or a site."""
    folder = "maintenance" if b"window" in data else "incidents"
    for name, file in FILES.items():
        if name == folder:
            file.write_bytes(data)
        else:
            file.unlink(missing_ok=True)
    outputs, problems = build_site(ROOT, NOW)
    for problem in problems:
        if problem.line < 1 or "\n" in str(problem) or "\r" in str(problem):
            raise AssertionError(f"a problem without a line of its own: {problem!r}")
    if outputs is None and not any(p.is_error for p in problems):
        raise AssertionError("the build was refused without an error")
    if outputs is not None and "index.html" not in outputs:
        raise AssertionError("a build without its home page")


def replay(paths: list[str]) -> None:
    for path in paths:
        TestOneInput(Path(path).read_bytes())
        print(f"{path}: ok")


if __name__ == "__main__":
    if atheris is None or (sys.argv[1:] and all(Path(a).is_file() for a in sys.argv[1:])):
        replay(sys.argv[1:])
    else:
        atheris.Setup(sys.argv, TestOneInput)
        atheris.Fuzz()
