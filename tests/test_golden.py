"""The whole example site, built at a fixed `--now`, against a golden copy in tests/golden/."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT

GOLDEN = Path(__file__).parent / "golden" / "example"


def test_example_site_matches_golden_copy(example_outputs: dict[str, bytes], update_golden: bool) -> None:
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in example_outputs.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(example_outputs) == sorted(expected), "files differ; run pytest --update-golden if intended"
    for name, data in example_outputs.items():
        assert data.decode() == expected[name].decode(), f"{name} differs; pytest --update-golden if intended"


def test_golden_copy_is_the_example_site() -> None:
    # Guards against a golden folder that silently stopped covering the repository's own content.
    folders = ("incidents", "maintenance")
    notices = sorted(p.stem for folder in folders for p in (ROOT / folder).glob("*.md"))
    pages = sorted(p.parent.name for folder in folders for p in (GOLDEN / folder).glob("*/index.html"))
    assert notices == pages
