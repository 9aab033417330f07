"""Starting imports and reading them back, for the page and the REST door alike."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from service.access.models import Account
from service.core.extensions import db
from service.documents import storage
from service.imports import kinds, runner
from service.imports.models import ImportJob, ImportRowError
from service.imports.reading import count_rows, file_format

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 30 * 1024 * 1024


class ImportRefused(Exception):
    def __init__(self, status: int, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.status, self.fields = status, fields


def may_import(actor: Account) -> bool:
    return (actor.kind == "administration" and actor.administration_id is not None
            and actor.has_role("bureau_clerk", "bureau_head"))


def create(actor: Account, kind_name: str | None, upload: FileStorage | None,
           dry_run: bool) -> ImportJob:
    """Store the upload and queue its run; :class:`ImportRefused` with field reasons."""
    if not may_import(actor):
        raise ImportRefused(403, {"_schema": ["只有卫生健康行政部门的受理审核人员可以导入数据"]})
    fields: dict[str, list[str]] = {}
    kind = kinds.get(kind_name or "")
    if kind is None:
        fields["kind"] = ["请选择数据类别（institutions、physicians 或 nurses）"]
    if upload is None or not upload.filename:
        fields["file"] = ["请选择要导入的 CSV 或 XLSX 文件"]
    if fields:
        raise ImportRefused(422, fields)
    max_bytes = int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    try:
        spooled = storage.spool(upload.stream, max_bytes)
    except storage.TooLarge:
        raise ImportRefused(413, {"file": [f"文件超过 {max_bytes // (1024 * 1024)} MB"]}) from None
    fmt = file_format(upload.filename, spooled.head)
    if fmt is None or spooled.size == 0:
        spooled.discard()
        raise ImportRefused(422, {"file": ["仅支持 CSV 或 XLSX 文件（旧版 .xls 请先另存为 .xlsx）"]})
    rows = count_rows(spooled.path, fmt)
    key = storage.commit(spooled)
    job = ImportJob(kind=kind.name, dry_run=dry_run, administration_id=actor.administration_id,
                    actor_id=actor.id, file_name=upload.filename[-200:], file_format=fmt,
                    storage_key=key, rows=rows)
    return _queue(job)


def run_for_real(actor: Account, checked: ImportJob) -> ImportJob:
    """The real run of a file whose dry run passed (once: a second request gets the first)."""
    if not may_import(actor):
        raise ImportRefused(403, {"_schema": ["只有卫生健康行政部门的受理审核人员可以导入数据"]})
    if not checked.dry_run or checked.status != "succeeded":
        raise ImportRefused(409, {"_schema": ["只有检查通过的试导入可以正式导入"]})
    earlier = db.session.scalar(select(ImportJob).where(
        ImportJob.checked_by_id == checked.id, ImportJob.status != "rejected"))
    if earlier is not None:
        return earlier
    job = ImportJob(kind=checked.kind, dry_run=False, administration_id=checked.administration_id,
                    actor_id=actor.id, file_name=checked.file_name, file_format=checked.file_format,
                    storage_key=checked.storage_key, rows=checked.rows, checked_by_id=checked.id)
    return _queue(job)


def _queue(job: ImportJob) -> ImportJob:
    from service.imports.tasks import run_import

    db.session.add(job)
    db.session.commit()
    try:
        run_import.send(job.id)
    except Exception as exc:  # the queue is down: say so rather than leave it queued forever
        log.warning("import %s not enqueued (%s)", job.id, type(exc).__name__)
        job.status, job.message = "rejected", "后台任务队列暂时不可用，请稍后重新上传"
        db.session.commit()
    return job


def job_for(actor: Account, job_id: int) -> ImportJob | None:
    """The job if it is the actor's administration's own, else None (answered as 404)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or actor.kind != "administration" \
            or job.administration_id != actor.administration_id:
        return None
    return job


def jobs_of(actor: Account, limit: int = 50) -> list[ImportJob]:
    if actor.kind != "administration":
        return []
    return list(db.session.scalars(select(ImportJob).where(
        ImportJob.administration_id == actor.administration_id)
        .order_by(ImportJob.id.desc()).limit(limit)))


def done_of(job: ImportJob) -> int:
    """Rows handled so far: the run's published count while it runs, else the stored one."""
    if job.status == "running":
        return max(runner.published(job.id) or 0, job.done)
    return job.done


def progress_of(job: ImportJob) -> int:
    """Per cent of the rows handled (100 once finished)."""
    if job.finished:
        return 100
    if not job.rows:
        return 0
    return min(99, done_of(job) * 100 // job.rows)


def errors_of(job: ImportJob, limit: int | None = None) -> Iterator[ImportRowError]:
    stmt = select(ImportRowError).where(ImportRowError.import_id == job.id) \
        .order_by(ImportRowError.row, ImportRowError.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    yield from db.session.scalars(stmt.execution_options(yield_per=1000))


def field_label(job: ImportJob, key: str) -> str:
    kind = kinds.get(job.kind)
    for col in kind.columns if kind else ():
        if col.key == key:
            return col.label
    return {"_row": "整行", "_file": "文件"}.get(key, key)
