"""The benchmark scripts run end to end at smoke scale, so that they cannot rot.

``python -m bench --scale smoke`` builds its own tiny data set (a schema of its own in the
test suite's PostgreSQL database, or a temporary SQLite file where the generator's COPY path
falls back to executemany), runs every measurement briefly (2-second gunicorn loads) and
appends JSON rows. Only the shape of the rows is checked: speed is measured by ``bench/``,
never asserted by tests.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS = {"step", "persons", "rounds", "replay", "inbox", "reminders", "print", "licence",
                "http", "scale", "import", "platform", "migration", "demerits", "query",
                "statistics", "xlsx", "envelopes"}
KEYS = {"run_id", "timestamp", "scale", "git", "machine", "database", "data", "measurement",
        "metric", "value", "unit", "floor", "floor_metric", "ratio", "target", "met",
        "samples", "details"}


@pytest.fixture
def bench_url(tmp_path: Path) -> Iterator[str]:
    """The test database in a schema of the benchmark's own, or a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    from service.core.config import normalise_database_url

    schema = f"bench_smoke_{os.getpid()}"
    parsed = make_url(normalise_database_url(url))
    schema_url = parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    yield schema_url
    if str(ROOT) not in sys.path:  # bench/ is not an installed package
        sys.path.append(str(ROOT))
    from bench.env import drop_schema

    drop_schema(schema_url)


def test_every_benchmark_runs_at_smoke_scale_and_reports_rows(bench_url: str,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "BROKER_URL"}
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "smoke", "--database-url", bench_url,
         "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {row["measurement"] for row in rows} == MEASUREMENTS
    assert len({row["run_id"] for row in rows}) == 1
    for row in rows:
        assert set(row) >= KEYS, KEYS - set(row)
        assert row["scale"] == "smoke"
        assert isinstance(row["value"], (int, float)) and row["value"] > 0, row
        assert row["samples"] > 0, row
        if row["floor"] is not None:
            assert row["floor"] > 0 and row["ratio"] > 0, row
        assert row["met"] in (True, False, None)
    sound = [r for r in rows if r["measurement"] == "scale" and r["unit"] == "steps"]
    assert sound and sound[0]["details"]["lost"] == 0 and sound[0]["details"]["doubled"] == 0
    licence = [r for r in rows if r["metric"].startswith("licence PDF")]
    assert licence and licence[0]["details"]["licence_pages"] == 1  # fits its landscape page
    imported = [r for r in rows if r["measurement"] == "import" and r["unit"] == "rows/s"]
    assert imported and imported[0]["details"]["left_behind"] == 0  # the run cleans up
    assert rows[0]["data"]["case"] > 0 and rows[0]["data"]["work_item"] > 0
    assert "| measurement | figure |" in proc.stdout
