"""Actions of practice registration (I2): the missing-documents notice, acceptance, and the
approval that creates the institution (its original registration, version 1), its licence and
its account."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from service.access.accounts import AccountError, find_by_username, issue_account
from service.access.targets import Target, notify
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_phone
from service.core.times import SHANGHAI, add_years
from service.engine.plugins import ActionContext, action, prefill
from service.institutions import licences
from service.institutions.models import Institution, registration_number
from service.institutions.registration_rules import application_problems, last_application
from service.institutions.verification_records import period_years
from service.registry.reference import Administration, Division
from service.registry.validation import normalise_uscc

INSTITUTION_ACCOUNT_ROLES = ["inst_admin", "inst_clerk"]


@action("missing_documents_notice")
def missing_documents_notice(ctx: ActionContext, missing_documents: list) -> dict:
    """One notice listing every missing document (Licensing Law art. 32); printable."""
    return {"issued_at": ctx.at.isoformat(), "items": len(missing_documents or [])}


@action("accept_application")
def accept_application(ctx: ActionContext) -> str:
    """Acceptance: the statutory limit runs from here (not while documents were missing)."""
    return ctx.at.isoformat()


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.01"))


def build_institution(form: dict, division: Division, authority: Administration) -> Institution:
    """An institution from the registered items of the application."""
    inst = Institution(
        name=form["name"].strip(), uscc=normalise_uscc(form["uscc"]),
        category_code=form["category_code"], economic_type_code=form["economic_type_code"],
        management_class=form["management_class"], level_code=form.get("level_code") or None,
        address=form["address"].strip(), postal_code=form.get("postal_code") or None,
        phone=form.get("phone") or None, fax=form.get("fax") or None,
        legal_representative=form["legal_representative"].strip(),
        principal=(form.get("principal") or "").strip() or None,
        registered_capital=_decimal(form.get("registered_capital")),
        service_mode=form.get("service_mode") or None, beds=int(form.get("beds") or 0),
        dental_chairs=int(form.get("dental_chairs") or 0), floor_area=_decimal(form.get("floor_area")),
        staff_count=form.get("staff_count"), service_population=form.get("service_population"),
        issuing_authority_id=authority.id, status="active",
    )
    inst.set_division(division)
    inst.subject_codes = [str(s) for s in form.get("subjects") or []]
    inst.registration_number = registration_number(inst)
    return inst


def _account_username(inst: Institution) -> str:
    base = f"jg{inst.uscc.lower()}"
    return base if find_by_username(base) is None else f"{base}{inst.id}"


@action("register_institution")
def register_institution(ctx: ActionContext) -> str:
    """Approval: the record (kept as the original registration) and its account; the
    e-licence follows the national registry's acknowledgement (``release_licence``)."""
    case = ctx.case
    form = last_application(case)
    problems = application_problems(form, division_code=case.division_code)
    if problems:  # the registry changed since the approver's check: nothing is written
        raise ApiError(422, "；".join(m for ms in problems.values() for m in ms), fields=problems)
    division = db.session.get(Division, case.division_code)
    authority = db.session.scalar(select(Administration).where(
        Administration.division_code == case.division_code))
    inst = build_institution(form, division, authority)
    start = ctx.at.astimezone(SHANGHAI).date()
    inst.licence_valid_from = start
    years = licences.validity_years(inst.province_code, inst.beds)
    inst.licence_valid_to = add_years(start, years) - timedelta(days=1)
    inst.verification_due = add_years(start, period_years(inst))
    db.session.add(inst)
    db.session.flush()
    case.subject_institution_id = inst.id
    case.title = f"医疗机构执业登记：{inst.name}"
    open_institution_account(ctx.actor, case, inst, form["contact_phone"])
    return "approved"


def open_institution_account(actor, case, inst: Institution, phone: str) -> None:
    """The new institution's account (its initial password by SMS to ``phone``); an applicant
    who applied online is told in her own account, where the case now links to it."""
    try:
        issued = issue_account(actor, username=_account_username(inst), display_name=inst.name,
                               phone=phone, email=None, roles=INSTITUTION_ACCOUNT_ROLES,
                               institution_id=inst.id)
    except AccountError as exc:
        raise ApiError(422, "机构账户无法开通：" + str(exc), fields=exc.fields) from None
    if case.started_by.kind == "applicant":
        notify(Target("applicant", case.started_by_id), f"{case.deployed.name}已办结",
               f"{inst.name}已{'备案' if inst.is_filed_clinic else '登记'}，机构账户 "
               f"{issued.account.username} 已开通，初始密码已通过短信发送至 {mask_phone(phone)}。"
               f"业务编号 {case.number}。")


@action("release_licence")
def release_licence(ctx: ActionContext) -> int:
    """After the national registry acknowledged the registration (``national_ack``): the
    e-licence of the registered institution."""
    inst = db.session.get(Institution, ctx.case.subject_institution_id)
    return licences.issue(inst, at=ctx.at, case_id=ctx.case.id, reason="执业登记").id


@prefill("registration_application")
def registration_application(case, last: dict | None) -> dict:
    """The application as last entered (a returned one comes back as it was), or a blank one."""
    return last or {"beds": 0, "dental_chairs": 0, "subjects": []}
