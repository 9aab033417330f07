"""Actions of an existing institution's businesses: change (I3), suspension and resumption
(I5), cancellation (I6), subject cancellation (I7), licence renewal and replacement (I8) and
rollback (I11). Each writes the record through the ORM (a new version naming the case) and
reissues the licence when a printed item changed."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from service.core.errors import ApiError
from service.core.extensions import db
from service.engine.plugins import ActionContext, action
from service.institutions import licences
from service.institutions.lifecycle_rules import competent_for, county
from service.institutions.models import Institution
from service.institutions.registration_rules import last_application
from service.institutions.staff_filing import raise_filing_tasks
from service.registry.versioning import history

# What the licence prints: a change to any of them reissues it (new QR code, old one void).
PRINTED = ("name", "address", "legal_representative", "principal", "economic_type_code",
           "management_class", "category_code", "subjects", "beds", "dental_chairs",
           "issuing_authority_id", "registration_number", "licence_valid_from", "licence_valid_to")
CHANGE_ITEMS = ("name", "address", "legal_representative", "principal", "economic_type_code",
                "management_class", "level_code", "service_mode", "registered_capital", "beds",
                "dental_chairs", "floor_area", "staff_count", "phone", "fax", "postal_code")
DECIMALS = ("registered_capital", "floor_area")


def locked(ctx: ActionContext) -> Institution:
    return db.session.get(Institution, ctx.case.subject_institution_id, with_for_update=True)


def _value(key: str, value):
    if key in DECIMALS and value is not None:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return value.strip() if isinstance(value, str) else value


def changed_items(inst: Institution, form: dict) -> dict:
    """The registered items the form changes, with their new values."""
    out = {k: _value(k, form[k]) for k in CHANGE_ITEMS
           if form.get(k) not in (None, "") and _value(k, form[k]) != getattr(inst, k)}
    if form.get("subjects") and sorted(form["subjects"]) != inst.subject_codes:
        out["subjects"] = sorted(form["subjects"])
    if form.get("to_division_code") and form["to_division_code"] != inst.division_code:
        out["division_code"] = form["to_division_code"]
    return out


def reissue_if_printed(inst: Institution, ctx: ActionContext, before: dict, reason: str) -> bool:
    after = inst.snapshot()
    if any(before.get(k) != after.get(k) for k in PRINTED) or licences.current(inst.id) is None:
        licences.issue(inst, at=ctx.at, case_id=ctx.case.id, reason=reason,
                       valid_from=inst.licence_valid_from, valid_to=inst.licence_valid_to)
        return True
    return False


@action("apply_institution_change")
def apply_institution_change(ctx: ActionContext) -> str:
    """Change: several items at once; a move or beds beyond powers hand the record over."""
    inst = locked(ctx)
    form = last_application(ctx.case, "submit_application")
    before = inst.snapshot()
    authority = competent_for(inst, form)
    items = changed_items(inst, form)
    if not items:
        raise ApiError(422, "没有需要变更的事项")
    for key, value in items.items():
        if key == "subjects":
            inst.subject_codes = value
        elif key == "division_code":
            inst.set_division(county(value))
        else:
            setattr(inst, key, value)
    inst.issuing_authority_id = authority.id
    reissue_if_printed(inst, ctx, before, "变更登记")
    return "approved"


@action("apply_institution_suspension")
def apply_institution_suspension(ctx: ActionContext) -> dict:
    """Suspension: the record shows 停业; after a year (rebuilding excepted) a closure review."""
    inst = locked(ctx)
    inst.status = "suspended"
    return {"closure_due": (ctx.at + timedelta(days=365)).isoformat(),
            "reason_kind": ctx.data.get("reason_kind")}


@action("suspension_still_running")
def suspension_still_running(ctx: ActionContext) -> bool:
    inst = db.session.get(Institution, ctx.case.subject_institution_id)
    return inst.status == "suspended" and ctx.data.get("reason_kind") != "rebuilding"


@action("close_long_suspension")
def close_long_suspension(ctx: ActionContext) -> str:
    cancel(locked(ctx), ctx, "停业满一年（按歇业）")
    return "cancelled"


@action("apply_institution_resumption")
def apply_institution_resumption(ctx: ActionContext) -> str:
    inst = locked(ctx)
    if inst.status != "suspended":
        raise ApiError(422, "该医疗机构未停业，无需解除停业")
    inst.status = "active"
    return "approved"


def cancel(inst: Institution, ctx: ActionContext, ground: str) -> None:
    """Cancellation (on ``ground``): the record stays, as cancelled; each of its persons
    becomes a filing task of the authority (``staff_filing.py``)."""
    inst.status = "cancelled"
    raise_filing_tasks(inst, ctx, ground)


@action("apply_institution_cancellation")
def apply_institution_cancellation(ctx: ActionContext) -> str:
    form = last_application(ctx.case, "submit_application")
    cancel(locked(ctx), ctx, form.get("ground") or "申请注销")
    return "approved"


@action("apply_subject_cancellation")
def apply_subject_cancellation(ctx: ActionContext) -> str:
    inst = locked(ctx)
    before = inst.snapshot()
    removed = set(last_application(ctx.case, "submit_application").get("subjects") or [])
    inst.subject_codes = [c for c in inst.subject_codes if c not in removed
                          and not any(c.startswith(r + ".") for r in removed)]
    reissue_if_printed(inst, ctx, before, "注销诊疗科目")
    return "approved"


@action("apply_licence_renewal")
def apply_licence_renewal(ctx: ActionContext) -> str:
    """Renewal: a new validity from the day after the old one ends; nothing else changes."""
    licences.renew(locked(ctx), at=ctx.at, case_id=ctx.case.id)
    return "approved"


@action("apply_licence_replacement")
def apply_licence_replacement(ctx: ActionContext) -> str:
    """Replacement of a lost or damaged licence: a new code; the old one verifies as void."""
    inst = locked(ctx)
    licences.issue(inst, at=ctx.at, case_id=ctx.case.id, reason="补（换）发",
                   valid_from=inst.licence_valid_from, valid_to=inst.licence_valid_to)
    return "approved"


RESTORABLE = CHANGE_ITEMS + ("category_code", "status", "division_code", "city_code",
                             "province_code", "issuing_authority_id", "licence_valid_from",
                             "licence_valid_to", "verification_due")


@action("apply_institution_rollback")
def apply_institution_rollback(ctx: ActionContext) -> str:
    """Rollback: the state before the last business, written as a new version."""
    inst = locked(ctx)
    versions = history("institution", inst.id)
    if len(versions) < 2:
        raise ApiError(422, "该医疗机构没有可回退的业务")
    before, undone = inst.snapshot(), versions[-1]
    data = versions[-2].data
    for key in RESTORABLE:
        if key in data:
            setattr(inst, key, _restored(key, data[key]))
    inst.subject_codes = data.get("subjects") or []
    reissue_if_printed(inst, ctx, before, "业务回退")
    ctx.data["undone"] = {"version": undone.version, "case_id": undone.case_id,
                          "reason": undone.reason}
    return "approved"


def _restored(key: str, value):
    if value is None:
        return None
    if key in DECIMALS:
        return Decimal(str(value))
    if key.startswith("licence_valid") or key == "verification_due":
        return date.fromisoformat(value)
    return value


