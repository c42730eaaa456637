"""The benchmark's own code still runs against the package (bench/targets.py is not run by CI otherwise)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from conftest import ROOT, generate_site

STAGES = (r"load [\d.]+ s, status [\d.]+ s \(views, incl\. Markdown\), render [\d.]+ s "
          r"\(HTML pages [\d.]+, feeds [\d.]+, calendar\+API\+badges [\d.]+\), write [\d.]+ s")


def test_the_benchmark_times_each_stage_of_a_cold_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    monkeypatch.delitem(sys.modules, "targets", raising=False)
    targets = importlib.import_module("targets")
    generate_site(tmp_path, 20)
    line = targets.stages(tmp_path)
    assert re.fullmatch(STAGES, line), line
