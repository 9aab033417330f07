"""A timer worker process for the scale measurement: ``python -m bench.timer_worker``.

It does what the ``fire_due_timers`` actor does (``runtime.fire_timers``) in a loop, with the
engine's "now" set to ``--now`` so that the benchmark's deferred cases are due. It prints
``ready`` once the app is loaded and starts when a line arrives on stdin (so that several
processes start together), until nothing is due or ``--seconds`` have passed. Then it prints
one JSON line: cases moved, loops, seconds.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from datetime import datetime

from .env import make_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.timer_worker")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", required=True, help="ISO time the engine treats as now")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    app = make_app(args.database_url, tempfile.mkdtemp(prefix="bench-timer-"))
    logging.getLogger().setLevel(logging.WARNING)
    now = datetime.fromisoformat(args.now)
    from service.core.extensions import db
    from service.engine.runtime import fire_timers

    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    deadline = started + args.seconds
    moved = loops = 0
    with app.app_context():
        while time.perf_counter() < deadline:
            loops += 1
            step = fire_timers(now, limit=args.limit)
            db.session.remove()
            moved += step
            if step == 0 and not _due(now):
                break
    print(json.dumps({"moved": moved, "loops": loops,
                      "seconds": round(time.perf_counter() - started, 3)}), flush=True)


def _due(now: datetime) -> bool:
    from sqlalchemy import select

    from service.core.extensions import db
    from service.engine.models import Case

    return db.session.scalar(select(Case.id).where(
        Case.status == "open", Case.next_timer_at <= now).limit(1)) is not None


if __name__ == "__main__":
    main()
