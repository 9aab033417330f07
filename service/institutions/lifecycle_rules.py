"""Who applies and what may start for an existing institution's businesses (I3, I5–I8, I11):
the applicant side (the institution online, or the counter), the rules answered at once, and
the competent authority of a change beyond the issuing authority's powers."""
from __future__ import annotations

import functools

from sqlalchemy import String, cast, func, select

from service.access.targets import Target
from service.core.extensions import db
from service.core.times import SHANGHAI, utcnow
from service.engine import plugins
from service.engine.models import Case
from service.engine.plugins import CheckContext, check
from service.institutions.models import Institution
from service.institutions.routes import NEW_INSTITUTION_PROCESSES, division_authority
from service.registry.reference import Administration, Division
from service.registry.seeding import SEED_DIR, rows
from service.registry.versioning import history

# Processes a suspended institution may still start (and the authority's own corrections).
WHILE_SUSPENDED = {"institution_resumption", "institution_cancellation", "institution_rollback",
                   "institution_transfer"}
RENEWAL_LEAD_DAYS = 30  # Administrative Licensing Law art. 50


@plugins.route("applicant")
def applicant_side(case) -> Target:
    """Who applied online — the institution, or the applicant account of an institution not
    yet registered — else the counter of the administration that handles the case."""
    if case.started_by.kind == "institution":
        return Target("institution", case.subject_institution_id)
    if case.started_by.kind == "applicant":
        return Target("applicant", case.started_by_id)
    return division_authority(case)


plugins.lane("applicant", ("inst_admin", "inst_clerk", "bureau_clerk", "applicant"),
             "申请人（医疗机构、申请人或窗口）", "applicant",
             # an applicant account starts the businesses of an institution not yet registered
             may_start=lambda actor, definition, inst: (
                 actor.kind == "applicant" and inst.id is None
                 and definition.process_id in NEW_INSTITUTION_PROCESSES))


def _open_case(process_id: str, institution_id: int) -> str | None:
    """The business number of the institution's open case of this process, if any."""
    return db.session.scalar(select(func.coalesce(Case.business_number, cast(Case.id, String))).where(
        Case.subject_institution_id == institution_id, Case.process_id == process_id,
        Case.status == "open").limit(1))


@check("institution_in_practice")
def institution_in_practice(ctx: CheckContext) -> dict[str, list[str]]:
    """A cancelled institution accepts nothing; a suspended one only resumption or
    cancellation (annual verification runs it first in its own start check)."""
    if ctx.institution.status == "cancelled":
        return {"subject": ["该医疗机构已注销，不能再办理业务"]}
    if ctx.institution.status == "suspended" and ctx.process_id not in WHILE_SUSPENDED:
        return {"subject": ["该医疗机构停业中，只能办理解除停业或注销"]}
    return {}


@check("lifecycle_start")
def lifecycle_start(ctx: CheckContext) -> dict[str, list[str]]:
    """The practice rules above, and one open business of a kind per institution."""
    inst, pid = ctx.institution, ctx.process_id
    refused = institution_in_practice(ctx)
    if refused:
        return refused
    if pid == "institution_resumption" and inst.status != "suspended":
        return {"subject": ["该医疗机构未停业，无需解除停业"]}
    running = _open_case(pid, inst.id)
    if running is not None:
        return {"subject": [f"该医疗机构已有办理中的同类业务（业务编号 {running}），请勿重复申请"]}
    if pid == "institution_rollback" and len(history("institution", inst.id)) < 2:
        return {"subject": ["该医疗机构没有可回退的业务"]}
    if pid == "licence_renewal":
        return renewal_timing(inst)
    return {}


def renewal_timing(inst: Institution) -> dict[str, list[str]]:
    """Renewal is applied for at least 30 days before the licence expires."""
    if inst.licence_valid_to is None:
        return {"subject": ["该医疗机构没有登记许可证有效期"]}
    left = (inst.licence_valid_to - utcnow().astimezone(SHANGHAI).date()).days
    if left < RENEWAL_LEAD_DAYS:
        return {"subject": [f"应当在许可证有效期届满 {RENEWAL_LEAD_DAYS} 日前申请延续（剩余 {max(left, 0)} 日），"
                            "请按规定重新申请执业登记"]}
    return {}


@functools.cache
def _competence() -> dict[tuple[str, str], int | None]:
    return {(r["province_code"], r["authority_level"]): int(r["max_beds"]) if r["max_beds"] else None
            for r in rows(SEED_DIR / "change_competence.csv")}


def max_beds(province_code: str, level: str) -> int | None:
    """Beds an authority of ``level`` may license (``seed/change_competence.csv``) [check]."""
    table = _competence()
    return table.get((province_code, level), table.get(("*", level)))


def _parent(admin: Administration) -> Administration | None:
    """The next administration up (a municipality's districts answer to the province)."""
    code = admin.division_code
    ups = [code[:4] + "00", code[:2] + "0000"] if admin.level == "county" else [code[:2] + "0000"]
    for up in ups:
        found = db.session.scalar(select(Administration).where(Administration.division_code == up))
        if found is not None and found.id != admin.id:
            return found
    return None


def competent_for(inst: Institution, form: dict) -> Administration:
    """Who decides a change: the division moved to, an upper level for beds beyond the
    issuing authority's powers, else the issuing authority."""
    admin = db.session.get(Administration, inst.issuing_authority_id)
    target = form.get("to_division_code")
    if target and target != inst.division_code:
        moved = db.session.scalar(select(Administration).where(Administration.division_code == target))
        if moved is not None:
            admin = moved
    beds = form.get("beds")
    while beds is not None:
        limit = max_beds(inst.province_code, admin.level)
        upper = None if limit is None or beds <= limit else _parent(admin)
        if upper is None:
            break
        admin = upper
    return admin


@plugins.route("competent_authority")
def competent_authority(case) -> Target:
    inst = db.session.get(Institution, case.subject_institution_id)
    return Target("administration", competent_for(inst, case.routing_data).id)


def county(code: str | None) -> Division | None:
    division = db.session.get(Division, code) if code else None
    return division if division is not None and division.level == "county" else None
