"""One run over a legacy file: every row checked, and in a real run written, in one
transaction that commits only when every row passed (all rows or none).

Rows are read, checked and written in batches; after each batch's flush the session forgets
its records, so memory stays flat however long the file. Progress is published after each
batch where the web process can read it: an in-process table (the embedded worker shares the
web process) and, on PostgreSQL, the job's ``done`` column through a connection of its own
(the run's transaction is not committed yet, so the page could not see it otherwise).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.documents.storage import path_for
from service.imports import kinds
from service.imports.models import ImportJob, ImportRowError, Placement
from service.imports.reading import FileProblem, read_rows
from service.registry.reference import Administration
from service.registry.versioning import change_context

log = logging.getLogger(__name__)

REASON = "数据补录"
BATCH = 500
# row errors kept for the report; beyond this only their count is kept
MAX_STORED_ERRORS = 20_000

_progress: dict[int, int] = {}
_lock = threading.Lock()


def published(job_id: int) -> int | None:
    with _lock:
        return _progress.get(job_id)


def _publish(job_id: int, done: int) -> None:
    with _lock:
        _progress[job_id] = done
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return  # SQLite: the run holds the write lock; the embedded worker shares this process
    try:
        with engine.connect() as conn:
            conn.execute(update(ImportJob).where(ImportJob.id == job_id).values(done=done))
            conn.commit()
    except SQLAlchemyError as exc:  # progress is a courtesy: never fail the run for it
        log.warning("import %s: progress not published (%s)", job_id, type(exc).__name__)


def _forget(job_id: int) -> None:
    with _lock:
        _progress.pop(job_id, None)


def _batches(rows: Iterable[kinds.Row], size: int) -> Iterator[list[kinds.Row]]:
    batch: list[kinds.Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _duplicates(batch: list[kinds.Row], kind: kinds.RowKind, seen: dict[str, dict[str, int]]) -> None:
    for row in batch:
        for key in kind.unique:
            value = _compact(row.get(key))
            if not value:
                continue
            first = seen[key].setdefault(value, row.number)
            if first != row.number:
                row.error(key, f"与第 {first} 行重复")


def run(job_id: int) -> None:
    """Run a queued job to its end (``succeeded`` or ``rejected``); a job not queued is left."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    kind = kinds.get(job.kind)
    actor = db.session.get(Account, job.actor_id)
    admin = db.session.get(Administration, job.administration_id)
    ctx = kinds.Context(actor, admin)
    path, fmt, dry_run = Path(path_for(job.storage_key)), job.file_format, job.dry_run

    errors: list[tuple[int, str, str]] = []
    error_count = done = imported = 0
    message: str | None = None
    writing = not dry_run
    seen: dict[str, dict[str, int]] = {key: {} for key in kind.unique}
    try:
        with change_context(actor.id, REASON):
            for batch in _batches(read_rows(path, fmt, kind), BATCH):
                _duplicates(batch, kind, seen)
                items = kind.check(batch, ctx)
                for row in batch:
                    for key, messages in row.errors.items():
                        for text in messages:
                            error_count += 1
                            if len(errors) < MAX_STORED_ERRORS:
                                errors.append((row.number, key, text))
                writing = writing and error_count == 0
                if writing:
                    requests = kind.write(items, ctx)
                    db.session.flush()
                    db.session.add_all(Placement(
                        import_id=job_id, kind=kind.name, row=r.row, person_id=r.person_id,
                        person_name=r.person_name, institution_name=r.institution_name,
                        division_code=r.division_code, data=r.data) for r in requests)
                    db.session.flush()
                    imported += len(items)
                    db.session.expunge_all()  # flat memory: the batch is in the transaction
                done += len(batch)
                _publish(job_id, done)
    except FileProblem as exc:
        message = str(exc)
    except SQLAlchemyError as exc:
        log.warning("import %s refused at write: %s", job_id, exc)
        message = (f"写入登记库时与已有记录冲突（第 {done + 2} 行起的一批），全部撤销；"
                   "可能有人同时登记了相同的记录，请重新检查后导入")
    except Exception:  # a file the reader chokes on: the run must still end, and say so
        log.exception("import %s failed", job_id)
        message = f"第 {done + 2} 行起无法读取或处理，全部撤销；请用模板另存文件后重新上传"
    succeeded = message is None and error_count == 0
    if succeeded and not dry_run:
        job = db.session.get(ImportJob, job_id)
    else:
        db.session.rollback()  # all rows or none: nothing of this run stays
        job = db.session.get(ImportJob, job_id)
        imported = 0
        db.session.bulk_insert_mappings(ImportRowError, [
            {"import_id": job_id, "row": r, "field": f, "message": m} for r, f, m in errors])
    job.status = "succeeded" if succeeded else "rejected"
    job.done, job.imported, job.error_count = done, imported, error_count
    job.rows = done if job.rows is None or succeeded else job.rows
    job.message, job.finished_at = message, utcnow()
    db.session.commit()
    _forget(job_id)
