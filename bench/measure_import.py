"""Legacy import throughput (I10): a 100,000-row institutions XLSX checked and imported by the
import job, beside a plain ``COPY`` of the same rows into a bare table (PostgreSQL), with the
process's resident memory sampled after every batch (flat memory) and its peak.

The XLSX is written as Excel and WPS write their exports, text in the shared strings table
(XlsxWriter, in a child process so that its workbook in memory does not count in this
process's peak); its reading alone is measured too, on that file and on the same rows written
with inline strings (as openpyxl writes every string), as the share of the run the file format
takes. The imported institutions and their versions are deleted afterwards, so the
generated data stays as it was.
"""
from __future__ import annotations

import csv
import io
import itertools
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook
from sqlalchemy import delete, func, select, text
from stdnum.cn import uscc

from service.core.extensions import db
from service.documents import storage
from service.imports import kinds, runner
from service.imports.models import ImportJob, ImportRowError
from service.imports.reading import read_rows
from service.institutions.models import Institution, InstitutionSubject
from service.registry.reference import Administration
from service.registry.versioning import RecordVersion

from .context import Context
from .report import Result

TARGET_ROWS_PER_S = 2000.0
ROWS = {"smoke": 500}
DEFAULT_ROWS = 100_000
HEADER = ["name", "uscc", "category_code", "economic_type_code", "management_class", "level_code",
          "division_code", "address", "postal_code", "phone", "legal_representative", "principal",
          "registered_capital", "service_mode", "beds", "dental_chairs", "floor_area",
          "staff_count", "subjects", "licence_valid_from", "licence_valid_to"]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _rows(n: int, tag: str):
    for i in range(n):
        base = f"92110105{tag}{i:06d}"[:17]
        yield [f"北京朝阳补录测试{tag}诊所{i}", base + uscc.calc_check_digit(base), "D211", "17", "2", "9",
               "110105", f"北京市朝阳区测试路{i}号", "100020", "010-65900000", "王测试", "王测试",
               "20.00", "门诊", 0, 0, "80.00", 3, "03 03.01", "2020-01-01", "2030-12-31"]


def _write_xlsx(path: Path, n: int, tag: str, inline: bool) -> None:
    rows = itertools.chain([HEADER], _rows(n, tag))
    if inline:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("医疗机构")
        for row in rows:
            sheet.append(row)
        book.save(path)
        return
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("医疗机构")
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)


def _write_apart(path: Path, n: int, tag: str, inline: bool) -> None:
    child = multiprocessing.get_context("spawn").Process(
        target=_write_xlsx, args=(path, n, tag, inline))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"writing the bench XLSX failed ({child.exitcode})")


def _reading_rate(path: Path, kind) -> float:
    started = time.perf_counter()
    read = sum(1 for _ in read_rows(path, "xlsx", kind))
    return read / (time.perf_counter() - started)


def _copy_floor(ctx: Context, n: int, tag: str) -> float | None:
    """Seconds for COPY of the same rows into a bare table of the same columns."""
    if not ctx.postgres:
        return None
    buf = io.StringIO()
    csv.writer(buf).writerows(_rows(n, tag))
    data = buf.getvalue()
    with ctx.app.app_context():
        conn = db.engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute("CREATE TEMP TABLE bench_import_copy (" + ", ".join(
                f"{c} text" for c in HEADER) + ")")
            started = time.perf_counter()
            with cur.copy(f"COPY bench_import_copy ({', '.join(HEADER)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(data)
            conn.commit()
            seconds = time.perf_counter() - started
            cur.execute("DROP TABLE bench_import_copy")
            conn.commit()
        finally:
            conn.close()
    return seconds


def run(ctx: Context) -> list[Result]:
    # the file's size does not depend on the registry's: BENCH_IMPORT_ROWS sets it at any scale
    n = int(os.environ.get("BENCH_IMPORT_ROWS") or ROWS.get(ctx.scale.name, DEFAULT_ROWS))
    tag = f"{int(time.time()) % 10**6:06d}"[-3:]
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path, inline = workdir / "institutions.xlsx", workdir / "institutions-inline.xlsx"
    started = time.perf_counter()
    _write_apart(path, n, tag, inline=False)
    _write_apart(inline, n, tag, inline=True)
    ctx.log(f"   {n} rows written to {path.stat().st_size / 2**20:.1f} MB XLSX (shared strings) "
            f"and {inline.stat().st_size / 2**20:.1f} MB (inline) in {time.perf_counter() - started:.1f} s")
    app = ctx.app
    with app.app_context():
        kind = kinds.get("institutions")
        read_rate, inline_rate = _reading_rate(path, kind), _reading_rate(inline, kind)
        inline.unlink()
        admin = db.session.scalar(select(Administration).where(
            Administration.division_code == "110105"))
        from service.access.models import Account

        actor = db.session.scalar(select(Account).where(Account.username == "bj.chaoyang.wjw"))
        with path.open("rb") as fh:
            key = storage.commit(storage.spool(fh, 1 << 31))
        job = ImportJob(kind="institutions", dry_run=False, administration_id=admin.id,
                        actor_id=actor.id, file_name=path.name, file_format="xlsx",
                        storage_key=key, rows=n)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        samples: list[float] = []
        publish = runner._publish
        runner._publish = lambda jid, done: (samples.append(_rss_mb()), publish(jid, done))
        rss_before = _rss_mb()
        try:
            with ctx.profiled("import"):
                started, cpu = time.perf_counter(), time.process_time()
                runner.run(job_id)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            runner._publish = publish
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        job = db.session.get(ImportJob, job_id)
        status, imported = job.status, job.imported
        if status != "succeeded" or imported != n:
            raise RuntimeError(f"the import ended {status} with {imported} of {n} rows: "
                               f"{job.message or job.error_count}")
        ids = select(Institution.id).where(Institution.name.like(f"北京朝阳补录测试{tag}诊所%"))
        db.session.execute(delete(RecordVersion).where(
            RecordVersion.entity == "institution", RecordVersion.entity_id.in_(ids)))
        db.session.execute(delete(InstitutionSubject).where(InstitutionSubject.institution_id.in_(ids)))
        db.session.execute(delete(Institution).where(Institution.id.in_(ids)))
        db.session.execute(delete(ImportRowError).where(ImportRowError.import_id == job_id))
        db.session.execute(delete(ImportJob).where(ImportJob.id == job_id))
        db.session.commit()
        left = db.session.scalar(select(func.count()).select_from(Institution).where(
            Institution.name.like(f"北京朝阳补录测试{tag}%")))
        if ctx.postgres:
            db.session.execute(text("ANALYZE institution"))
            db.session.commit()
        db.session.remove()
    copy_seconds = _copy_floor(ctx, n, tag)
    path.unlink(missing_ok=True)
    rate = n / seconds
    tenth = samples[len(samples) // 10] if samples else rss_before
    details = {
        # the machine is shared: rows per second of this process's own CPU time tells the
        # import's cost apart from waiting for a core (PostgreSQL's own work not included)
        "rows": n, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_s": round(n / cpu) if cpu else None, "read_only_rows_per_s": round(read_rate),
        "read_only_inline_rows_per_s": round(inline_rate),
        "rss_mb_before": round(rss_before, 1), "rss_mb_at_10pct": round(tenth, 1),
        "rss_mb_at_end": round(samples[-1], 1) if samples else None,
        "rss_mb_growth_after_10pct": round((samples[-1] if samples else rss_before) - tenth, 1),
        "peak_rss_mb": round(peak, 1), "left_behind": left,
    }
    return [
        Result("import", f"XLSX import with validation ({n:,} institutions)", rate, "rows/s",
               n / copy_seconds if copy_seconds else None, "plain COPY of the same rows",
               f">= {TARGET_ROWS_PER_S:g} rows/s", rate >= TARGET_ROWS_PER_S, samples=n,
               details=details),
        Result("import", "XLSX reading alone (openpyxl read-only, shared strings)", read_rate,
               "rows/s", samples=n),
        Result("import", "XLSX reading alone (openpyxl read-only, inline strings)", inline_rate,
               "rows/s", samples=n),
        Result("import", "peak RSS of the import process", peak, "MB",
               rss_before, "RSS before the run",
               "flat (growth after 10 % of rows)", details["rss_mb_growth_after_10pct"] < 50,
               samples=len(samples), details={"growth_after_10pct_mb": details["rss_mb_growth_after_10pct"]}),
    ]
