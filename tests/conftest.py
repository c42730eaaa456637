"""Shared fixtures: the example site built at a fixed `--now`, a way to run the CLI, scratch sites."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from statuspress.build import build_site
from statuspress.cli import main

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NOW_TEXT = "2026-11-24T12:00:00Z"

SITE_YAML = """\
name: Test Status
url: https://status.test.example/
time_zone: Europe/Rome
components:
  - {id: api, name: API}
  - {id: dashboard, name: Dashboard}
  - {id: db, name: Database, group: Data}
"""


def generate_site(root: Path, incidents: int) -> None:
    """Write the benchmark's synthetic site (bench/build_bench.py: seeded, realistic notices) into `root`."""
    spec = importlib.util.spec_from_file_location("build_bench", ROOT / "bench" / "build_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_site(root, incidents)


@pytest.fixture(scope="session")
def generated_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of a generated site of 120 incidents and 6 maintenance, built at NOW."""
    root = tmp_path_factory.mktemp("generated")
    generate_site(root, 120)
    outputs, problems = build_site(root, NOW)
    assert outputs is not None, [str(p) for p in problems]
    return outputs


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden from the current build")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def example_outputs() -> dict[str, bytes]:
    """The example site of the repository, built at NOW."""
    outputs, problems = build_site(ROOT, NOW)
    assert outputs is not None, [str(p) for p in problems]
    return outputs


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the CLI in-process and capture what it prints."""

    def runner(*args: str) -> Result:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return runner


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    """Write a scratch site: site.yaml plus the given files, relative to its folder."""

    def make(files: dict[str, str] | None = None, config: str = SITE_YAML) -> Path:
        (tmp_path / "site.yaml").write_text(config, encoding="utf-8")
        for name, text in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return make
