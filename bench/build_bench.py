"""Benchmark: time a cold build of a generated site of realistic notices; prints figures.

Usage: python bench/build_bench.py [N_INCIDENTS ...]   (default: 100 1000)
Each incident has a ~150-word text and three updates; the site has 40 components in 6 groups and
one maintenance per 20 incidents. Run as a separate process per size so memory figures are honest.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = ("request", "latency", "database", "customers", "errors", "region", "queue", "deploy", "recovered",
         "traffic", "node", "retry", "timeout", "capacity", "cache", "dashboard", "webhook", "sign-in")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_site(root: Path, incidents: int) -> None:
    rng = random.Random(incidents)
    groups = ("Core", "Data", "Edge", "Regions", "Integrations", "Apps")
    lines = ["name: Bench Status", "url: https://status.bench.example/", "time_zone: Europe/Rome", "components:"]
    lines += [f"  - {{id: c{n}, name: Component {n}, group: {groups[n % 6]}}}" for n in range(40)]
    (root / "site.yaml").write_text("\n".join(lines) + "\n")
    (root / "incidents").mkdir()
    (root / "maintenance").mkdir()
    for n in range(incidents):
        start = NOW - timedelta(hours=6 * (n + 1), minutes=rng.randrange(60))
        updates = "".join(
            f"\n## {label} · {(start + timedelta(minutes=20 * k)).strftime('%Y-%m-%d %H:%M')} UTC\n"
            f"{sentence(rng, 25)} {sentence(rng, 15)}\n"
            for k, label in enumerate(("Investigating", "Identified", "Resolved"))
        )
        (root / "incidents" / f"{start:%Y-%m-%d}-incident-{n}.md").write_text(
            f"---\ntitle: Incident {n} on component {n % 40}\nimpact: minor\n"
            f"components: {{c{n % 40}: partial_outage, c{(n + 7) % 40}: degraded_performance}}\n"
            f"author: Bench Person, Bench team\n---\n{sentence(rng, 40)} {sentence(rng, 40)}\n{updates}"
        )
    for n in range(max(1, incidents // 20)):
        start = NOW - timedelta(days=3 * n) + timedelta(days=2)
        (root / "maintenance" / f"{start:%Y-%m-%d}-maintenance-{n}.md").write_text(
            f"---\ntitle: Maintenance {n}\ncomponents: {{c{n % 40}: under_maintenance}}\n"
            f"window: {{start: {start:%Y-%m-%dT%H:%M:%SZ}, end: {start + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}}}\n"
            f"---\n{sentence(rng, 60)}\n"
        )


def measure(size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_site(root, size)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "statuspress", "build", "--site", str(root), "--now", "2026-11-24T12:00:00Z"],
            capture_output=True, text=True,
        )
        elapsed = time.perf_counter() - started
        if result.returncode:
            raise SystemExit(result.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        files = sum(1 for p in (root / "_site").rglob("*") if p.is_file())
        print(f"cold build, {size} incidents + {max(1, size // 20)} maintenance: {elapsed:.2f} s, "
              f"{files} files, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100", "1000"]:
        measure(int(arg))
