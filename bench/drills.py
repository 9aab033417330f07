"""Fault drills: ``python -m bench.drills`` (bounded, loopback only, stops by itself).

Two web processes (the Procfile's gunicorn command) and two dramatiq workers (``dramatiq
service.worker``) on PostgreSQL and Redis run under keyed HTTP completions and a stream of due
timers (``bench.drill_load``). One fault at a time, while the load runs: ``kill -9`` a web
process, ``kill -9`` a worker (the drill restarts both, as a supervisor would), restart
PostgreSQL, pause Redis for 30 s. After each, every step is checked against the case events:
a completion answered 200 has exactly one ``task_completed`` event, one answered with an error
none, a due timer exactly one ``timer_fired`` event, and the notifications those timers wrote
reach ``sent`` without a hand.

    python -m bench.drills                       # all four faults, about five minutes
    python -m bench.drills --only web worker --seconds 5
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.core.extensions import db

from . import clone, drill_procs, gen_cases, loadgen
from .drill_check import Phase, check, settle
from .drill_load import Completions, Ticker, clock
from .env import build_schema, ensure_database, make_app, process_env
from .report import DEFAULT_OUT, Result, Run, table

FAULTS = ("web", "worker", "postgres", "redis")
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/h_drills"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
# templates are walked at this time, so that their one-month deferral timers are long due
PAST = datetime(2025, 6, 30, 8, 0, tzinfo=UTC)
RATE = 80  # review items cloned per second of load (more than the paced clients take)
TIMERS_PER_TICK = 4


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.drills", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--only", nargs="+", choices=FAULTS, default=list(FAULTS))
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="load before and after each fault (default 8)")
    parser.add_argument("--redis-seconds", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=120.0,
                        help="most seconds to wait for timers and the outbox after a fault")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT.with_name("drills.jsonl"))
    return parser.parse_args(argv)


def loopback_only(database_url: str, redis_url: str) -> None:
    hosts = {make_url(database_url).host or "127.0.0.1",
             redis.connection.parse_url(redis_url).get("host", "127.0.0.1")}
    if not hosts <= set(drill_procs.LOOPBACK):
        raise SystemExit(f"drills run on loopback only, not {sorted(hosts)}")


def templates(app) -> tuple[gen_cases.Template, gen_cases.Template]:
    """A review case and a deferred case walked at ``PAST`` (in the app context)."""
    with app.app_context(), mock.patch("service.engine.runtime.utcnow", lambda: PAST):
        review, deferred = gen_cases.make_template(), gen_cases.make_template(gen_cases.DEFER)
        # the walked case's own timer is due too: keep it out of the drills' counts
        db.session.execute(text('UPDATE "case" SET next_timer_at = NULL '
                                'WHERE id = (SELECT max(id) FROM "case")'))
        db.session.commit()
        db.session.remove()
    return review, deferred


def inject(fault: str, procs: list[drill_procs.Supervised], args: argparse.Namespace) -> dict:
    """The fault itself; returns what was done."""
    if fault == "web":
        return {"killed_pid": procs[0].kill9(), "process": procs[0].name}
    if fault == "worker":
        return {"killed_pid": procs[2].kill9(), "process": procs[2].name}
    port = redis.connection.parse_url(args.redis_url).get("port", 6379)
    if fault == "postgres":
        tick = time.monotonic()
        drill_procs.restart_postgres()
        return {"restart_seconds": round(time.monotonic() - tick, 2)}
    drill_procs.pause_redis(port, args.redis_seconds)
    return {"paused_seconds": args.redis_seconds}


def drill(fault: str, app, token: str, procs, ports, made, args) -> Result:
    review_t, deferred_t = made
    seconds = 2 * args.seconds + (args.redis_seconds if fault == "redis" else 5)
    review = clone.clone_cases(app, int(RATE * seconds), clone.REVIEW_STAGE, template=review_t)
    timers = clone.clone_cases(app, int(TIMERS_PER_TICK * seconds), clone.CONCLUDED_STAGE,
                               template=deferred_t)
    phase = Phase.begin(app, fault, review, timers)

    def feed() -> None:  # cloning while the web writes events would race for event ids
        phase.release(app, TIMERS_PER_TICK)

    load = Completions(ports, token, review.open_items, args.clients)
    feeder, ticker = Ticker(feed), Ticker(clock(args.redis_url))
    load.start()
    feeder.start()
    ticker.start()
    try:
        time.sleep(args.seconds)
        phase.fault_at, phase.fault_wall = time.monotonic(), datetime.now(UTC)
        phase.info = inject(fault, procs, args)
        phase.over_at, phase.over_wall = time.monotonic(), datetime.now(UTC)
        time.sleep(args.seconds)
        feeder.stop()
        load.stop(retry_seconds=30)
        phase.settled = settle(app, phase, args.settle)
    finally:
        feeder.stop()
        ticker.stop()
    phase.outcomes = load.outcomes
    phase.restarts = {p.name: p.restarts for p in procs}
    return check(app, phase)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    loopback_only(args.database_url, args.redis_url)
    instance_dir = tempfile.mkdtemp(prefix="drill-instance-")
    ensure_database(args.database_url)
    app = make_app(args.database_url, instance_dir)
    build_schema(app)
    clone.discard_copies(app)
    redis.Redis.from_url(args.redis_url).flushdb()  # this drill's own db index
    made = templates(app)
    token = _token(app)
    env = process_env(args.database_url, instance_dir)
    env["BROKER_URL"] = args.redis_url
    log_dir = Path(instance_dir) / "logs"
    ports = [loadgen.free_port(), loadgen.free_port()]
    procs = [drill_procs.web(n, port, env, log_dir) for n, port in enumerate(ports)]
    procs += [drill_procs.worker(n, env, log_dir) for n in range(2)]
    run = Run(scale="drill", database={"url": make_url(args.database_url).render_as_string()},
              data={})
    try:
        with drill_procs.Supervisor(procs) as supervisor:
            for fault in args.only:
                print(f"== {fault}", flush=True)
                run.add(drill(fault, app, token, procs, ports, made, args))
                print(table(run.results[-1:]), flush=True)
                supervisor.wait_healthy(120)
    finally:
        if not drill_procs.postgres_ready():
            drill_procs.restart_postgres()
        clone.discard_copies(app)
    print(table(run.results))
    print(markdown(run.results))
    run.append_jsonl(args.out)
    print(f"logs: {log_dir}; rows appended to {args.out}")
    return 0 if all(r.met for r in run.results) else 1


def markdown(results: list[Result]) -> str:
    """The drill table of docs/benchmarks.md."""
    head = ("fault", "completions 200", "lost", "doubled", "error but done", "stuck keys",
            "timers fired", "timers lost / doubled", "notifications sent",
            "first 200 s", "all web back s", "timers resume s", "outbox drained s")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        d = r.details
        lines.append("| " + " | ".join(str(x) for x in (
            d["fault"], d["answered_200"], d["lost"], d["doubled"], d["error_but_done"],
            d["stuck_keys"], d["timers_fired"], f"{d['timers_lost']} / {d['timers_doubled']}",
            f"{d['notifications_sent']} / {d['notifications']}", d["first_success_seconds"],
            d["recover_seconds"],
            d["timers_resume_seconds"], d["settle_seconds"])) + " |")
    return "\n".join(lines)


def _token(app) -> str:
    from service.access.login import issue_token
    from service.core.extensions import db

    from .cases import Actors

    with app.app_context():
        token, _ = issue_token(Actors.demo().bureau, name="drill")
        db.session.remove()
    return token


if __name__ == "__main__":
    sys.exit(main())
