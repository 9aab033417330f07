"""Backups: one archive of every table and the document storage, restorable into an empty
database of either kind (SQLite or PostgreSQL).

The archive (``.tar.gz``) holds ``manifest.json`` (format, migration revision, row counts),
``tables/<table>.jsonl`` (one JSON row a line, in dependency order) and ``storage/`` (the
files under ``STORAGE_DIR``). Production may use ``pg_dump`` instead (docs/operations.md);
this format also moves a database between SQLite and PostgreSQL.
"""
from __future__ import annotations

import base64
import io
import json
import tarfile
import warnings
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from alembic.migration import MigrationContext
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.types import JSON, Date, DateTime, LargeBinary, Numeric

from service.core.extensions import db
from service.core.times import utcnow

FORMAT = 1


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decoder(column):
    kind = column.type
    kind = getattr(kind, "impl", kind)
    if isinstance(kind, JSON):
        return None
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Decimal
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return None


def _tables():
    # account, document and physician refer to each other: no order satisfies every foreign
    # key, so restore loads with the checks off and verifies them at the end
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        return list(db.metadata.sorted_tables)


def _revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def create(target: Path) -> dict:
    """Write the archive to ``target``; returns the manifest."""
    storage = Path(current_app.config["STORAGE_DIR"])
    counts: dict[str, int] = {}
    with db.engine.connect() as connection, tarfile.open(target, "w:gz") as archive:
        with connection.begin():  # one snapshot of every table
            for table in _tables():
                lines = [json.dumps({k: _encode(v) for k, v in row._mapping.items()},
                                    ensure_ascii=False, default=str)
                         for row in connection.execute(select(table))]
                counts[table.name] = len(lines)
                _add(archive, f"tables/{table.name}.jsonl", "\n".join(lines).encode())
            revision = _revision(connection)
        files = sorted(p for p in storage.rglob("*") if p.is_file() and ".tmp" not in p.parts)
        for path in files:
            archive.add(path, arcname=f"storage/{path.relative_to(storage).as_posix()}")
        manifest = {"format": FORMAT, "revision": revision, "created_at": utcnow().isoformat(),
                    "dialect": db.engine.dialect.name, "tables": counts, "files": len(files)}
        _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    return manifest


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def restore(source: Path) -> dict:
    """Load the archive into this app's database, which must be migrated and hold no data."""
    with tarfile.open(source, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        if manifest.get("format") != FORMAT:
            raise ValueError(f"unknown backup format {manifest.get('format')}")
        with db.engine.connect() as connection:
            revision = _revision(connection)
            connection.rollback()
            if revision != manifest["revision"]:
                raise ValueError(f"the database is at migration {revision}, the "
                                 f"backup at {manifest['revision']}: run `flask db upgrade "
                                 f"{manifest['revision']}` on an empty database first")
            _load_tables(connection, archive, manifest)
        _load_storage(archive)
    return manifest


def _load_tables(connection, archive: tarfile.TarFile, manifest: dict) -> None:
    postgres = connection.dialect.name == "postgresql"
    raw = connection.connection.driver_connection
    if not postgres:  # tables refer to each other in circles; checked once all rows are in
        raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
    with connection.begin():
        if postgres:
            connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in _tables():
            if table.name == "alembic_version":
                continue
            if connection.scalar(select(func.count()).select_from(table)):
                raise ValueError(f"table {table.name} is not empty: restore needs an empty database")
            member = archive.extractfile(f"tables/{table.name}.jsonl")
            rows = [json.loads(line) for line in member.read().decode().splitlines() if line]
            decoders = {c.name: _decoder(c) for c in table.columns}
            for row in rows:
                for name, decode in decoders.items():
                    if decode is not None and row.get(name) is not None:
                        row[name] = decode(row[name])
            for start in range(0, len(rows), 1000):
                connection.execute(table.insert(), rows[start:start + 1000])
            if postgres and "id" in table.columns and rows:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f"(SELECT max(id) FROM \"{table.name}\"))"))
    if not postgres:
        raw.execute("PRAGMA foreign_keys=ON")
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ValueError(f"restored rows break {len(problems)} foreign keys")


def _load_storage(archive: tarfile.TarFile) -> None:
    storage = Path(current_app.config["STORAGE_DIR"]).resolve()
    for member in archive.getmembers():
        if not member.isfile() or not member.name.startswith("storage/"):
            continue
        target = (storage / member.name.removeprefix("storage/")).resolve()
        if storage not in target.parents:
            raise ValueError(f"unsafe path in backup: {member.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.extractfile(member).read())


def verify_cases() -> list[tuple[int, str]]:
    """Every case whose hash chain or replay fails, with why (the restore drill's check)."""
    from service.engine.models import Case
    from service.engine.replay import replay

    bad = []
    for case in db.session.scalars(select(Case).order_by(Case.id)):
        result = replay(case)
        if not result.ok:
            bad.append((case.id, result.as_dict()["detail"]))
    db.session.rollback()
    return bad
