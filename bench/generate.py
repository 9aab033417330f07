"""Fill a database at a chosen scale: ``python -m bench.generate --scale province``.

PostgreSQL is loaded with ``COPY`` (psycopg 3 ``cursor.copy()``) in chunks, with the
secondary indexes dropped during the load and rebuilt after, and foreign-key triggers off
(``session_replication_role = replica``) since the generator writes consistent ids itself.
SQLite (the smoke test without PostgreSQL) gets the same rows through ``executemany``.
The run is deterministic for a seed; a ``bench_meta`` table records what was generated, so
a second run at the same scale does nothing.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import JSON, Connection, text

from service.core.extensions import db

from . import gen_cases, gen_registry
from .scales import SCALES, Scale

GENERATOR_VERSION = 1
DEFAULT_SEED = 20250630
BULK_TABLES = ("institution", "institution_subject", "licence", "account", "record_version",
               "qualification", "physician", "practice_registration", "case", "case_event",
               "work_item")
Log = Callable[[str], None]


@dataclass
class Writer:
    """Buffered bulk writes: COPY on PostgreSQL, executemany elsewhere."""

    conn: Connection
    postgres: bool
    chunk: int = 20_000
    counts: dict[str, int] = field(default_factory=dict)
    _buffers: dict[str, tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], row: tuple) -> None:
        buffer = self._buffers.setdefault(table, (columns, []))[1]
        buffer.append(row)
        if len(buffer) >= self.chunk:
            self.flush()  # every table, parents first (the order they were first added)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self._buffers):
            columns, rows = self._buffers.get(name, ((), []))
            if rows:
                self._write(name, columns, rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                rows.clear()

    def _write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        model = db.metadata.tables[table]
        json_at = [n for n, c in enumerate(columns) if isinstance(model.c[c].type, JSON)]
        if self.postgres:
            if not self.conn.in_transaction():  # so that conn.commit() commits the COPY
                self.conn.begin()
            cursor = self.conn.connection.driver_connection.cursor()
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for n in json_at:
                            if not isinstance(row[n], str) and row[n] is not None:
                                row[n] = json.dumps(row[n], ensure_ascii=False)
                    copy.write_row(row)
            return
        records = []
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            for n in json_at:
                if isinstance(row[n], str):
                    record[columns[n]] = json.loads(row[n])
            records.append(record)
        self.conn.execute(model.insert(), records)


def _max_id(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f'SELECT coalesce(max(id), 0) FROM "{table}"')).scalar() or 0)


def _secondary_indexes(conn: Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-constraint indexes of the bulk tables."""
    return [(r[0], r[1]) for r in conn.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(:tables) AND indexname NOT IN ("
        "  SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))"
    ), {"tables": list(BULK_TABLES)})]


def read_meta(conn: Connection) -> dict[str, str]:
    conn.execute(text("CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(40) PRIMARY KEY, "
                      "value TEXT NOT NULL)"))
    return {r[0]: r[1] for r in conn.execute(text("SELECT key, value FROM bench_meta"))}


def _write_meta(conn: Connection, values: dict[str, str]) -> None:
    conn.execute(text("DELETE FROM bench_meta"))
    for key, value in values.items():
        conn.execute(text("INSERT INTO bench_meta (key, value) VALUES (:k, :v)"),
                     {"k": key, "v": value})


def generate(app: Flask, scale: Scale, seed: int = DEFAULT_SEED, log: Log = print) -> dict:
    """Generate the bulk data once per database; returns the counts (from ``bench_meta``)."""
    with app.app_context():
        with db.engine.begin() as conn:
            meta = read_meta(conn)
        if meta.get("scale"):
            if (meta["scale"], meta.get("version"), meta.get("seed")) != (
                    scale.name, str(GENERATOR_VERSION), str(seed)):
                raise SystemExit(f"database holds {meta['scale']} data (generator "
                                 f"{meta.get('version')}, seed {meta.get('seed')}); use a "
                                 "fresh database or --regenerate")
            log(f"data for scale {scale.name} already generated ({meta.get('seconds')} s)")
            return json.loads(meta["counts"])
        started = time.perf_counter()
        template = gen_cases.make_template()
        db.session.commit()
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            try:
                counts = _load(conn, postgres, template, scale, seed, log)
            finally:
                conn.invalidate()  # its session settings (replica role, async commit) die with it
        seconds = round(time.perf_counter() - started, 1)
        with db.engine.begin() as conn:
            _write_meta(conn, {"scale": scale.name, "version": str(GENERATOR_VERSION),
                               "seed": str(seed), "seconds": str(seconds),
                               "counts": json.dumps(counts)})
        db.session.remove()
    log(f"generated scale {scale.name} in {seconds} s: {counts}")
    return counts


def _load(conn: Connection, postgres: bool, template: gen_cases.Template, scale: Scale,
          seed: int, log: Log) -> dict[str, int]:
    from service.access.passwords import hash_password

    rnd = random.Random(seed)
    dropped: list[tuple[str, str]] = []
    if postgres:
        conn.execute(text("SET synchronous_commit = off"))
        conn.execute(text("SET maintenance_work_mem = '1GB'"))
        if conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
            conn.execute(text("SET session_replication_role = replica"))
        if scale.institutions >= 10_000:
            dropped = _secondary_indexes(conn)
            for name, _ in dropped:
                conn.execute(text(f'DROP INDEX "{name}"'))
        conn.commit()
    writer = Writer(conn, postgres)
    places = gen_registry.Places.load(
        [tuple(r) for r in conn.execute(text("SELECT code, name, level FROM division"))],
        [tuple(r) for r in conn.execute(text("SELECT id, division_code FROM administration"))])
    reg = gen_registry.Registry(base=_max_id(conn, "institution") + 1,
                                account_base=_max_id(conn, "account") + 1)
    version_id = _max_id(conn, "record_version") + 1
    licence_id = _max_id(conn, "licence") + 1
    subjects = [r[0] for r in conn.execute(text(
        "SELECT code FROM code_item WHERE \"table\" = 'subject' AND parent_code IS NULL"))]
    password_hash = hash_password(f"Bench{seed}")
    tick = time.perf_counter()
    for row, codes in gen_registry.institutions(rnd, places, reg, scale.institutions, subjects):
        writer.add("institution", gen_registry.INSTITUTION_COLUMNS, row)
        for code in codes:
            writer.add("institution_subject", gen_registry.SUBJECT_COLUMNS, (row[0], code))
        data = gen_registry.snapshot(gen_registry.INSTITUTION_COLUMNS, row, subjects=codes)
        writer.add("record_version", gen_registry.VERSION_COLUMNS,
                   gen_registry.version_row(version_id, "institution", row[0], data, row[-2]))
        version_id += 1
        writer.add("licence", gen_registry.LICENCE_COLUMNS, gen_registry.licence_row(licence_id, row))
        licence_id += 1
        writer.add("account", gen_registry.ACCOUNT_COLUMNS,
                   gen_registry.institution_account(reg, row[0] - reg.base, password_hash))
    admin_accounts = dict(conn.execute(text(
        "SELECT administration_id, min(id) FROM account WHERE kind = 'administration' "
        "AND administration_id IS NOT NULL GROUP BY administration_id")).all())
    next_account = reg.account_base + len(reg)
    for admin_id, name in conn.execute(text("SELECT id, name FROM administration ORDER BY id")):
        if admin_id not in admin_accounts:
            writer.add("account", gen_registry.ACCOUNT_COLUMNS, gen_registry.administration_account(
                next_account, admin_id, name, password_hash))
            admin_accounts[admin_id] = next_account
            next_account += 1
    writer.flush()
    conn.commit()
    log(f"  institutions: {len(reg)} in {time.perf_counter() - tick:.1f} s")

    tick = time.perf_counter()
    scopes: dict[str, list[str]] = {}
    for code, name, extra in conn.execute(text(
            "SELECT code, name, extra FROM code_item WHERE \"table\" = 'physician_scope'")):
        category = (json.loads(extra) if isinstance(extra, str) else extra or {}).get("category")
        scopes.setdefault(category or str(code)[0], []).append(name)
    taken = {r[0] for r in conn.execute(text(
        "SELECT id_number FROM qualification UNION SELECT id_number FROM physician "
        "UNION SELECT id_number FROM nurse"))}
    person_base = max(_max_id(conn, "qualification"), _max_id(conn, "physician")) + 1
    for qualification, physician, registrations in gen_registry.physicians(
            rnd, reg, scale.physicians, person_base, _max_id(conn, "practice_registration") + 1,
            scopes, taken):
        writer.add("qualification", gen_registry.QUALIFICATION_COLUMNS, qualification)
        writer.add("physician", gen_registry.PHYSICIAN_COLUMNS, physician)
        data = gen_registry.snapshot(gen_registry.PHYSICIAN_COLUMNS, physician)
        writer.add("record_version", gen_registry.VERSION_COLUMNS, gen_registry.version_row(
            version_id, "physician", physician[0], data, physician[-2]))
        version_id += 1
        for registration in registrations:
            writer.add("practice_registration", gen_registry.REGISTRATION_COLUMNS, registration)
            data = gen_registry.snapshot(gen_registry.REGISTRATION_COLUMNS, registration)
            writer.add("record_version", gen_registry.VERSION_COLUMNS, gen_registry.version_row(
                version_id, "practice_registration", registration[0], data, physician[-2]))
            version_id += 1
    writer.flush()
    conn.commit()
    log(f"  physicians: {scale.physicians} in {time.perf_counter() - tick:.1f} s")

    tick = time.perf_counter()
    ids = gen_cases.Ids(_max_id(conn, "case") + 1, _max_id(conn, "case_event") + 1,
                        _max_id(conn, "work_item") + 1)
    write_cases(writer, gen_cases.bulk_cases(
        template, reg, admin_accounts, ids, scale.finished_cases, scale.open_items,
        scale.busy_share, rnd))
    conn.commit()
    log(f"  cases: {scale.finished_cases + scale.open_items} in "
        f"{time.perf_counter() - tick:.1f} s")
    finish(conn, postgres, dropped, log)
    return dict(writer.counts)


def write_cases(writer: Writer, rows: Iterable[gen_cases.CaseRows]) -> None:
    for bundle in rows:
        writer.add("case", gen_cases.CASE_COLUMNS, bundle.case)
        for event in bundle.events:
            writer.add("case_event", gen_cases.EVENT_COLUMNS, event)
        for item in bundle.items:
            writer.add("work_item", gen_cases.ITEM_COLUMNS, item)
    writer.flush()


def fix_sequences(conn: Connection, postgres: bool) -> None:
    """Move the id sequences past ids the generator wrote itself."""
    if not postgres:
        return
    for table in BULK_TABLES:
        if table != "institution_subject":
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))"))


def finish(conn: Connection, postgres: bool, dropped: list[tuple[str, str]], log: Log) -> None:
    """Rebuild dropped indexes, move the id sequences past the bulk ids, refresh statistics."""
    if not postgres:
        conn.execute(text("ANALYZE"))
        conn.commit()
        return
    tick = time.perf_counter()
    for _, create in dropped:
        conn.execute(text(create))
        conn.commit()
    fix_sequences(conn, postgres)
    conn.execute(text("SET session_replication_role = DEFAULT"))
    conn.commit()
    log(f"  indexes and sequences in {time.perf_counter() - tick:.1f} s")
    tick = time.perf_counter()
    raw = conn.connection.driver_connection
    raw.autocommit = True
    try:
        for table in BULK_TABLES:
            raw.execute(f'VACUUM (ANALYZE) "{table}"')
    finally:
        raw.autocommit = False
    log(f"  vacuum and analyze in {time.perf_counter() - tick:.1f} s")


def main(argv: list[str] | None = None) -> None:
    from .env import DEFAULT_URLS, build_schema, ensure_database, make_app, reset_database

    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="smoke")
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--regenerate", action="store_true",
                        help="drop everything in the database (schema) first")
    args = parser.parse_args(argv)
    url = args.database_url or DEFAULT_URLS[args.scale]
    ensure_database(url)
    if args.regenerate:
        reset_database(url)
    app = make_app(url)
    build_schema(app)
    generate(app, SCALES[args.scale], args.seed)


if __name__ == "__main__":
    main()
