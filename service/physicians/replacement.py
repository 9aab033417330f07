"""证书补办 (seed 003 ch.2): a physician whose certificate was lost or damaged applies for a
replacement; her main institution confirms, the approving authority approves, and the new
certificate keeps the lifelong number with a replacement mark (补发)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from service.access.targets import Target, notify
from service.core.extensions import UTCDateTime, db
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.physicians.models import Physician, PracticeRegistration
from service.physicians.rules import (
    Reasons,
    _declined,
    _no_duplicate,
    _physician_required,
    local_today,
    registrations,
)

PROCESS = "physician_certificate_replacement"
LOSS_KINDS = {"lost": "遗失", "damaged": "损毁"}


class CertificateReplacement(db.Model):
    """A replacement certificate issued for a main registration (same lifelong number)."""

    __tablename__ = "certificate_replacement"
    id: Mapped[int] = mapped_column(primary_key=True)
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("practice_registration.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    loss_kind: Mapped[str] = mapped_column(String(8))
    replaced_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def latest_replacement(reg: PracticeRegistration) -> CertificateReplacement | None:
    """The newest replacement of the registration's certificate, if any."""
    return db.session.scalar(select(CertificateReplacement).where(
        CertificateReplacement.registration_id == reg.id)
        .order_by(CertificateReplacement.id.desc()).limit(1))


def _main_at(physician: Physician, institution_id: int) -> PracticeRegistration | None:
    return next(iter(registrations(physician, "active", kind="main",
                                   institution_id=institution_id)), None)


@check(PROCESS)
def replacement_rules(ctx: CheckContext) -> dict[str, list[str]]:
    """Only a registered physician, through the main institution her certificate names."""
    reasons = Reasons(ctx)
    if _declined(ctx) or not _physician_required(ctx, reasons):
        return reasons
    _no_duplicate(ctx, reasons)
    physician = ctx.person
    if not physician.certificate_number:
        reasons.add("_form", "您尚未取得《医师执业证书》，无需补办")
    elif _main_at(physician, ctx.institution.id) is None:
        reasons.add("_form", "证书补办须向您的主要执业机构申请")
    lost_on = ctx.data.get("lost_on") if ctx.stage == "apply" else None
    if lost_on and date.fromisoformat(lost_on) > local_today():
        reasons.add("lost_on", "日期不能晚于今天")
    return reasons


@action(PROCESS)
def replace_certificate(ctx: ActionContext) -> str:
    """The replacement is recorded; the certificate now prints with the 补发 mark."""
    physician = db.session.get(Physician, ctx.case.subject_physician_id, with_for_update=True)
    reg = _main_at(physician, ctx.case.subject_institution_id)
    if reg is None:
        notify(Target("physician", physician.id), "证书补办未办理", "您在该机构已无有效的执业注册。")
        return "refused"
    db.session.add(CertificateReplacement(
        physician_id=physician.id, registration_id=reg.id, case_id=ctx.case.id,
        loss_kind=ctx.data["loss_kind"], replaced_on=local_today(ctx.at), created_at=ctx.at))
    notify(Target("physician", physician.id), "证书补办已批准",
           f"您的《医师执业证书》（编码 {physician.certificate_number}）已准予补发，可在执业信息中"
           "打印补发的证书，原证书作废。")
    return "approved"
