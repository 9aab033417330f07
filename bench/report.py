"""Results: one row per figure, printed as a table and appended to a JSONL file.

Every row carries its floor (what the same work costs at the bottom layer, measured in the
same run) and ``ratio`` = figure ÷ floor, the target and whether it was met. The run context
(timestamp, git commit, machine, load average, PostgreSQL settings) is repeated on each row
so that rows from different runs can be compared with ``jq`` or pandas.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "results.jsonl"


@dataclass
class Result:
    measurement: str
    metric: str
    value: float
    unit: str
    floor: float | None = None
    floor_metric: str = ""
    target: str = ""
    met: bool | None = None
    samples: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0):
            return None
        return self.value / self.floor

    def row(self) -> dict[str, Any]:
        body = asdict(self)
        body["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return body


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; values need not be sorted."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": run("rev-parse", "HEAD"), "dirty": bool(run("status", "--porcelain"))}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "host": platform.node(), "os": platform.platform(), "python": sys.version.split()[0],
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gib": _memory_gib(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "spiffworkflow": version("SpiffWorkflow"), "sqlalchemy": version("SQLAlchemy"),
    }


@dataclass
class Run:
    """One invocation of ``python -m bench``: context shared by its rows."""

    scale: str
    database: dict[str, Any]
    data: dict[str, int]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    git: dict[str, Any] = field(default_factory=_git)
    machine: dict[str, Any] = field(default_factory=machine)
    results: list[Result] = field(default_factory=list)

    def add(self, *results: Result) -> None:
        self.results.extend(results)

    def rows(self) -> list[dict[str, Any]]:
        context = {"run_id": self.run_id, "timestamp": self.started, "scale": self.scale,
                   "git": self.git, "machine": self.machine, "database": self.database,
                   "data": self.data}
        return [{**context, **r.row()} for r in self.results]

    def append_jsonl(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            for row in self.rows():
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def table(results: list[Result]) -> str:
    """A Markdown table (readable in a terminal, pasteable into docs/benchmarks.md)."""
    header = ("measurement", "figure", "value", "floor", "ratio", "target", "met")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        floor = f"{_fmt(r.floor)} ({r.floor_metric})" if r.floor is not None else "—"
        met = "—" if r.met is None else ("yes" if r.met else "**no**")
        lines.append("| " + " | ".join((
            r.measurement, r.metric, f"{_fmt(r.value)} {r.unit}", floor, _fmt(r.ratio),
            r.target or "—", met)) + " |")
    return "\n".join(lines)


def _from_row(row: dict[str, Any]) -> Result:
    return Result(row["measurement"], row["metric"], row["value"], row["unit"], row["floor"],
                  row["floor_metric"], row["target"], row["met"], row["samples"],
                  row.get("details") or {})


def markdown(rows: list[dict[str, Any]]) -> str:
    """One table per measurement for one run's rows (as in docs/benchmarks.md)."""
    first = rows[0]
    machine, database = first["machine"], first["database"]
    out = [f"Run `{first['run_id']}`, {first['timestamp']}, scale {first['scale']}, commit "
           f"`{first['git']['commit'][:10]}`{' (with uncommitted changes)' if first['git']['dirty'] else ''}; "
           f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
           f"load average at start {machine['loadavg'][0]}; {database.get('dialect')} "
           f"{database.get('server_version', '')}.", ""]
    for name in dict.fromkeys(r["measurement"] for r in rows):
        results = [_from_row(r) for r in rows if r["measurement"] == name]
        before = (results[0].details.get("loadavg_before") or [None])[0]
        out += [f"**{name}** (load average before: {before if before is not None else '?'})", "",
                table(results), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.report",
                                     description="Tables of a run from the JSONL results.")
    parser.add_argument("--file", type=Path, default=DEFAULT_OUT)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--run", help="run id (default: the last run)")
    group.add_argument("--last", metavar="SCALE", help="the last run at this scale")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    if args.last:
        rows = [r for r in rows if r["scale"] == args.last]
    run_id = args.run or (rows[-1]["run_id"] if rows else None)
    selected = [r for r in rows if r["run_id"] == run_id]
    if not selected:
        raise SystemExit(f"no rows for run {run_id} in {args.file}")
    print(markdown(selected))


if __name__ == "__main__":
    main()
