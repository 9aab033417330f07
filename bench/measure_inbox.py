"""The inbox of the busiest administration: first page and a deep (keyset) page.

Figure: ``GET /api/v1/work-items?scope=org&limit=50`` through the Flask test client with a
bearer token (authentication, the keyset query, serialization): the first page, a page 80 %
of the way down the inbox (``cursor=<id>``), both read repeatedly (warm), and "scattered"
pages, each request at another random cursor (heap pages mostly not read before). Floor: the
SQL that page runs, sent by psycopg directly on one connection (scattered: other random
cursors of the same inbox).
"""
from __future__ import annotations

import random
import re
import time

from sqlalchemy import select, text

from service.access.login import issue_token
from service.access.models import Account
from service.core.extensions import db

from .context import Context
from .report import Result, percentile

PAGE = 50
TARGET_MS = 50.0
DEPTH = 0.8
PAGE_SQL = (
    "SELECT work_item.* FROM work_item WHERE work_item.organisation_kind = %(kind)s "
    "AND work_item.organisation_id = %(org)s AND work_item.status = 'open' {cursor}"
    "ORDER BY work_item.id DESC LIMIT %(limit)s"
)


def busiest(ctx: Context) -> tuple[int, int]:
    """(administration id, open items) of the administration with the most open items."""
    row = db.session.execute(text(
        "SELECT organisation_id, count(*) FROM work_item WHERE status = 'open' "
        "AND organisation_kind = 'administration' GROUP BY organisation_id "
        "ORDER BY count(*) DESC LIMIT 1")).one()
    return int(row[0]), int(row[1])


def bureau_account(admin_id: int) -> Account:
    accounts = db.session.scalars(select(Account).where(
        Account.administration_id == admin_id, Account.is_enabled.is_(True)).order_by(Account.id))
    for account in accounts:
        if account.has_role("bureau_clerk", "bureau_head"):
            return account
    raise LookupError(f"administration {admin_id} has no bureau account")


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.inbox_samples
    with ctx.app.app_context():
        admin_id, open_items = busiest(ctx)
        account = bureau_account(admin_id)
        token, _ = issue_token(account, name="bench")
        username = account.username
        deep_offset = int(open_items * DEPTH)
        cursor_id = db.session.execute(text(
            "SELECT id FROM work_item WHERE organisation_kind = 'administration' AND "
            "organisation_id = :org AND status = 'open' ORDER BY id DESC LIMIT 1 OFFSET :k"),
            {"org": admin_id, "k": max(0, deep_offset - 1)}).scalar()
        plan = _plan(admin_id, cursor_id) if ctx.postgres else []
        ids = list(db.session.scalars(text(
            "SELECT id FROM work_item WHERE organisation_kind = 'administration' AND "
            "organisation_id = :org AND status = 'open' ORDER BY id"), {"org": admin_id}))
        db.session.remove()
    # scattered pages: a different cursor per request (pages not read before: cold heap pages);
    # the floor gets cursors of its own from the same distribution
    rnd = random.Random(1)
    scattered = [rnd.choice(ids[PAGE:] or ids) for _ in range(2 * n)]
    client = ctx.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    pages = {"first": "/api/v1/work-items?scope=org&limit=50",
             "deep": f"/api/v1/work-items?scope=org&limit=50&cursor={cursor_id}"}
    timings: dict[str, list[float]] = {"first": [], "deep": []}
    for name, url in pages.items():  # warm up
        response = client.get(url, headers=headers)
        if response.status_code != 200 or not response.get_json()["items"]:
            raise RuntimeError(f"inbox {name} page answered {response.status_code}")
    timings["scattered"] = []
    with ctx.profiled("inbox"):
        for k in range(n):
            urls = dict(pages, scattered="/api/v1/work-items?scope=org&limit=50&cursor="
                        f"{scattered[2 * k]}")
            for name, url in urls.items():
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                timings[name].append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"inbox answered {response.status_code}")
    floors = _sql_floor(ctx, admin_id, cursor_id, n, scattered[1::2])
    results = []
    details = {"administration_id": admin_id, "account": username, "open_items": open_items,
               "deep_offset": deep_offset, "plan": plan}
    for name in ("first", "deep", "scattered"):
        for q in (50, 95):
            value = percentile(timings[name], q) * 1000
            results.append(Result(
                "inbox", f"{name} page p{q} ({open_items:,} open items)", value, "ms",
                percentile(floors[name], q) * 1000, f"page SQL p{q}",
                f"p95 < {TARGET_MS:g} ms (national)" if q == 95 else "",
                value < TARGET_MS if q == 95 else None, samples=n, details=details))
    return results


def _queries(postgres: bool) -> dict[str, str]:
    queries = {"first": PAGE_SQL.format(cursor=""),
               "deep": PAGE_SQL.format(cursor="AND work_item.id < %(cursor)s ")}
    if not postgres:  # sqlite3 takes :name parameters
        queries = {k: re.sub(r"%\((\w+)\)s", r":\1", v) for k, v in queries.items()}
    return queries


def _sql_floor(ctx: Context, admin_id: int, cursor_id: int, n: int,
               scattered: list[int]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"first": [], "deep": [], "scattered": []}
    params = {"kind": "administration", "org": admin_id, "limit": PAGE + 1, "cursor": cursor_id}
    queries = _queries(ctx.postgres)
    queries["scattered"] = queries["deep"]
    with ctx.app.app_context(), db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for k in range(n + 5):
            for name, sql in queries.items():
                cursor = scattered[(k - 5) % len(scattered)] if name == "scattered" else cursor_id
                started = time.perf_counter()
                cur = raw.cursor()
                cur.execute(sql, dict(params, cursor=cursor))
                cur.fetchall()
                cur.close()
                if k >= 5:  # the first ones warm the caches
                    out[name].append(time.perf_counter() - started)
    return out


def _plan(admin_id: int, cursor_id: int) -> list[str]:
    sql = re.sub(r"%\((\w+)\)s", r":\1", _queries(True)["deep"])
    rows = db.session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), {
        "kind": "administration", "org": admin_id, "limit": PAGE + 1, "cursor": cursor_id})
    return [r[0] for r in rows][:6]
