"""Finding cases for an audit: by process, institution, actor, date range and status, within
what the auditor may read, newest first in keyset pages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from service.access.models import Account
from service.access.policy import READ, scope
from service.core.extensions import db
from service.core.times import SHANGHAI
from service.engine.models import Case, CaseEvent
from service.institutions.face import Institution

STATUSES = {"open": "办理中", "completed": "已办结", "withdrawn": "已撤回", "terminated": "已终止"}
PAGE = 50


@dataclass
class Filters:
    process: str = ""
    institution: str = ""  # a name fragment or an institution id
    actor: str = ""  # a user name
    since: date | None = None
    until: date | None = None
    status: str = ""


def parse(args) -> tuple[Filters, dict[str, list[str]]]:
    """The filters from a query string, and Chinese errors per field."""
    errors: dict[str, list[str]] = {}
    found = Filters(process=args.get("process", "").strip()[:64],
                    institution=args.get("institution", "").strip()[:60],
                    actor=args.get("actor", "").strip()[:40], status=args.get("status", "").strip())
    if found.status and found.status not in STATUSES:
        errors["status"] = ["取值不在允许范围内"]
    for name in ("since", "until"):
        raw = args.get(name, "").strip()
        if raw:
            try:
                setattr(found, name, date.fromisoformat(raw))
            except ValueError:
                errors[name] = ["日期格式应为 YYYY-MM-DD"]
    if found.since and found.until and found.since > found.until:
        errors["until"] = ["结束日期不能早于开始日期"]
    return found, errors


def beijing_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def day_after(day: date | None) -> datetime | None:
    """The end of a Beijing day (the start of the next), for ranges that include the day."""
    return beijing_day_start(day + timedelta(days=1)) if day else None


def query(actor: Account, f: Filters):
    stmt = select(Case).where(scope(actor, READ, Case))
    if f.process:
        stmt = stmt.where(Case.process_id == f.process)
    if f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.institution:
        if f.institution.isdigit() and len(f.institution) <= 9:
            stmt = stmt.where(Case.subject_institution_id == int(f.institution))
        else:
            names = select(Institution.id).where(Institution.name.contains(f.institution,
                                                                           autoescape=True))
            stmt = stmt.where(Case.subject_institution_id.in_(names))
    if f.actor:
        acted = select(CaseEvent.case_id).join(Account, Account.id == CaseEvent.actor_id).where(
            Account.username == f.actor)
        stmt = stmt.where(Case.id.in_(acted))
    if f.since:
        stmt = stmt.where(Case.created_at >= beijing_day_start(f.since))
    if f.until:
        stmt = stmt.where(Case.created_at < day_after(f.until))
    return stmt


def page(actor: Account, f: Filters, cursor: int | None) -> tuple[list[Case], int | None]:
    stmt = query(actor, f)
    if cursor is not None:
        stmt = stmt.where(Case.id < cursor)
    rows = list(db.session.scalars(stmt.order_by(Case.id.desc()).limit(PAGE + 1)))
    return rows[:PAGE], (rows[PAGE - 1].id if len(rows) > PAGE else None)
