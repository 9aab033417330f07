"""Two web processes and two timer workers against one database: scaling, nothing lost.

Phase 1 (the floor): one gunicorn process (one sync worker) alone completes review items.
Phase 2: two gunicorn processes (one worker each) complete review items while two timer
worker processes (``bench.timer_worker``, ``runtime.fire_timers`` in a loop) fire the due
deferral timers of ``timer_cases`` cases, all at once. The app has no worker-side step actor;
timers are the steps workers take. Afterwards every case is checked: each answered completion
has exactly one event, each moved case exactly one ``timer_fired``, and the events written
equal completions plus timers moved — nothing lost, nothing doubled.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from service.core.extensions import db

from . import clone, loadgen
from .context import Context
from .env import process_env
from .gen_cases import DEFER
from .measure_http import ASSUMED_PER_SECOND, WARM_PER_WORKER, bureau_token
from .report import ROOT, Result

TIMER_LIMIT = 20


def _timer_workers(ctx: Context, now: str, seconds: float) -> list[subprocess.Popen]:
    """Two timer worker processes; they load the app, then wait for the start signal."""
    env = process_env(ctx.url, ctx.instance_dir)
    return [subprocess.Popen(
        [sys.executable, "-m", "bench.timer_worker", "--database-url", ctx.url, "--now", now,
         "--seconds", str(seconds), "--limit", str(TIMER_LIMIT)],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for _ in range(2)]


def _start_timers(workers: list[subprocess.Popen]) -> None:
    """Wait until both have loaded the app, then let them go together."""
    for proc in workers:
        line = proc.stdout.readline() if proc.stdout else ""
        if line.strip() != "ready":
            proc.kill()
            raise RuntimeError(f"timer worker did not start: {line} {proc.stderr.read()[-2000:]}")
    for proc in workers:
        proc.stdin.write("go\n")
        proc.stdin.flush()


def run(ctx: Context) -> list[Result]:
    try:
        return _run(ctx)
    finally:
        clone.discard_copies(ctx.app)


def _run(ctx: Context) -> list[Result]:
    scale = ctx.scale
    token = bureau_token(ctx)
    log_dir = Path(ctx.instance_dir) / "logs"
    env = process_env(ctx.url, ctx.instance_dir)
    clients = scale.http_clients_per_worker
    solo_seconds = max(1.0, scale.scale_seconds / 2)
    solo_items = clone.review_items(
        ctx.app, int(ASSUMED_PER_SECOND * solo_seconds) + WARM_PER_WORKER)
    with loadgen.servers([1], env, log_dir) as servers:
        ports = [server.port for server in servers]
        loadgen.complete_items(ports, token, solo_items[:WARM_PER_WORKER], clients, 60)
        solo = loadgen.complete_items(ports, token, solo_items[WARM_PER_WORKER:], clients,
                                      solo_seconds)

    review = clone.clone_cases(ctx.app, int(ASSUMED_PER_SECOND * 2 * scale.scale_seconds)
                               + 2 * WARM_PER_WORKER, clone.REVIEW_STAGE)
    timers = clone.clone_cases(ctx.app, scale.timer_cases, clone.CONCLUDED_STAGE, DEFER)
    if timers.next_timer_at is None:
        raise RuntimeError("the deferred template case has no timer")
    now = (timers.next_timer_at + timedelta(hours=1)).isoformat()
    timer_cases = _due_cases(ctx, now)  # this run's clones, and any left by an earlier run
    mark = _max_event(ctx)
    workers = _timer_workers(ctx, now, scale.scale_seconds)  # they load while the web starts
    try:
        with loadgen.servers([1, 1], env, log_dir) as servers:
            ports = [server.port for server in servers]
            warm = loadgen.complete_items(ports, token, review.open_items[:2 * WARM_PER_WORKER],
                                          2 * clients, 60)
            _start_timers(workers)
            both = loadgen.complete_items(ports, token, review.open_items[2 * WARM_PER_WORKER:],
                                          2 * clients, scale.scale_seconds)
            reports = []
            for proc in workers:
                out, err = proc.communicate(timeout=scale.scale_seconds + 120)
                if proc.returncode != 0:
                    raise RuntimeError(f"timer worker failed: {err[-2000:]}")
                reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
    moved = sum(r["moved"] for r in reports)
    timer_seconds = max(r["seconds"] for r in reports)
    check = _verify(ctx, mark, review, set(both.completed) | set(warm.completed), timer_cases,
                    moved)
    steps_per_second = both.throughput + moved / max(timer_seconds, 1e-9)
    solo_rate = solo.throughput
    details = {
        "web_completions": both.ok, "web_seconds": round(both.elapsed, 2),
        "web_per_second": round(both.throughput, 2), "timers_moved": moved,
        "timer_seconds": timer_seconds, "timer_workers": reports, "solo_per_second":
        round(solo_rate, 2), "statuses": both.statuses, "errors": both.errors[:5], **check}
    sound = check["lost"] == 0 and check["doubled"] == 0
    return [
        Result("scale", "steps/s, 2 web + 2 timer workers (completions + timers)",
               steps_per_second, "/s", solo_rate, "1 web process completions/s",
               "scales (> 1×), none lost or doubled", sound and steps_per_second > solo_rate,
               samples=both.ok + moved, details=details),
        Result("scale", "completions/s of the 2 web processes (timers running)",
               both.throughput, "/s", solo_rate, "1 web process completions/s",
               samples=both.ok),
        Result("scale", "steps checked against their events (lost + doubled = 0)",
               float(check["checked"]), "steps", target="0 lost, 0 doubled", met=sound,
               samples=check["checked"], details=check),
    ]


def _due_cases(ctx: Context, now: str) -> list[int]:
    with ctx.app.app_context():
        from sqlalchemy import select

        from service.engine.models import Case

        ids = list(db.session.scalars(select(Case.id).where(
            Case.status == "open", Case.next_timer_at <= datetime.fromisoformat(now))))
        db.session.remove()
    return ids


def _max_event(ctx: Context) -> int:
    with ctx.app.app_context():
        value = db.session.execute(text("SELECT coalesce(max(id), 0) FROM case_event")).scalar()
        db.session.remove()
    return int(value or 0)


def _new_events(ctx: Context, mark: int, case_ids: list[int]) -> dict[int, dict[str, int]]:
    """Events written after ``mark`` for the given cases, by case and type."""
    out: dict[int, dict[str, int]] = {}
    with ctx.app.app_context():
        for start in range(0, len(case_ids), 1000):
            chunk = ",".join(str(int(c)) for c in case_ids[start:start + 1000])
            for case_id, type_, n in db.session.execute(text(
                    f"SELECT case_id, type, count(*) FROM case_event WHERE id > :mark AND "
                    f"case_id IN ({chunk}) GROUP BY case_id, type"), {"mark": mark}):
                out.setdefault(case_id, {})[type_] = n
        db.session.remove()
    return out


def _verify(ctx: Context, mark: int, review: clone.Clones, answered: set[int],
            timer_cases: list[int], moved: int) -> dict[str, int]:
    """Lost: a step taken (answered 200, or counted as moved) without its event.
    Doubled: a case with more events than steps taken on it."""
    if len(review.open_items) != len(review.case_ids):
        raise RuntimeError("every review clone must have exactly one open item")
    case_of = dict(zip(review.open_items, review.case_ids, strict=True))
    done = {case_of[i] for i in answered}
    written = _new_events(ctx, mark, review.case_ids + timer_cases)
    lost = doubled = 0
    for case_id in review.case_ids:
        n = written.get(case_id, {}).get("task_completed", 0)
        lost += case_id in done and n == 0
        doubled += n > (1 if case_id in done else 0)
    fired = 0
    for case_id in timer_cases:
        n = written.get(case_id, {}).get("timer_fired", 0)
        doubled += n > 1
        fired += n
    lost += max(0, moved - fired)
    doubled += max(0, fired - moved)
    return {"checked": len(done) + fired, "lost": int(lost), "doubled": int(doubled),
            "completion_events": sum(v.get("task_completed", 0) for v in written.values()),
            "timer_events": fired}
