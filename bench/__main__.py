"""``python -m bench``: generate data at a scale (once), run the measurements, report.

    python -m bench --scale province                   # everything, default database
    python -m bench --scale nation --only inbox        # one measurement
    python -m bench --scale smoke --database-url sqlite:////tmp/bench.sqlite3

Results are printed as a Markdown table and appended to ``--out`` as JSON lines.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from sqlalchemy import text

from . import clone
from .context import Context
from .env import DEFAULT_URLS, build_schema, ensure_database, make_app, reset_database
from .generate import DEFAULT_SEED, generate
from .report import DEFAULT_OUT, Run, table
from .scales import SCALES

# run order: the inbox is measured before the HTTP load adds items to it
MEASUREMENTS = ("step", "persons", "rounds", "replay", "inbox", "reminders", "print", "licence",
                "http", "scale", "import", "platform", "migration", "demerits", "query")


def database_info(app) -> dict:
    from service.core.extensions import db

    with app.app_context():
        info = {"dialect": db.engine.dialect.name}
        if info["dialect"] == "postgresql":
            for name in ("server_version", "shared_buffers", "synchronous_commit",
                         "max_connections", "work_mem"):
                info[name] = db.session.execute(text(f"SHOW {name}")).scalar()
        db.session.remove()
    return info


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=list(SCALES), default="smoke")
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, metavar="NAME",
                        help=f"measurements to run (default all): {', '.join(MEASUREMENTS)}")
    parser.add_argument("--database-url", help="default: " + ", ".join(
        f"{k}: {v}" for k, v in DEFAULT_URLS.items()))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="JSONL file the results are appended to")
    parser.add_argument("--http-workers", type=int, nargs="+", metavar="N",
                        help="gunicorn worker counts the http measurement runs (default: 1 2 4; "
                             "smoke: 1); the target is judged on the best")
    parser.add_argument("--profile", action="store_true",
                        help="profile measurements with pyinstrument (bench/results/profiles)")
    parser.add_argument("--regenerate", action="store_true",
                        help="empty the database (its schema) and generate again")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    scale = SCALES[args.scale]
    url = args.database_url or DEFAULT_URLS[args.scale]
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    ensure_database(url)
    if args.regenerate:
        reset_database(url)
    instance_dir = tempfile.mkdtemp(prefix="bench-instance-")
    app = make_app(url, instance_dir)
    logging.getLogger().setLevel(logging.WARNING)
    build_schema(app)
    counts = generate(app, scale, args.seed, log=_log)
    leftovers = clone.discard_copies(app)  # of an interrupted earlier run
    if leftovers:
        _log(f"discarded {leftovers} load-test copies of an earlier run")
    if args.http_workers:
        scale = dataclasses.replace(scale, http_workers=tuple(sorted(set(args.http_workers))))
    run = Run(scale=scale.name, database=database_info(app), data=counts)
    ctx = Context(app, url, scale, run, instance_dir, profile=args.profile, log=_log)
    failed = []
    for name in args.only or MEASUREMENTS:
        tick = time.perf_counter()
        ctx.load_before = [round(x, 2) for x in os.getloadavg()]
        _log(f"== {name}  (load average {ctx.load_before[0]})")
        try:
            module = importlib.import_module(f"bench.measure_{name}")
            results = module.run(ctx)
        except Exception:  # report and go on with the other measurements
            traceback.print_exc()
            failed.append(name)
            continue
        ctx.add(*results)
        _log(table(results))
        _log(f"   ({time.perf_counter() - tick:.1f} s)")
    print()
    print(f"scale {scale.name}, run {run.run_id}, {run.started}, commit "
          f"{run.git['commit'][:10]}{' (dirty)' if run.git['dirty'] else ''}")
    print(table(run.results))
    run.append_jsonl(args.out)
    print(f"\n{len(run.results)} rows appended to {args.out} in "
          f"{time.perf_counter() - started:.0f} s")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    shutil.rmtree(instance_dir, ignore_errors=True)
    return 0


def _log(message: str) -> None:
    print(message, flush=True)


if __name__ == "__main__":
    sys.exit(main())
