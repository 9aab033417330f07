"""The combined query, the statistics, the XLSX export and the envelope prints (I12).

Figures, at national scale (1,000,000 institutions):

- ``query``: what the 综合查询 page asks the database, the total (``count()`` capped at
  ``COUNT_CAP``, as the page asks it) then the first keyset page (``keyset_page``), for a province administration with three filters (a random province
  and one of four filter sets per sample); floor: the same two statements, compiled, sent by
  psycopg directly.
- ``statistics``: ``statistics(province, by="division", cross="category")`` (the province's
  cities crossed by category); floor: its GROUP BY sent by psycopg directly.
- ``xlsx``: ``write_xlsx`` of the first 100,000 rows of a national query (the auditor) to a
  file, in a child process each for 10,000 and for 100,000 rows; peak RSS of each (flat
  memory: the larger export needs no more memory than the smaller); floor: the same rows
  written as CSV by the csv module. Below 100,000 institutions (smoke) one export of each
  kind in this process, without the memory figure.
- ``envelopes``: 10,000 addresses drawn as A4 label sheets and as DL envelopes; pages per
  second; floor: ReportLab drawing one short string per page, the same number of pages.

``python -m bench.measure_query --database-url URL`` generates a registry-only national data
set (1,000,000 institutions with their subjects, versions and accounts; no physicians or cases,
which these figures do not read) when the database has none, and runs these figures alone.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from itertools import islice

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict

from service.access.models import Account
from service.core.extensions import db
from service.institutions import mailing, queries
from service.institutions import statistics as stats
from service.institutions.models import Institution
from service.institutions.query_outputs import EXPORT_COLUMNS
from service.printing.labels import envelopes, label_sheets
from service.printing.pdf import cjk_font
from service.registry.reference import Administration
from service.web.exports import column_rows, write_xlsx

from .context import Context
from .report import Result, percentile

QUERY_TARGET_MS, STATS_TARGET_MS = 100.0, 500.0
FILTER_SETS = (
    {"category": "D211", "management_class": "2", "status": "active"},
    {"beds_min": "100", "management_class": "1", "status": "active"},
    {"q": "康宁", "category": "D600", "status": "in_register"},
    {"subject": "03", "category": "A100", "beds_min": "50"},
)
EXPORT_ROWS = 100_000
ENVELOPES = 10_000


def _samples(ctx: Context, full: int) -> int:
    return max(5, full if ctx.scale.institutions >= 100_000 else full // 10)


def _province_accounts() -> list[Account]:
    """An administration account of each province (the ones with most institutions first)."""
    busiest = [code for code, _ in db.session.execute(
        select(Institution.province_code, func.count()).group_by(Institution.province_code)
        .order_by(func.count().desc()))]
    accounts = []
    for code in busiest:
        account = db.session.scalars(select(Account).join(
            Administration, Account.administration_id == Administration.id).where(
            Administration.division_code == code, Account.kind == "administration",
            Account.is_enabled.is_(True)).order_by(Account.id)).first()
        if account is not None:
            accounts.append(account)
    if not accounts:
        raise RuntimeError("no province administration account")
    return accounts


def _sql(stmt) -> str:
    return str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


def _raw(sqls: list[str]) -> float:
    started = time.perf_counter()
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for sql in sqls:
            cur = raw.cursor()
            cur.execute(sql)
            cur.fetchall()
            cur.close()
    return time.perf_counter() - started


def measure_query(ctx: Context) -> list[Result]:
    n = _samples(ctx, 200)
    rnd = random.Random(7)
    timings, floors, by_set = [], [], {k: [] for k in range(len(FILTER_SETS))}
    with ctx.app.app_context():
        accounts = _province_accounts()[:8]
        plans = [(a, queries.InstitutionFilters.from_args(MultiDict(f)), k)
                 for a in accounts for k, f in enumerate(FILTER_SETS)]
        for actor, flt, _ in plans:  # warm up
            queries.count(actor, flt, queries.COUNT_CAP)
            queries.keyset_page(actor, flt, 20)
        with ctx.profiled("query"):
            for _ in range(n):
                actor, flt, k = rnd.choice(plans)
                started = time.perf_counter()
                queries.count(actor, flt, queries.COUNT_CAP)
                queries.keyset_page(actor, flt, 20)
                timings.append(time.perf_counter() - started)
                by_set[k].append(timings[-1])
                db.session.rollback()
        for _ in range(n):
            actor, flt, _ = rnd.choice(plans)
            capped = queries.filtered(actor, flt, select(Institution.id)).limit(
                queries.COUNT_CAP + 1).subquery()
            sqls = [_sql(select(func.count()).select_from(capped)),
                    _sql(queries.institution_query(actor, flt).limit(21))]
            floors.append(_raw(sqls))
        db.session.remove()
    details = {"filter_sets": FILTER_SETS, "provinces": len(accounts), "p50_p95_ms_by_set": [
        [round(percentile(v, 50) * 1000, 1), round(percentile(v, 95) * 1000, 1)] if v else None
        for v in by_set.values()]}
    return [Result("query", f"page queries (count + first page), 3 filters p{q}",
                   percentile(timings, q) * 1000, "ms", percentile(floors, q) * 1000,
                   f"the same SQL by psycopg p{q}",
                   f"p95 < {QUERY_TARGET_MS:g} ms" if q == 95 else "",
                   percentile(timings, q) * 1000 < QUERY_TARGET_MS if q == 95 else None,
                   samples=n, details=details) for q in (50, 95)]


def measure_statistics(ctx: Context) -> list[Result]:
    n = _samples(ctx, 60)
    timings, floors = [], []
    with ctx.app.app_context():
        accounts = _province_accounts()[:5]
        for actor in accounts:
            stats.statistics(actor, "division", "category")
        for k in range(n):
            actor = accounts[k % len(accounts)]
            started = time.perf_counter()
            stats.statistics(actor, "division", "category")
            timings.append(time.perf_counter() - started)
            db.session.rollback()
        code = stats.root(accounts[0])
        sql = ("SELECT city_code, category_code, count(*), coalesce(sum(beds), 0) "
               "FROM institution WHERE province_code = '{code}' AND status <> 'cancelled' "
               "GROUP BY city_code, category_code")
        for k in range(n):
            actor = accounts[k % len(accounts)]
            floors.append(_raw([sql.format(code=stats.root(actor))]))
        table = stats.statistics(accounts[0], "division", "category")
        details = {"province": code, "provinces": len(accounts), "institutions": table.total.count,
                   "cells": sum(len(r.cells) for r in table.rows)}
        db.session.remove()
    return [Result("statistics", f"province × category p{q}", percentile(timings, q) * 1000, "ms",
                   percentile(floors, q) * 1000, f"GROUP BY by psycopg p{q}",
                   f"p95 < {STATS_TARGET_MS:g} ms" if q == 95 else "",
                   percentile(timings, q) * 1000 < STATS_TARGET_MS if q == 95 else None,
                   samples=n, details=details) for q in (50, 95)]


def _export_child(url: str, rows: int, kind: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    out = subprocess.run([sys.executable, "-m", "bench.measure_query", "--export-child", kind,
                          str(rows), "--database-url", url], capture_output=True, text=True,
                         env=env, check=True, timeout=3600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_xlsx(ctx: Context) -> list[Result]:
    rows = min(EXPORT_ROWS, ctx.scale.institutions)
    if ctx.scale.institutions < 100_000:  # smoke: in this process, no memory figure
        with ctx.app.app_context():
            big, floor = _export(rows, "xlsx"), _export(rows, "csv")
            db.session.remove()
        return [Result("xlsx", f"export of {rows:,} rows", big["seconds"], "s",
                       floor["seconds"], "CSV of the same rows (csv module)", samples=1,
                       details={"xlsx": big, "csv": floor})]
    small = rows // 10
    big = _export_child(ctx.url, rows, "xlsx")
    little = _export_child(ctx.url, small, "xlsx")
    floor = _export_child(ctx.url, rows, "csv")
    flat = big["peak_rss_mb"] - little["peak_rss_mb"]
    details = {f"{small}_rows": little, f"{rows}_rows": big, "csv": floor}
    return [
        Result("xlsx", f"export of {rows:,} rows", big["seconds"], "s", floor["seconds"],
               f"CSV of the same rows (csv module), {floor['seconds']:.1f} s", samples=1,
               details=details),
        Result("xlsx", f"peak RSS, {rows:,} rows (vs {little['peak_rss_mb']:.0f} MB for "
               f"{small:,})", big["peak_rss_mb"], "MB", little["peak_rss_mb"],
               f"peak RSS of {small:,} rows", "flat memory (≤ 1.2× the 10× smaller export)",
               big["peak_rss_mb"] <= 1.2 * little["peak_rss_mb"], samples=1,
               details={"difference_mb": round(flat, 1)}),
    ]


def _export(rows: int, kind: str) -> dict:
    """Write ``rows`` rows of the auditor's national query to a temporary file."""
    import resource

    actor = db.session.scalars(select(Account).where(Account.username == "auditor")).one()
    items = islice(queries.iterate(actor, queries.InstitutionFilters()), rows)
    heading, values = column_rows(EXPORT_COLUMNS, items)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        if kind == "xlsx":
            write_xlsx(out, [("医疗机构", heading, values)])
        else:
            writer = io.TextIOWrapper(out, encoding="utf-8", newline="")
            sheet = csv.writer(writer)
            sheet.writerow(heading)
            sheet.writerows(values)
            writer.flush()
        size = out.tell()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2), "bytes": size,
            "peak_rss_mb": round(peak, 1)}


def export_child(url: str, rows: int, kind: str) -> None:
    """The export in a process of its own (for its peak RSS); prints its figures."""
    from .env import make_app

    with make_app(url).app_context():
        print(json.dumps(_export(rows, kind)))


def measure_envelopes(ctx: Context) -> list[Result]:
    count = min(ENVELOPES, ctx.scale.institutions)
    with ctx.app.app_context():
        actor = db.session.scalars(select(Account).where(Account.username == "auditor")).one()
        addresses = list(islice(mailing.addresses(actor, queries.InstitutionFilters()), count))
        cjk_font()
        figures = {}
        for layout in ("labels", "envelopes"):
            with tempfile.TemporaryFile() as out:
                started = time.perf_counter()
                if layout == "labels":
                    pages = label_sheets(iter(addresses), out, "bench")
                else:
                    pages = envelopes(iter(addresses), out, "bench", "基准测试卫生健康委员会")
                figures[layout] = (pages, time.perf_counter() - started, out.tell())
        floor_started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            canvas = Canvas(out, pagesize=A4)
            for k in range(figures["envelopes"][0]):
                canvas.setFont(cjk_font(), 12)
                canvas.drawString(72, 720, f"医疗机构 {k}")
                canvas.showPage()
            canvas.save()
        floor = figures["envelopes"][0] / (time.perf_counter() - floor_started)
        db.session.remove()
    return [Result("envelopes", f"{name} of {count:,} addresses ({pages:,} pages, "
                   f"{size / 1e6:.1f} MB)", pages / seconds, "pages/s", floor,
                   "ReportLab: one string per page", samples=1,
                   details={"seconds": round(seconds, 2), "pages": pages, "bytes": size})
            for name, (pages, seconds, size) in figures.items()]


PARTS = {"query": measure_query, "statistics": measure_statistics, "xlsx": measure_xlsx,
         "envelopes": measure_envelopes}


def run(ctx: Context, parts: list[str] | None = None) -> list[Result]:
    results = []
    for measure in (PARTS[p] for p in parts or PARTS):
        results += measure(ctx)
        ctx.log(f"   {measure.__name__} done")
    return results


def registry_only(url: str):
    """The app on ``url`` with a national registry (generated once) and no cases."""
    from .env import build_schema, ensure_database, make_app
    from .generate import generate
    from .scales import SCALES

    ensure_database(url)
    app = make_app(url)
    build_schema(app)
    scale = dataclasses.replace(SCALES["nation"], name="nation-registry", physicians=0,
                                finished_cases=0, open_items=0)
    counts = generate(app, scale)
    return app, scale, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure_query", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--only", nargs="+", choices=["query", "statistics", "xlsx", "envelopes"])
    parser.add_argument("--export-child", nargs=2, metavar=("KIND", "ROWS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_child:
        export_child(args.database_url, int(args.export_child[1]), args.export_child[0])
        return 0
    from . import __main__ as runner
    from .report import DEFAULT_OUT, Run, table

    app, scale, counts = registry_only(args.database_url)
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
    run_ = Run(scale=scale.name, database=runner.database_info(app), data=counts)
    ctx = Context(app, args.database_url, scale, run_, tempfile.mkdtemp(prefix="bench-"),
                  log=print)
    ctx.load_before = [round(x, 2) for x in os.getloadavg()]
    ctx.add(*run(ctx, args.only))
    print(table(run_.results))
    run_.append_jsonl(DEFAULT_OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
