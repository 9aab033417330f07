"""Seed 004's demerit scoring at national scale: the 12-month accumulation and the
administration's list over 1 M reports (``issue 14``: p95 < 50 ms).

Data (generated once, by COPY on PostgreSQL): signed-up institutions in every Chongqing county,
scored persons and reports spread over three years, 95 % submitted.

Figures:
- ``accumulation``: :func:`service.supervision.demerit.points_in_cycle` (the query every
  submission and every lookup runs) for random persons. Floor: its SQL sent by psycopg directly.
- ``list``: ``GET /api/v1/supervision/demerits?limit=50`` through the Flask test client with a
  bearer token (authentication, jurisdiction, the keyset page, the person, institution and
  scorer of each row, serialization) for the municipal administration (every report) and a
  county one, first page and a page 80 % down. Floor: the page's SQL by psycopg.
"""
from __future__ import annotations

import json
import os
import random
import time
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from service.access.login import issue_token
from service.access.models import Account
from service.access.passwords import hash_password
from service.core.extensions import db
from service.core.paging import encode_key
from service.core.times import utcnow
from service.registry.reference import Administration, Division
from service.supervision import demerit
from service.supervision.inspection import beijing_today
from service.supervision.models import DemeritReport, ScoredPerson, SupervisedUnit

from .context import Context
from .report import Result, percentile

TARGET_MS = 50.0
# reports per scale; BENCH_DEMERIT_REPORTS overrides it (1 M on a smoke-scale registry is the
# figure of docs/benchmarks.md: the registry's own national data is not needed for it)
REPORTS = {"smoke": 2_000, "province": 200_000, "nation": 1_000_000}
REPORTS_PER_PERSON = 5
PERSONS_PER_UNIT = 100
PROVINCE = "500000"
ACCUMULATION_SQL = (
    "SELECT coalesce(sum(points), 0) FROM sv_demerit WHERE person_id = %(p)s "
    "AND status = 'submitted' AND scored_on >= %(since)s AND scored_on <= %(day)s")
LIST_SQL = (
    "SELECT sv_demerit.*, sv_person.* FROM sv_demerit JOIN sv_person ON sv_person.id = "
    "sv_demerit.person_id WHERE sv_demerit.{column} = %(code)s AND sv_demerit.status = 'submitted' "
    "{cursor}ORDER BY sv_demerit.scored_on DESC, sv_demerit.id DESC LIMIT 51")


def _copy(ctx: Context, table: str, columns: list[str], rows) -> None:
    if ctx.postgres:
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
    else:
        model_table = db.metadata.tables[table]
        batch: list[dict] = []
        for row in rows:
            batch.append(dict(zip(columns, row, strict=True)))
            if len(batch) == 5000:
                db.session.execute(insert(model_table), batch)
                batch = []
        if batch:
            db.session.execute(insert(model_table), batch)
        db.session.commit()


def generate(ctx: Context, reports: int) -> dict:
    have = db.session.scalar(select(func.count()).select_from(DemeritReport))
    if have >= reports:
        return {"reports": have, "generated": False}
    rnd = random.Random(14)
    counties = db.session.execute(select(Division.code, Administration.id).join(
        Administration, Administration.division_code == Division.code).where(
        Division.level == "county", Division.code.like("50%"))).all()
    persons = reports // REPORTS_PER_PERSON
    units = max(len(counties), persons // PERSONS_PER_UNIT)
    now = utcnow()  # a real datetime: COPY adapts it, and the SQLite insert needs one
    scorer = _account("bench.cq.scorer", "supervision", None)
    start_unit = (db.session.scalar(select(func.max(SupervisedUnit.id))) or 0) + 1
    unit_cols = ["id", "name", "uscc", "division_code", "city_code", "province_code", "address",
                 "level_code", "subject_codes", "nature", "legal_representative",
                 "legal_representative_id", "contact", "contact_phone", "licence_document_ids",
                 "checklist_province", "checklist_version", "scope", "administration_id", "status",
                 "submitted_at", "version"]
    unit_rows, unit_division = [], {}
    for k in range(units):
        code, admin = counties[k % len(counties)]
        uid = start_unit + k
        unit_division[uid] = code
        unit_rows.append((uid, f"压测医疗机构{uid}", f"B{uid:017d}", code, code[:4] + "00", PROVINCE,
                          "重庆市", "9", "[]", "2", "法人", "110105199001010010", "联系人",
                          "13900000000", "[]", PROVINCE, "2026.1", "[]", admin, "active", now, 1))
    _copy(ctx, "sv_unit", unit_cols, unit_rows)
    start_person = (db.session.scalar(select(func.max(ScoredPerson.id))) or 0) + 1
    person_cols = ["id", "unit_id", "name", "gender", "id_number", "title", "category", "scope",
                   "certificate_number", "created_at", "version"]
    person_unit = [start_unit + rnd.randrange(units) for _ in range(persons)]
    _copy(ctx, "sv_person", person_cols, (
        (start_person + k, person_unit[k], f"压测{k % 9973}号", "1" if k % 2 else "2",
         f"P{start_person + k:017d}", "医师", "医疗卫生", "内科专业", f"C{k:014d}", now, 1)
        for k in range(persons)))
    today = beijing_today()
    rules = {r.code: r.points for r in demerit.rule_set(PROVINCE)[2]}
    codes = list(rules)
    report_cols = ["person_id", "unit_id", "scorer_id", "rule_province", "rule_version", "rule_codes",
                   "points", "attachment_ids", "status", "scored_on", "division_code", "city_code",
                   "province_code", "created_at"]

    def report_rows():
        for _ in range(reports - have):
            k = rnd.randrange(persons)
            unit_id = person_unit[k]
            code = unit_division[unit_id]
            rule = codes[rnd.randrange(len(codes))]
            yield (start_person + k, unit_id, scorer.id, PROVINCE, "2026.1", json.dumps([rule]),
                   rules[rule], "[]", "submitted" if rnd.random() < 0.95 else "draft",
                   today - timedelta(days=rnd.randrange(3 * 365)), code, code[:4] + "00", PROVINCE, now)
    _copy(ctx, "sv_demerit", report_cols, report_rows())
    if ctx.postgres:
        for table in ("sv_unit", "sv_person", "sv_demerit"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('sv_unit', 'id'), "
                                "(SELECT max(id) FROM sv_unit))"))
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('sv_person', 'id'), "
                                "(SELECT max(id) FROM sv_person))"))
        db.session.commit()
    return {"reports": reports, "generated": True, "persons": persons, "units": units}


def _account(username: str, kind: str, administration_id: int | None) -> Account:
    account = db.session.scalar(select(Account).where(Account.username == username))
    if account is None:
        account = Account(username=username, display_name=username, kind=kind,
                          roles=["bureau_clerk"] if kind == "administration" else ["inst_scorer"],
                          administration_id=administration_id, password_hash=hash_password("x1y2z3w4v5"))
        db.session.add(account)
        db.session.commit()
    return account


def _timed(fn, n: int) -> list[float]:
    for _ in range(5):
        fn(0)
    out = []
    for k in range(n):
        started = time.perf_counter()
        fn(k)
        out.append(time.perf_counter() - started)
    return out


def run(ctx: Context) -> list[Result]:
    n = 300 if ctx.scale.name != "smoke" else 20
    with ctx.app.app_context():
        data = generate(ctx, int(os.environ.get("BENCH_DEMERIT_REPORTS") or REPORTS[ctx.scale.name]))
        total = db.session.scalar(select(func.count()).select_from(DemeritReport))
        person_ids = list(db.session.scalars(select(ScoredPerson.id).order_by(func.random()).limit(n)))
        today = beijing_today()
        cycle = demerit.cycle_of(PROVINCE)
        since = demerit.cycle_start(today, cycle)
        admins = {"municipal": db.session.scalar(select(Administration.id).where(
            Administration.division_code == PROVINCE))}
        busiest = db.session.execute(text(
            "SELECT division_code, count(*) FROM sv_demerit WHERE status = 'submitted' "
            "GROUP BY division_code ORDER BY count(*) DESC LIMIT 1")).one()
        admins["county"] = db.session.scalar(select(Administration.id).where(
            Administration.division_code == busiest[0]))
        tokens = {name: issue_token(_account(f"bench.sv.{name}", "administration", admin), "bench")[0]
                  for name, admin in admins.items()}
        db.session.commit()
        deep = {}
        for name, (column, code) in {"municipal": ("province_code", PROVINCE),
                                     "county": ("division_code", busiest[0])}.items():
            count = db.session.scalar(text(
                f"SELECT count(*) FROM sv_demerit WHERE {column} = :c AND status = 'submitted'"), {"c": code})
            row = db.session.execute(text(
                f"SELECT scored_on, id FROM sv_demerit WHERE {column} = :c AND status = 'submitted' "
                "ORDER BY scored_on DESC, id DESC LIMIT 1 OFFSET :k"), {"c": code, "k": int(count * 0.8)}).one()
            scored_on = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
            deep[name] = (column, code, count, scored_on, row[1])
        timings = {"accumulation": _timed(
            lambda k: demerit.points_in_cycle(person_ids[k % len(person_ids)], today, cycle), n)}
        db.session.remove()
    client = ctx.app.test_client()
    for name in admins:
        headers = {"Authorization": f"Bearer {tokens[name]}"}
        column, code, count, scored_on, last_id = deep[name]
        cursor = encode_key(scored_on.isoformat(), last_id)
        for page, url in (("first", "/api/v1/supervision/demerits?limit=50"),
                          ("deep", f"/api/v1/supervision/demerits?limit=50&cursor={cursor}")):
            def get(_k, url=url, headers=headers):
                response = client.get(url, headers=headers)
                assert response.status_code == 200 and response.get_json()["items"], response.data[:200]
            timings[f"list {name} {page}"] = _timed(get, n)
    floors = _floors(ctx, person_ids, since, today, deep, n)
    results = []
    details = dict(data, total_reports=total, cycle=list(cycle))
    for name, values in timings.items():
        label = (f"12-month accumulation ({total:,} reports)" if name == "accumulation" else
                 f"{name} page ({deep[name.split()[1]][2]:,} submitted in scope)")
        for q in (50, 95):
            value = percentile(values, q) * 1000
            floor = percentile(floors[name], q) * 1000 if name in floors else None
            results.append(Result(
                "demerits", f"{label} p{q}", value, "ms", floor,
                f"SQL p{q}" if floor is not None else "", f"p95 < {TARGET_MS:g} ms (1 M reports)" if q == 95 else "",
                value < TARGET_MS if q == 95 else None, samples=len(values), details=details))
    return results


def _floors(ctx: Context, person_ids: list[int], since: date, day: date, deep: dict, n: int) -> dict:
    out: dict[str, list[float]] = {}
    if not ctx.postgres:  # the SQL floors are psycopg's: none on SQLite
        return out
    with ctx.app.app_context(), db.engine.connect() as conn:
        raw = conn.connection.driver_connection

        def sql(query: str, params) -> None:
            with raw.cursor() as cur:
                cur.execute(query, params)
                cur.fetchall()
        out["accumulation"] = _timed(lambda k: sql(ACCUMULATION_SQL, {
            "p": person_ids[k % len(person_ids)], "since": since, "day": day}), n)
        for name, (column, code, _count, scored_on, last_id) in deep.items():
            first = LIST_SQL.format(column=column, cursor="")
            later = LIST_SQL.format(column=column, cursor="AND (sv_demerit.scored_on, sv_demerit.id) < "
                                    "(%(d)s, %(i)s) ")
            out[f"list {name} first"] = _timed(lambda k, q=first, c=code: sql(q, {"code": c}), n)
            out[f"list {name} deep"] = _timed(lambda k, q=later, c=code, d=scored_on, i=last_id: sql(
                q, {"code": c, "d": d, "i": i}), n)
    return out
