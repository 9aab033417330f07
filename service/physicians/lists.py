"""The institution's physician lists (核对本院医师信息, seed 003 ch.3 §6), shared by the pages,
the CSV export and the API.

Four lists, one row per practice registration:
- ``main``: physicians whose main institution (主要执业机构) is this one;
- ``filed_elsewhere``: those physicians' filings at other institutions (本院医师在其他机构备案);
- ``filed_here``: other institutions' physicians filed here (其他机构医师在本院备案);
- ``not_in_register``: registrations here that are filed (注册备案) or have ended.

Institution names are read through the registration at query time: a renamed institution shows
its current name everywhere, nothing is copied.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased, selectinload

from service.access.models import Account
from service.access.policy import READ, scope
from service.core.extensions import db
from service.core.paging import MAX_LIMIT, QueryError, after_cursor, encode_key
from service.core.params import to_id
from service.core.times import SHANGHAI
from service.institutions.face import Department, Institution
from service.physicians.admin_models import PhysicianDepartment
from service.physicians.models import (
    PHYSICIAN_CATEGORIES,
    REGISTRATION_STATUSES,
    Physician,
    PracticeRegistration,
)

LISTS = {
    "main": "主要执业机构为本院的医师",
    "filed_elsewhere": "本院医师在其他机构备案",
    "filed_here": "其他机构医师在本院备案",
    "not_in_register": "注册备案及不在册医师",
}
FILING_KINDS = ("multi_site", "legacy_multi_location")
ACCOUNT_STATES = {"none": "尚未注册账户", "pending": "未激活", "active": "已激活",
                  "disabled": "已停用"}
# The listed registration under its own name: the jurisdiction rule correlates an EXISTS on
# practice_registration with the physician, which must not capture the list's own rows.
LISTED = aliased(PracticeRegistration, name="listed")


@dataclass
class RosterFilters:
    name: str = ""
    category: str = ""
    status: str = ""
    department: int | None = None

    @classmethod
    def from_args(cls, args) -> RosterFilters:
        """Read filters from request arguments; unusable values give Chinese field errors."""
        errors: dict[str, list[str]] = {}
        name = (args.get("name") or "").strip()
        if len(name) > 40:
            errors["name"] = ["姓名过长"]
        category = (args.get("category") or "").strip()
        if category and category not in PHYSICIAN_CATEGORIES:
            errors["category"] = ["医师类别应为 1 临床、2 口腔、3 公共卫生、4 中医"]
        status = (args.get("status") or "").strip()
        if status and status not in REGISTRATION_STATUSES:
            errors["status"] = ["没有该注册状态"]
        raw = (args.get("department") or "").strip()
        department = None
        if raw:
            department = to_id(raw)
            if department is None:
                errors["department"] = ["请选择科室"]
        if errors:
            raise QueryError(errors)
        return cls(name, category, status, department)

    def active(self) -> dict[str, str]:
        """The query-string form of the filters that are set (for links and the pager)."""
        out = {"name": self.name, "category": self.category, "status": self.status,
               "department": str(self.department) if self.department else ""}
        return {k: v for k, v in out.items() if v}


@dataclass
class RosterRow:
    registration: PracticeRegistration
    physician: Physician
    department: Department | None = None
    account_state: str = "none"
    # filed_elsewhere: the institution of the filing; filed_here: the physician's main one
    other_institution: Institution | None = None

    @property
    def age(self) -> int:
        today = datetime.now(SHANGHAI).date()
        born: date = self.physician.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def account_state_name(self) -> str:
        return ACCOUNT_STATES[self.account_state]


def _base(actor: Account, kind: str, inst: Institution) -> Select:
    reg = LISTED
    stmt = select(reg, Physician).join(Physician, Physician.id == reg.physician_id) \
        .where(scope(actor, READ, Physician))
    if kind == "main":
        return stmt.where(reg.institution_id == inst.id, reg.kind == "main", reg.status == "active")
    if kind == "filed_here":
        return stmt.where(reg.institution_id == inst.id, reg.kind.in_(FILING_KINDS),
                          reg.status == "active")
    if kind == "filed_elsewhere":
        ours = aliased(PracticeRegistration)
        return stmt.where(reg.institution_id != inst.id, reg.kind.in_(FILING_KINDS),
                          reg.status == "active", exists().where(
                              ours.physician_id == reg.physician_id, ours.institution_id == inst.id,
                              ours.kind == "main", ours.status == "active"))
    if kind == "not_in_register":
        return stmt.where(reg.institution_id == inst.id, reg.status != "active")
    raise QueryError({"list": ["没有该名单"]})


def roster_query(actor: Account, inst: Institution, kind: str, flt: RosterFilters) -> Select:
    """One list's rows (registration, physician) in the actor's scope, by name then id."""
    reg = LISTED
    stmt = _base(actor, kind, inst)
    if flt.name:
        stmt = stmt.where(Physician.name.contains(flt.name, autoescape=True))
    if flt.category:
        stmt = stmt.where(reg.category == flt.category)
    if flt.status:
        stmt = stmt.where(reg.status == flt.status)
    if flt.department:
        stmt = stmt.where(exists().where(
            PhysicianDepartment.physician_id == reg.physician_id,
            PhysicianDepartment.institution_id == inst.id,
            PhysicianDepartment.department_id == flt.department))
    return stmt.order_by(Physician.name, reg.id)


def roster_page(actor: Account, inst: Institution, kind: str, flt: RosterFilters,
                limit: int = 50, cursor: str | None = None) -> tuple[list[RosterRow], str | None]:
    """One keyset page of a list: no OFFSET scans, stable while registrations change."""
    if kind not in LISTS:
        raise QueryError({"list": ["没有该名单"]})
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = roster_query(actor, inst, kind, flt)
    if cursor:
        stmt = after_cursor(stmt, Physician.name, LISTED.id, cursor)
    if kind == "filed_elsewhere":  # each row shows the filing's institution
        stmt = stmt.options(selectinload(LISTED.institution))
    found = list(db.session.execute(stmt.limit(limit + 1)).all())
    more = len(found) > limit
    rows = [RosterRow(reg, physician) for reg, physician in found[:limit]]
    _decorate(inst, kind, rows)
    last = rows[-1] if more else None
    return rows, (encode_key(last.physician.name, last.registration.id) if last else None)


def iterate_roster(actor: Account, inst: Institution, kind: str,
                   flt: RosterFilters) -> Iterator[RosterRow]:
    """Every row of a list, page by page (for exports)."""
    cursor = None
    while True:
        rows, cursor = roster_page(actor, inst, kind, flt, MAX_LIMIT, cursor)
        yield from rows
        if cursor is None:
            return


def account_states(physician_ids: list[int]) -> dict[int, str]:
    """Each physician's account state; an enabled account wins over a disabled one."""
    states: dict[int, str] = {}
    rank = {"none": 0, "disabled": 1, "pending": 2, "active": 3}
    for pid, enabled, activated in db.session.execute(
            select(Account.physician_id, Account.is_enabled, Account.activated_at).where(
                Account.physician_id.in_(physician_ids), Account.kind == "physician")):
        state = "disabled" if not enabled else "active" if activated else "pending"
        if rank[state] > rank[states.get(pid, "none")]:
            states[pid] = state
    return states


def _decorate(inst: Institution, kind: str, rows: list[RosterRow]) -> None:
    """Department, account state and (filed here) main registration of a page's physicians."""
    ids = list({r.physician.id for r in rows})
    if not ids:
        return
    depts = {pid: dept for pid, dept in db.session.execute(
        select(PhysicianDepartment.physician_id, Department).join(
            Department, Department.id == PhysicianDepartment.department_id).where(
            PhysicianDepartment.institution_id == inst.id,
            PhysicianDepartment.physician_id.in_(ids)))}
    states = account_states(ids)
    mains: dict[int, Institution] = {}
    if kind == "filed_here":
        mains = {r.physician_id: r.institution for r in db.session.scalars(
            select(PracticeRegistration).options(selectinload(PracticeRegistration.institution))
            .where(PracticeRegistration.physician_id.in_(ids), PracticeRegistration.kind == "main",
                   PracticeRegistration.status == "active"))}
    for row in rows:
        row.department = depts.get(row.physician.id)
        row.account_state = states.get(row.physician.id, "none")
        if kind == "filed_elsewhere":
            row.other_institution = row.registration.institution
        elif kind == "filed_here":
            row.other_institution = mains.get(row.physician.id)


# --- the institution's physician applications (医师申请业务办理) --------------------------------

APPLICATION_STATES = {"open": "正在办理的业务", "done": "已完成的业务"}


@dataclass
class ApplicationFilters:
    state: str = "open"
    process: str = ""
    name: str = ""

    @classmethod
    def from_args(cls, args) -> ApplicationFilters:
        state = args.get("state") or "open"
        process = (args.get("process") or "").strip()
        name = (args.get("name") or "").strip()
        errors: dict[str, list[str]] = {}
        if state not in APPLICATION_STATES:
            errors["state"] = ["应为 open（正在办理）或 done（已完成）"]
        if process and not process.startswith("physician_") or len(process) > 64:
            errors["process"] = ["不是医师业务"]
        if len(name) > 40:
            errors["name"] = ["姓名过长"]
        if errors:
            raise QueryError(errors)
        return cls(state, process, name)

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def application_page(actor: Account, inst: Institution, flt: ApplicationFilters,
                     limit: int = 50, cursor: str | None = None) -> tuple[list, str | None]:
    """Physician cases addressed to the institution, newest first (keyset on the case id)."""
    from service.engine.models import Case

    stmt = select(Case).options(selectinload(Case.subject_physician)).where(
        Case.subject_institution_id == inst.id,
        Case.process_id.like("physician\\_%", escape="\\"), scope(actor, READ, Case))
    stmt = stmt.where(Case.status == "open") if flt.state == "open" \
        else stmt.where(Case.status != "open")
    if flt.process:
        stmt = stmt.where(Case.process_id == flt.process)
    if flt.name:
        stmt = stmt.where(Case.subject_physician_id.in_(select(Physician.id).where(
            Physician.name.contains(flt.name, autoescape=True))))
    if cursor:
        if to_id(cursor) is None:
            raise QueryError({"cursor": ["分页游标无效"]})
        stmt = stmt.where(Case.id < to_id(cursor))
    limit = max(1, min(limit, MAX_LIMIT))
    cases = list(db.session.scalars(stmt.order_by(Case.id.desc()).limit(limit + 1)))
    more = len(cases) > limit
    cases = cases[:limit]
    return cases, (str(cases[-1].id) if more else None)
