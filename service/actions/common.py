"""Routing rules and actions every process can use."""
from __future__ import annotations

from ..errors import ApiError
from . import ActionContext, Target, route


@route("institution")
def subject_institution(case) -> Target:
    """The institution the case is about (it applies, corrects, prints)."""
    return Target("institution", case.subject_institution_id)


@route("bureau")
def issuing_authority(case) -> Target:
    """The administration that issued the subject institution's licence."""
    inst = case.subject_institution
    if inst is None:
        raise ApiError(422, "该业务没有可确定发证机关的医疗机构")
    return Target("administration", inst.issuing_authority_id)


def notify_organisation(ctx: ActionContext, target: Target, subject: str, body: str) -> None:
    """An in-app message to every enabled account of an organisation."""
    from sqlalchemy import select

    from ..access.models import Account
    from ..extensions import db
    from ..notify import outbox

    column = Account.administration_id if target.kind == "administration" else Account.institution_id
    for account_id in db.session.scalars(
        select(Account.id).where(column == target.id, Account.is_enabled.is_(True))
    ):
        outbox.queue("inbox", subject, body, account_id=account_id)
