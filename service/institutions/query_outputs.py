"""What the combined query's result becomes: CSV and XLSX downloads, the printable report and
the envelope and label prints (a background batch with its download)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from service.access.models import Account
from service.core.extensions import db
from service.core.paging import QueryError
from service.core.times import utcnow
from service.institutions import mailing
from service.institutions.pages import bp
from service.institutions.queries import InstitutionFilters, count, iterate
from service.printing import render_pdf
from service.printing.labels import LAYOUTS
from service.printing.pdf import pdf_response
from service.registry import codes
from service.web.exports import column_rows, csv_response, xlsx_response

EXPORT_COLUMNS = [
    ("登记号", lambda i: i.registration_number or ""),
    ("机构名称", lambda i: i.name),
    ("类别", lambda i: codes.name(i.category_code, "institution_category")),
    ("经营性质", lambda i: codes.name(i.management_class, "management_class")),
    ("法定代表人", lambda i: i.legal_representative),
    ("地址", lambda i: i.address),
    ("床位", lambda i: i.beds),
    ("诊疗科目", lambda i: "、".join(codes.name(c, "subject") for c in i.subject_codes)),
    ("行政区划", lambda i: i.division_code),
    ("发证机关", lambda i: i.issuing_authority.name),
    ("有效期至", lambda i: i.licence_valid_to.isoformat() if i.licence_valid_to else ""),
    ("下次校验", lambda i: i.verification_due.isoformat() if i.verification_due else ""),
    ("状态", lambda i: i.status_name),
]
# the report omits the long subject list so that a row stays one or two lines
REPORT_COLUMNS = [c for c in EXPORT_COLUMNS if c[0] not in ("诊疗科目", "行政区划")]
REPORT_LIMIT = 2000


def _filters_or_back() -> InstitutionFilters | None:
    try:
        return InstitutionFilters.from_args(request.args)
    except QueryError:
        return None


def _back_to_search():
    """Bad filters: the query page shows them with their Chinese errors."""
    return redirect(url_for("institutions.search", **request.args.to_dict(flat=False)), 303)


def _streamed_rows(flt: InstitutionFilters):
    actor_id = current_user.id

    def rows():
        # Streaming starts after the view's session closed: load the actor in the streaming one.
        return iterate(db.session.get(Account, actor_id), flt)

    return rows


@bp.get("/export.csv")
@login_required
def export():
    flt = _filters_or_back()
    if flt is None:
        return _back_to_search()
    return csv_response("institutions", EXPORT_COLUMNS, _streamed_rows(flt))


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    flt = _filters_or_back()
    if flt is None:
        return _back_to_search()
    rows = _streamed_rows(flt)
    return xlsx_response("institutions", lambda: [
        ("医疗机构", *column_rows(EXPORT_COLUMNS, rows()))])


@bp.get("/report.pdf")
@login_required
def report():
    flt = _filters_or_back()
    if flt is None:
        return _back_to_search()
    total = count(current_user, flt)
    if total > REPORT_LIMIT:
        flash(f"查询结果共 {total} 家，超过报表打印上限 {REPORT_LIMIT} 家：请增加查询条件，"
              "或导出 XLSX。", "error")
        return redirect(url_for("institutions.search", **flt.active()), 303)
    heading, rows = column_rows(REPORT_COLUMNS, iterate(current_user, flt))
    pdf = render_pdf("institution_report.html", authority_name=current_user.organisation_name,
                     printed_at=utcnow(), conditions=flt.described(), total=total,
                     heading=heading, rows=list(rows))
    return pdf_response(pdf, "institution-report.pdf")


@bp.post("/mailings")
@login_required
def start_mailing():
    layout = request.form.get("layout", "")
    if layout not in LAYOUTS or current_user.kind == "institution":
        abort(404)
    try:
        flt = InstitutionFilters.from_args(MultiDict(
            (k, v) for k, v in request.form.items(multi=True) if k not in ("layout", "csrf_token")))
    except QueryError:
        flash("查询条件有误，未生成打印任务。", "error")
        return redirect(url_for("institutions.search"), 303)
    batch = mailing.start(current_user, layout, flt)
    flash(f"已开始生成{batch.layout_name}（共 {batch.total} 个地址），完成后可在此下载。", "success")
    return redirect(url_for("institutions.mailings", batch_id=batch.id), 303)


def _own_batch(batch_id: int) -> mailing.MailingBatch:
    batch = db.session.get(mailing.MailingBatch, batch_id)
    if batch is None or batch.account_id != current_user.id:
        abort(404)
    return batch


@bp.get("/mailings")
@bp.get("/mailings/<int:batch_id>")
@login_required
def mailings(batch_id: int | None = None):
    """The account's recent batches, and one batch with its progress and download."""
    batch = _own_batch(batch_id) if batch_id is not None else None
    return render_template("institutions/mailings.html", batch=batch,
                           batches=mailing.batches_of(current_user))


@bp.get("/mailings/<int:batch_id>.pdf")
@login_required
def mailing_pdf(batch_id: int):
    batch = _own_batch(batch_id)
    path = mailing.path_of(batch)
    if batch.status != "succeeded" or path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{batch.layout}-{batch.id}.pdf", max_age=0)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response

