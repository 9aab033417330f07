"""Routing rules and actions every process can use."""
from __future__ import annotations

from ..errors import ApiError
from . import Target, route


@route("institution")
def subject_institution(case) -> Target:
    """The institution the case is about (it applies, corrects, prints)."""
    return Target("institution", case.subject_institution_id)


@route("bureau")
def issuing_authority(case) -> Target:
    """The administration that issued the subject institution's licence."""
    from sqlalchemy.orm import lazyload, load_only

    from ..extensions import db
    from ..registry.institutions import Institution

    # a step has it in the session already (loaded with the work item); else only what is needed
    inst = None if case.subject_institution_id is None else db.session.get(
        Institution, case.subject_institution_id,
        options=[load_only(Institution.issuing_authority_id), lazyload(Institution.subjects)])
    if inst is None:
        raise ApiError(422, "该业务没有可确定发证机关的医疗机构")
    return Target("administration", inst.issuing_authority_id)


@route("physician")
def applicant_physician(case) -> Target:
    """The physician the case is about (she applies, corrects, withdraws)."""
    if case.subject_physician_id is None:
        raise ApiError(422, "该业务没有申请医师")
    return Target("physician", case.subject_physician_id)


@route("approving_authority")
def approving_authority(case) -> Target:
    """The administration the (target) institution set for the physician's category (审批机关设置);
    without a setting, the institution's issuing authority."""
    physician = case.subject_physician
    category = physician.qualification.category if physician is not None else None
    return authority_for(case.subject_institution, category)


def authority_for(inst, category: str | None) -> Target:
    """The administration approving an institution's physicians of a category (also for telling
    a former institution's authority that a physician moved away)."""
    from sqlalchemy import select

    from ..extensions import db
    from ..registry.physician_admin import ApprovalAuthoritySetting

    if inst is None:
        raise ApiError(422, "该业务没有可确定审批机关的医疗机构")
    setting = db.session.scalars(select(ApprovalAuthoritySetting).where(
        ApprovalAuthoritySetting.institution_id == inst.id,
        ApprovalAuthoritySetting.category == category)).first()
    if setting is not None:
        return Target("administration", setting.administration_id)
    return Target("administration", inst.issuing_authority_id)


def notify(target: Target, subject: str, body: str) -> None:
    """An in-app message to every enabled account of an organisation or a person."""
    from sqlalchemy import select

    from ..access.models import Account
    from ..extensions import db
    from ..notify import outbox

    column = {"administration": Account.administration_id, "institution": Account.institution_id,
              "physician": Account.physician_id}[target.kind]
    for account_id in db.session.scalars(
        select(Account.id).where(column == target.id, Account.is_enabled.is_(True))
    ):
        outbox.queue("inbox", subject, body, account_id=account_id)
