"""``pgbench`` on the benchmark database: the database's own floor for reads and writes.

``-S`` is one indexed primary-key SELECT per transaction; ``-N`` ("simple update") is one
UPDATE and two INSERTs plus a SELECT, committed: the smallest durable write transaction, to
compare with a case step's one durable commit. Tables ``pgbench_*`` are created once
(``pgbench -i``) in the benchmark database or schema, never anywhere else.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from service.core.config import normalise_database_url

from .env import libpq_dsn, search_path

CANDIDATES = ("/usr/lib/postgresql/15/bin/pgbench", "/usr/lib/postgresql/16/bin/pgbench")


@dataclass
class PgbenchResult:
    mode: str
    clients: int
    tps: float
    latency_ms: float
    transactions: int


def binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    return next((c for c in CANDIDATES if Path(c).exists()), None)


def _env(url: str) -> dict[str, str]:
    parsed = make_url(normalise_database_url(url))
    env = dict(os.environ)
    env.update({"PGHOST": parsed.host or "127.0.0.1", "PGPORT": str(parsed.port or 5432),
                "PGUSER": parsed.username or "postgres", "PGDATABASE": parsed.database or ""})
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    schema = search_path(url)
    if schema:
        env["PGOPTIONS"] = f"-c search_path={schema}"
    return env


def ensure_tables(url: str, scale: int) -> None:
    with psycopg.connect(libpq_dsn(url)) as conn:
        exists = conn.execute("SELECT to_regclass('pgbench_branches')").fetchone()
        branches = conn.execute("SELECT count(*) FROM pgbench_branches").fetchone() if (
            exists and exists[0]) else None
    if branches and branches[0] == scale:
        return
    subprocess.run([binary() or "pgbench", "-i", "-q", "-s", str(scale)], env=_env(url),
                   check=True, capture_output=True, text=True, timeout=600)


def run(url: str, mode: str, clients: int, seconds: int) -> PgbenchResult:
    """``pgbench -S`` or ``-N`` for ``seconds`` with ``clients`` connections (2 threads)."""
    args = [binary() or "pgbench", mode, "-n", "-c", str(clients), "-j", str(min(clients, 2)),
            "-T", str(seconds)]
    out = subprocess.run(args, env=_env(url), check=True, capture_output=True, text=True,
                         timeout=seconds + 120).stdout
    tps = re.search(r"tps = ([\d.]+)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    count = re.search(r"number of transactions actually processed: (\d+)", out)
    if not (tps and latency and count):
        raise RuntimeError(f"unexpected pgbench output: {out[-1000:]}")
    return PgbenchResult(mode, clients, float(tps.group(1)), float(latency.group(1)),
                         int(count.group(1)))
