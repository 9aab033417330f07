"""Print-outs of practice registration (I2): the missing-documents notice (补正材料通知书) and
the licence 正本 / 副本 with the QR code of its public verify page."""
from __future__ import annotations

from flask import Response, abort, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import common as casework
from service.casework.cases import bp
from service.core.extensions import db
from service.core.times import utcnow
from service.engine import events, plugins
from service.engine.models import Case, CaseEvent
from service.engine.visibility import may_print
from service.institutions.esign import sign_licence
from service.institutions.licences import Licence, current
from service.institutions.models import FIELD_LABELS, Institution
from service.institutions.verification_records import VerificationRecord
from service.printing import render_pdf
from service.registry import codes
from service.registry.reference import Administration
from service.registry.versioning import history
from service.signing import qr_png_data_uri

COPIES = {"original": "正本", "duplicate": "副本"}


def verify_url(code: str) -> str:
    return url_for("licences.verify_page", code=code, _external=True)


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.cache_control.private = True
    return response


def _changes(inst: Institution) -> list[dict]:
    """The registered items each later business changed, for the 副本's change records."""
    rows = []
    for version in history("institution", inst.id)[1:]:
        labels = [FIELD_LABELS.get(f, f) for f in version.changed
                  if f not in ("verification_due", "version")]
        if labels:
            rows.append({"at": version.valid_from, "reason": version.reason, "items": "、".join(labels)})
    return rows


def render_licence(inst: Institution, licence: Licence, copy: str = "original", *,
                   sign: bool = True) -> bytes:
    """The licence as PDF: the current registered items, the QR code to its verify page,
    signed by the issuing administration (PAdES)."""
    records = [] if copy == "original" else list(db.session.scalars(
        select(VerificationRecord).where(VerificationRecord.institution_id == inst.id)
        .order_by(VerificationRecord.decided_at)))
    url = verify_url(licence.verify_code)
    issuer = db.session.get(Administration, licence.issued_by_id)
    pdf = render_pdf(
        "licence.html", institution=inst, licence=licence, copy=copy, copy_name=COPIES[copy],
        category_name=codes.name(inst.category_code, "institution_category"),
        economic_type_name=codes.name(inst.economic_type_code, "economic_type"),
        management_class_name=codes.name(inst.management_class, "management_class"),
        subjects=[codes.name(c, "subject") for c in inst.subject_codes],
        authority_name=issuer.name,
        issued_on=licence.issued_at, printed_at=utcnow(), qr=qr_png_data_uri(url),
        verify_url=url, verification_records=records,
        changes=[] if copy == "original" else _changes(inst),
    )
    return sign_licence(pdf, issuer) if sign else pdf


def _notice_event(case: Case, history_: list[CaseEvent]) -> CaseEvent | None:
    if case.process_id not in ("institution_registration", "institution_setup"):
        return None
    for event in reversed(history_):
        if event.type == "task_completed" and event.task == "acceptance" \
                and (event.data.get("form") or {}).get("decision") == "missing":
            return event
    return None


@plugins.printout
def registration_printouts(actor, case: Case, history_: list[CaseEvent]) -> list[plugins.Printout]:
    if not may_print(actor, case):
        return []
    out = []
    if _notice_event(case, history_) is not None:
        out.append(plugins.Printout("打印补正材料通知书", url_for("cases.missing_documents", case_id=case.id),
                                    f"补正材料通知书-{case.id}.pdf"))
    if case.outcome == "approved" and case.subject_institution_id and \
            case.process_id == "institution_registration":
        for copy, name in COPIES.items():
            out.append(plugins.Printout(
                f"打印《医疗机构执业许可证》{name}",
                url_for("institutions.licence_pdf", institution_id=case.subject_institution_id, copy=copy),
                f"医疗机构执业许可证{name}.pdf"))
    return out


@bp.get("/<int:case_id>/prints/missing-documents.pdf")
@login_required
def missing_documents(case_id: int):
    case = casework.readable_case(current_user, case_id)
    history_ = events.events_of(case.id)
    event = _notice_event(case, history_)
    if event is None or not may_print(current_user, case):
        abort(404)
    entered = casework.latest_submission(history_, {"enter_application"}, before_seq=event.seq)
    form = entered.data.get("form") if entered else {}
    authority = db_authority(case.division_code)
    pdf = render_pdf(
        "missing_documents_notice.html", case=case, application=form or {},
        missing=(event.data.get("form") or {}).get("missing_documents") or [],
        comment=(event.data.get("form") or {}).get("comment"), notified_at=event.at,
        authority_name=authority.name if authority else "", printed_at=utcnow())
    return pdf_response(pdf, f"missing-documents-{case.id}.pdf")


def db_authority(division_code: str | None) -> Administration | None:
    return db.session.scalar(select(Administration).where(
        Administration.division_code == division_code))


def licence_of(inst: Institution) -> Licence:
    licence = current(inst.id)
    if licence is None:
        abort(404)
    return licence
