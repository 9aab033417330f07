"""The administration's home: business reminders (业务提醒) and the live info window.

Figure: ``GET /api/v1/reminders?limit=50`` through the Flask test client with a bearer token
(authentication, every kind's count in the caller's read scope, the first page, serialization)
for the administration whose division holds the most institutions, and ``reminder_board.counts``
alone (what the home page's script refreshes every minute). Floor: the same count statements
(``reminder_board.count_statements``: the four rules on the institution row in one scan, one
count per other kind) executed on one connection without the ORM session, the request or the
JSON.
"""
from __future__ import annotations

import time

from sqlalchemy import func, select, text

from service.access.login import issue_token
from service.access.models import Account
from service.access.policy import READ, scope
from service.core.extensions import db
from service.core.times import shanghai_today
from service.institutions import reminder_board
from service.institutions.models import Institution

from .context import Context
from .measure_inbox import bureau_account
from .report import Result, percentile

TARGET_MS = 300.0


def widest_administration() -> int:
    """The administration that issued the most institutions (its read scope is its division)."""
    return int(db.session.execute(text(
        "SELECT issuing_authority_id FROM institution GROUP BY issuing_authority_id "
        "ORDER BY count(*) DESC LIMIT 1")).scalar())


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.inbox_samples
    with ctx.app.app_context():
        admin_id = widest_administration()
        account = bureau_account(admin_id)
        institutions = db.session.scalar(select(func.count()).select_from(Institution).where(
            scope(account, READ, Institution)))
        token, _ = issue_token(account, name="bench")
        today = shanghai_today()
        statements = list(reminder_board.count_statements(account, today).values())
        counts = reminder_board.counts(account, today)
        account_id = account.id
        db.session.remove()
    client = ctx.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/reminders?limit=50", headers=headers)  # warm up
    if response.status_code != 200:
        raise RuntimeError(f"reminders answered {response.status_code}")
    api_times, count_times, floor_times = [], [], []
    with ctx.profiled("reminders"):
        for _ in range(n):
            started = time.perf_counter()
            response = client.get("/api/v1/reminders?limit=50", headers=headers)
            api_times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"reminders answered {response.status_code}")
        with ctx.app.app_context():
            actor = db.session.get(Account, account_id)
            for _ in range(n):
                started = time.perf_counter()
                reminder_board.counts(actor, today)
                count_times.append(time.perf_counter() - started)
            db.session.remove()
    with ctx.app.app_context(), db.engine.connect() as conn:
        for k in range(n + 3):
            started = time.perf_counter()
            for stmt in statements:
                conn.execute(stmt).scalar()
            if k >= 3:  # the first rounds warm the caches
                floor_times.append(time.perf_counter() - started)
    details = {"administration_id": admin_id, "institutions_in_scope": institutions, "counts": counts}
    results = []
    for name, timings in (("GET /api/v1/reminders", api_times), ("counts (home refresh)", count_times)):
        for q in (50, 95):
            value = percentile(timings, q) * 1000
            results.append(Result(
                "reminders", f"{name} p{q} ({institutions:,} institutions in scope)", value, "ms",
                percentile(floor_times, q) * 1000, f"{len(statements)} count statements p{q}",
                f"p95 < {TARGET_MS:g} ms" if q == 95 else "",
                value < TARGET_MS if q == 95 else None, samples=n, details=details))
    return results
