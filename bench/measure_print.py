"""Licence and notice PDFs: ms per document, and a batch on a dramatiq worker.

Figures: ``render_pdf("licence.html")`` (《医疗机构执业许可证》 original, A4 landscape) and
``render_pdf("verification_notice.html")`` for real institutions. Floor: xhtml2pdf alone on a
one-line page with the same CJK font. Batch: ``pdf_batch`` messages (licences and notices
alternately, one institution each) on the app's broker, consumed by a dramatiq worker in this
process; every PDF is written to a temporary directory. Its floor is the batch's documents at
the single-document p50.
"""
from __future__ import annotations

import io
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import dramatiq
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from xhtml2pdf import default as pisa_default
from xhtml2pdf import pisa

from service.core.extensions import db
from service.institutions.face import Institution
from service.jobs import broker
from service.printing import pdf as printing
from service.printing import render_pdf
from service.registry import codes

from . import cases
from .context import Context
from .report import Result, percentile

TARGET_MS = 300.0
QUEUE = "bench_prints"
MINIMAL = ('<html><head><meta charset="utf-8"><style>body { font-family: cjk; }</style>'
           "</head><body><p>医疗机构执业许可证</p></body></html>")
_out_dir: Path | None = None
_printed: list[tuple[str, float]] = []  # file name, time written (perf_counter)


def licence_context(institution: Institution) -> dict:
    subjects = [codes.name(code, "subject") for code in institution.subject_codes]
    return {
        "institution": institution, "category_name": codes.name(institution.category_code,
                                                                "institution_category"),
        "economic_type_name": codes.name(institution.economic_type_code, "economic_type"),
        "management_class_name": codes.name(institution.management_class, "management_class"),
        "subjects": subjects, "authority_name": institution.issuing_authority.name,
        "issued_on": institution.licence_valid_from or date(2024, 1, 1),
        "printed_at": datetime.now(UTC),
    }


def notice_context(institution: Institution, case_id: int) -> dict:
    return {
        "institution": institution, "authority": institution.issuing_authority,
        "business_number": f"京朝卫校〔2025〕{case_id:04d}",
        "approved_at": datetime(2025, 6, 3, 8, 30, tzinfo=UTC), "renewal": case_id % 2 == 0,
        "printed_at": datetime.now(UTC),
    }


def render(kind: str, institution: Institution, case_id: int = 1) -> bytes:
    if kind == "licence":
        return render_pdf("licence.html", **licence_context(institution))
    return render_pdf("verification_notice.html", **notice_context(institution, case_id))


@dramatiq.actor(queue_name=QUEUE, max_retries=0)
def print_document(kind: str, institution_id: int) -> None:
    """Render one licence or notice and store it (the batch's unit of work)."""
    institution = db.session.get(Institution, institution_id)
    pdf = render(kind, institution, institution_id)
    if _out_dir is not None:
        path = _out_dir / f"{kind}-{institution_id}-{len(_printed)}.pdf"
        path.write_bytes(pdf)
        _printed.append((path.name, time.perf_counter()))


def minimal_pdf() -> bytes:
    out = io.BytesIO()
    with printing._render_lock:
        pisa_default.DEFAULT_FONT[printing.FAMILY] = printing.cjk_font()
        pisa.CreatePDF(MINIMAL, dest=out, encoding="utf-8")
    return out.getvalue()


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.pdf_samples
    timings: dict[str, list[float]] = {"licence": [], "notice": [], "floor": []}
    with ctx.app.app_context():
        institution = cases.institution(cases.Actors.demo())
        pages = len(PdfReader(io.BytesIO(render("licence", institution))).pages)
        render("notice", institution)
        minimal_pdf()
        with ctx.profiled("print"):
            for k in range(n):
                for kind in ("licence", "notice", "floor"):
                    started = time.perf_counter()
                    pdf = minimal_pdf() if kind == "floor" else render(kind, institution, k + 1)
                    timings[kind].append(time.perf_counter() - started)
                    if not pdf.startswith(b"%PDF-"):
                        raise RuntimeError(f"{kind} did not render a PDF")
        db.session.remove()
    results = []
    for kind, label in (("licence", "licence PDF"), ("notice", "notice PDF")):
        for q in (50, 95):
            value = percentile(timings[kind], q) * 1000
            target = kind == "licence" and q == 95
            results.append(Result(
                "print", f"{label} p{q}", value, "ms", percentile(timings["floor"], q) * 1000,
                f"xhtml2pdf one-line page p{q}", f"< {TARGET_MS:g} ms" if target else "",
                value < TARGET_MS if target else None, samples=n,
                details={"licence_pages": pages} if kind == "licence" else {}))
    per_doc = (percentile(timings["licence"], 50) + percentile(timings["notice"], 50)) / 2
    results.append(_batch(ctx.app, ctx.scale.pdf_batch, per_doc))
    return results


def _batch(app: Flask, count: int, per_doc: float) -> Result:
    global _out_dir
    with app.app_context():
        ids = list(db.session.scalars(select(Institution.id).order_by(Institution.id.desc())
                                      .limit(count)))
        db.session.remove()
    ids = (ids * (count // max(len(ids), 1) + 1))[:count]
    _printed.clear()
    with tempfile.TemporaryDirectory(prefix="bench-prints-") as out:
        _out_dir = Path(out)
        worker = dramatiq.Worker(broker, queues={QUEUE}, worker_threads=1, worker_timeout=100)
        started = time.perf_counter()
        for n, institution_id in enumerate(ids):
            print_document.send("licence" if n % 2 == 0 else "notice", institution_id)
        worker.start()
        try:
            broker.join(QUEUE, timeout=int(max(60, count * 5) * 1000))
        finally:
            worker.stop()
        # from the first message sent to the last PDF written (not the worker's shutdown)
        elapsed = max(at for _, at in _printed) - started if _printed else 0.0
        written = len(list(Path(out).glob("*.pdf")))
        _out_dir = None
    if written != count:
        raise RuntimeError(f"batch wrote {written} of {count} PDFs")
    return Result("print", f"batch of {count:,} on a dramatiq worker (1 thread)",
                  elapsed / count * 1000, "ms/doc", per_doc * 1000, "single render p50",
                  samples=count, details={"seconds": round(elapsed, 2),
                                          "docs_per_second": round(count / elapsed, 2),
                                          "files_written": written})
