"""Where physician tasks go and who starts them: the physician herself (lane ``physician``)
and the administration approving her category at the institution (``approving_authority``);
how the applicant of a physician's case is found when it starts."""
from __future__ import annotations

from sqlalchemy import select

from service.access.targets import Target
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import plugins
from service.persons import subjects
from service.physicians.admin_models import ApprovalAuthoritySetting
from service.physicians.models import Physician

# Physicians from regions not yet online may apply before their account is activated; the
# approval then activates it (seed 003 ch.4).
ALLOWED_BEFORE_ACTIVATION = {"physician_registration", "physician_change"}


@plugins.route("physician")
def applicant_physician(case) -> Target:
    """The physician the case is about (she applies, corrects, withdraws)."""
    if case.subject_physician_id is None:
        raise ApiError(422, "该业务没有申请医师")
    return Target("physician", case.subject_physician_id)


@plugins.route("approving_authority")
def approving_authority(case) -> Target:
    """The administration the (target) institution set for the physician's category (审批机关设置);
    without a setting, the institution's issuing authority."""
    physician = case.subject_physician
    category = physician.qualification.category if physician is not None else None
    return authority_for(case.subject_institution, category)


def authority_for(inst, category: str | None) -> Target:
    """The administration approving an institution's physicians of a category (also for telling
    a former institution's authority that a physician moved away)."""
    if inst is None:
        raise ApiError(422, "该业务没有可确定审批机关的医疗机构")
    setting = db.session.scalars(select(ApprovalAuthoritySetting).where(
        ApprovalAuthoritySetting.institution_id == inst.id,
        ApprovalAuthoritySetting.category == category)).first()
    if setting is not None:
        return Target("administration", setting.administration_id)
    return Target("administration", inst.issuing_authority_id)


_may_start = subjects.may_start("physician", ALLOWED_BEFORE_ACTIVATION)


plugins.lane("physician", ("physician",), "医师", "physician", may_start=_may_start)
def identity(physician: Physician) -> list[tuple[str, str]]:
    """How a reviewer and a printed application identify a physician (issue 17 item 7)."""
    q = physician.qualification
    mains = [f"{r.institution.name}（{r.scope}）" for r in physician.registrations
             if r.kind == "main" and r.status == "active"]
    return [*subjects.basic_identity(physician),
            ("医师资格证书编码", q.certificate_number), ("资格类别", q.category_name),
            ("资格级别", q.level_name), ("取得资格年度", str(q.year)),
            ("学历", physician.education or q.education or ""),
            ("毕业院校", physician.school or q.school or ""),
            ("执业证书编码", physician.certificate_number or "尚未注册"),
            ("职称", physician.title or ""), ("主要执业机构", "；".join(mains) or "无")]


subjects.person_kind("physician", Physician, "医师", identity)
