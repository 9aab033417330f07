"""Business reminders (业务提醒) and the live info window (实时信息窗) of the administration's
home (seed 000, 附件3): what needs the administration's action, each kind a count linked to its
list. One query per kind serves the home page, the list page, the counts the home page's script
refreshes and ``GET /api/v1/reminders``; every institution kind is in the caller's read scope,
every case kind on the caller's own organisation's tasks."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, literal, or_, select

from service.access.models import Account, LoginSession
from service.access.policy import READ, scope
from service.core.extensions import db
from service.core.paging import QueryError
from service.core.times import SHANGHAI, add_months, shanghai_today
from service.engine.models import Case, WorkItem
from service.institutions.lifecycle_rules import RENEWAL_LEAD_DAYS
from service.institutions.models import Institution
from service.institutions.reminders import REMIND_MONTHS_BEFORE
from service.institutions.verification_records import VerificationRecord

DEFERRAL_ENDING_DAYS = 30  # a deferral ending within a month is listed (and one that ended)
SUSPENSION_DAYS = 365  # 实施细则: a suspension over one year is handled as closure
DEADLINE_WARNING_DAYS = 5  # statutory limits of the administration's own tasks within 5 days


@dataclass(frozen=True)
class Reminder:
    kind: str
    key: int
    due: date
    institution_id: int | None
    case_id: int | None
    title: str


@dataclass(frozen=True)
class Kind:
    """One kind of reminder: its label, the window it answers, and its query (columns ``key``,
    ``sort``, ``institution_id``, ``case_id``, ``name``) ordered by (sort, key)."""

    code: str
    label: str
    window: str
    query: Callable[[Account, date], Select]
    title: Callable[[str, date], str]
    board: str  # "reminders" (institutions) or "window" (the live info window: cases)


def _local_day(moment) -> date:
    if isinstance(moment, datetime):
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI).date()
    return moment


def _day_start(day: date) -> datetime:
    """The first moment of a Beijing calendar day, in UTC."""
    return datetime.combine(day, time(), tzinfo=SHANGHAI).astimezone(UTC)


def _institutions(actor: Account, sort, *where) -> Select:
    return select(Institution.id.label("key"), sort.label("sort"),
                  Institution.id.label("institution_id"), literal(None).label("case_id"),
                  Institution.name.label("name")).where(scope(actor, READ, Institution), *where)


def _verifying(*where):
    return (Institution.is_filed_clinic.is_(False),
            Institution.status.in_(("active", "deferred")), *where)


def _due_soon(today: date) -> tuple:
    return _verifying(Institution.verification_due.between(today, add_months(today, REMIND_MONTHS_BEFORE)))


def _due_past(today: date) -> tuple:
    return _verifying(Institution.verification_due < today)


def _licence_ending(today: date) -> tuple:
    return (Institution.status != "cancelled", Institution.licence_valid_to.between(
        today, today + timedelta(days=RENEWAL_LEAD_DAYS)))


def _licence_ended(today: date) -> tuple:
    return Institution.status != "cancelled", Institution.licence_valid_to < today


# the kinds that are conditions on the institution row alone: counted in one scan
ROW_RULES: dict[str, tuple[Callable[[date], tuple], object]] = {
    "verification_due": (_due_soon, Institution.verification_due),
    "verification_overdue": (_due_past, Institution.verification_due),
    "licence_expiring": (_licence_ending, Institution.licence_valid_to),
    "licence_overdue": (_licence_ended, Institution.licence_valid_to),
}


def _row_rule(code: str) -> Callable[[Account, date], Select]:
    where, sort = ROW_RULES[code]
    return lambda actor, today: _institutions(actor, sort, *where(today))


def deferral_ending(actor: Account, today: date) -> Select:
    latest = (select(VerificationRecord.institution_id, func.max(VerificationRecord.id).label("id"))
              .where(VerificationRecord.result == "deferred")
              .group_by(VerificationRecord.institution_id).subquery())
    return (_institutions(actor, VerificationRecord.deferred_until, Institution.status == "deferred",
                          VerificationRecord.deferred_until
                          < _day_start(today + timedelta(days=DEFERRAL_ENDING_DAYS + 1)))
            .join(latest, latest.c.institution_id == Institution.id)
            .join(VerificationRecord, VerificationRecord.id == latest.c.id))


def long_suspension(actor: Account, today: date) -> Select:
    """Suspended since the approval of its suspension more than a year ago."""
    since = (select(Case.subject_institution_id.label("institution_id"),
                    func.max(WorkItem.completed_at).label("at"))
             .join(WorkItem, WorkItem.case_id == Case.id)
             .where(Case.process_id == "institution_suspension", WorkItem.task == "approval",
                    WorkItem.status == "done")
             .group_by(Case.subject_institution_id).subquery())
    return (_institutions(actor, since.c.at, Institution.status == "suspended",
                          since.c.at < _day_start(today - timedelta(days=SUSPENSION_DAYS - 1)))
            .join(since, since.c.institution_id == Institution.id))


def _own_items(actor: Account):
    return (WorkItem.organisation_kind == "administration",
            WorkItem.organisation_id == actor.administration_id, WorkItem.status == "open")


def deadline_near(actor: Account, today: date) -> Select:
    return (select(WorkItem.id.label("key"), WorkItem.deadline.label("sort"),
                   Case.subject_institution_id.label("institution_id"), Case.id.label("case_id"),
                   (Case.title + "：" + WorkItem.title).label("name"))
            .join(Case, Case.id == WorkItem.case_id)
            .where(*_own_items(actor), Case.status == "open", WorkItem.deadline.is_not(None),
                   WorkItem.deadline <= today + timedelta(days=DEADLINE_WARNING_DAYS)))


def last_login_before(actor: Account) -> datetime:
    """When the account logged in before the current login (its creation if never)."""
    starts = db.session.scalars(select(LoginSession.created_at).where(
        LoginSession.account_id == actor.id).order_by(LoginSession.created_at.desc()).limit(2)).all()
    return starts[1] if len(starts) == 2 else actor.created_at


def new_applications(actor: Account, today: date) -> Select:
    """Cases started since the previous login that wait for the administration."""
    since = last_login_before(actor)
    waiting = select(WorkItem.case_id).where(*_own_items(actor), WorkItem.created_at > since)
    return (select(Case.id.label("key"), Case.created_at.label("sort"),
                   Case.subject_institution_id.label("institution_id"), Case.id.label("case_id"),
                   Case.title.label("name"))
            .where(Case.id.in_(waiting), Case.status == "open", Case.created_at > since))


KINDS = {k.code: k for k in (
    Kind("verification_due", "三个月内校验到期", "校验期在三个月内届满",
         _row_rule("verification_due"), lambda n, d: f"{n}：校验期将于 {d.isoformat()} 届满", "reminders"),
    Kind("verification_overdue", "校验已逾期", "校验期已届满、尚未校验",
         _row_rule("verification_overdue"), lambda n, d: f"{n}：校验期已于 {d.isoformat()} 届满，逾期未校验", "reminders"),
    Kind("licence_expiring", "30日内许可证到期", f"许可证有效期在 {RENEWAL_LEAD_DAYS} 日内届满",
         _row_rule("licence_expiring"), lambda n, d: f"{n}：许可证有效期将于 {d.isoformat()} 届满，应申请延续", "reminders"),
    Kind("licence_overdue", "许可证过期未延续", "许可证有效期已届满、未延续",
         _row_rule("licence_overdue"), lambda n, d: f"{n}：许可证已于 {d.isoformat()} 过期，未办理延续", "reminders"),
    Kind("deferral_ending", "暂缓校验期将满", f"暂缓校验期在 {DEFERRAL_ENDING_DAYS} 日内届满或已届满",
         deferral_ending, lambda n, d: f"{n}：暂缓校验期至 {d.isoformat()}", "reminders"),
    Kind("long_suspension", "停业满一年", "停业已满一年（按歇业处理）",
         long_suspension, lambda n, d: f"{n}：停业已满一年（{d.isoformat()} 满一年）", "reminders"),
    Kind("deadline_near", "即将超过办理时限", f"本单位待办在 {DEADLINE_WARNING_DAYS} 日内到期或已超期",
         deadline_near, lambda n, d: f"{n}（办理时限 {d.isoformat()}）", "window"),
    Kind("new_applications", "上次登录后的新申请", "上次登录以来新提交、待本单位办理的业务",
         new_applications, lambda n, d: f"{n}（{d.isoformat()} 提交）", "window"),
)}
DUE_SHIFT = {"long_suspension": timedelta(days=SUSPENSION_DAYS)}


def applies_to(actor: Account) -> bool:
    """Administrations, and platform accounts that oversee institutions."""
    return actor.kind == "administration" or actor.has_role("sysadmin", "auditor")


def _kinds_for(actor: Account) -> list[Kind]:
    if actor.kind == "administration":
        return list(KINDS.values())
    return [k for k in KINDS.values() if k.board == "reminders"]


def count_statements(actor: Account, today: date) -> dict[str, Select]:
    """The statements behind :func:`counts`: the row rules as one scan of the institutions in
    scope (its columns named by kind), then one count per other kind."""
    out: dict[str, Select] = {"rows": select(*[
        func.count().filter(and_(*where(today))).label(code) for code, (where, _) in ROW_RULES.items()
    ]).where(scope(actor, READ, Institution))}
    for k in _kinds_for(actor):
        if k.code not in ROW_RULES:
            out[k.code] = select(func.count()).select_from(k.query(actor, today).subquery())
    return out


def counts(actor: Account, today: date | None = None) -> dict[str, int]:
    """How many reminders of each kind the caller has."""
    statements = count_statements(actor, today or shanghai_today())
    found = db.session.execute(statements.pop("rows")).one()._asdict()
    found.update({code: db.session.scalar(stmt) for code, stmt in statements.items()})
    return {k.code: found[k.code] for k in _kinds_for(actor)}


def _cursor(kind: str, sort, key: int) -> str:
    raw = json.dumps([kind, sort.isoformat(), key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, kinds: list[str]) -> tuple[str, datetime | date, int]:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        kind, sort, key = json.loads(raw)
        if kind not in kinds or not isinstance(key, int) or isinstance(key, bool):
            raise ValueError
        moment = datetime.fromisoformat(sort) if "T" in sort else date.fromisoformat(sort)
        return kind, moment, key
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise QueryError({"cursor": ["分页游标无效"]}) from None


def listing(actor: Account, kind: str | None, limit: int, cursor: str | None = None,
            today: date | None = None) -> tuple[list[Reminder], str | None]:
    """One page of reminders, kinds in board order, each by its due moment."""
    today = today or shanghai_today()
    kinds = [k for k in _kinds_for(actor) if kind in (None, k.code)]
    if kind is not None and not kinds:
        raise QueryError({"kind": [f"提醒类别只能是：{'、'.join(KINDS)}"]})
    codes = [k.code for k in kinds]
    start = _decode(cursor, codes) if cursor else None
    out: list[tuple[Kind, object]] = []
    for k in kinds[codes.index(start[0]) if start else 0:]:
        stmt = k.query(actor, today).subquery()
        q = select(stmt)
        if start and start[0] == k.code:
            q = q.where(or_(stmt.c.sort > start[1], and_(stmt.c.sort == start[1], stmt.c.key > start[2])))
        out += [(k, r) for r in db.session.execute(
            q.order_by(stmt.c.sort, stmt.c.key).limit(limit + 1 - len(out)))]
        if len(out) > limit:
            break
    more = len(out) > limit
    page = out[:limit]
    items = [_reminder(k, r) for k, r in page]
    return items, (_cursor(page[-1][0].code, page[-1][1].sort, page[-1][1].key) if more else None)


def _reminder(kind: Kind, row) -> Reminder:
    due = _local_day(row.sort + DUE_SHIFT.get(kind.code, timedelta()))
    return Reminder(kind.code, row.key, due, row.institution_id, row.case_id, kind.title(row.name, due))
