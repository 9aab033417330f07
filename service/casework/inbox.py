"""Inboxes (我的待办, 已办事项), case lists (我发起的业务, 业务查询), claim and release.

Work-item lists read only ``work_item`` (joined to ``case`` for the title), through its
indexes, newest first with keyset pagination (``?cursor=<last id>``), never OFFSET.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, func, or_, select

from service.access.models import Account
from service.access.policy import READ, scope
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import to_id
from service.core.times import SHANGHAI
from service.engine import runtime
from service.engine.models import CASE_STATUSES, Case, WorkItem
from service.web.auth import safe_path

bp = Blueprint("inbox", __name__, url_prefix="/tasks")
PAGE_SIZE = 20


@dataclass
class Filters:
    process: str = ""
    overdue: bool = False
    created_from: date | None = None
    created_to: date | None = None
    status: str = ""
    outcome: str = ""
    q: str = ""
    division: str = ""  # administrations: the subject's division (a province, city or county)
    institution_id: int | None = None  # administrations: one organisation

    def active(self) -> dict[str, str]:
        """The query-string form of the filters that are set (for links and the pager)."""
        out = {"process": self.process, "status": self.status, "outcome": self.outcome,
               "q": self.q, "overdue": "1" if self.overdue else "", "division": self.division,
               "institution": str(self.institution_id) if self.institution_id else "",
               "from": self.created_from.isoformat() if self.created_from else "",
               "to": self.created_to.isoformat() if self.created_to else ""}
        return {k: v for k, v in out.items() if v}


def _date(raw: str, errors: dict, key: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = ["日期格式应为 YYYY-MM-DD"]
        return None


def _division(raw: str, errors: dict) -> str:
    raw = raw.strip()
    if raw and not (len(raw) == 6 and raw.isdigit()):
        errors["division"] = ["行政区划代码应为 6 位数字"]
        return ""
    return raw


def _institution(raw: str, errors: dict) -> int | None:
    raw = raw.strip()
    if raw and not (raw.isdigit() and 0 < int(raw) < 2**31):
        errors["institution"] = ["机构编号应为正整数"]
        return None
    return int(raw) if raw else None


def division_prefix(code: str) -> str:
    """A province (110000) or city (530100) code covers its counties: match by prefix."""
    for width in (2, 4):
        if code[width:] == "0" * (6 - width):
            return code[:width]
    return code


def _filters(args=None) -> tuple[Filters, dict[str, list[str]]]:
    args, errors = (request.args if args is None else args), {}
    flt = Filters(
        process=args.get("process", "")[:64], overdue=args.get("overdue") == "1",
        created_from=_date(args.get("from", ""), errors, "from"),
        created_to=_date(args.get("to", ""), errors, "to"),
        status=args.get("status", "") if args.get("status") in CASE_STATUSES else "",
        outcome=args.get("outcome", "") if args.get("outcome") in casework.outcome_labels() else "",
        q=args.get("q", "").strip()[:60],
        division=_division(args.get("division", "")[:6], errors),
        institution_id=_institution(args.get("institution", "")[:10], errors),
    )
    if flt.created_from and flt.created_to and flt.created_from > flt.created_to:
        errors["to"] = ["结束日期不能早于开始日期"]
    return flt, errors


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _created_between(column, flt: Filters) -> list:
    conditions = []
    if flt.created_from:
        conditions.append(column >= _local_midnight(flt.created_from))
    if flt.created_to:
        conditions.append(column < _local_midnight(flt.created_to + timedelta(days=1)))
    return conditions


def _cursor(name: str = "cursor") -> int | None:
    return to_id(request.args.get(name))


def _page(stmt: Select, id_column, cursor: int | None) -> tuple[list, int | None]:
    """One page, newest first, and the cursor of the next one."""
    if cursor:
        stmt = stmt.where(id_column < cursor)
    rows = list(db.session.execute(stmt.order_by(id_column.desc()).limit(PAGE_SIZE + 1)).all())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1][0].id if more else None)


def _item_rows(stmt: Select, cursor: int | None, today: date) -> tuple[list[dict], int | None]:
    rows, next_cursor = _page(stmt, WorkItem.id, cursor)
    out = []
    for item, title, number in rows:
        note, overdue = casework.deadline_note(item.deadline, today)
        out.append({"item": item, "case_title": title, "case_number": number or str(item.case_id),
                    "deadline_note": note, "overdue": overdue})
    return out, next_cursor


def _work_items(flt: Filters, today: date) -> Select:
    stmt = select(WorkItem, Case.title, Case.business_number).join(Case, Case.id == WorkItem.case_id)
    if flt.process:
        stmt = stmt.where(WorkItem.process_id == flt.process)
    if flt.overdue:
        stmt = stmt.where(WorkItem.deadline < today)
    return stmt.where(*_created_between(WorkItem.created_at, flt), *_subject(flt))


def _subject(flt: Filters) -> list:
    conditions = []
    if flt.division:
        conditions.append(Case.division_code.startswith(division_prefix(flt.division)))
    if flt.institution_id:
        conditions.append(Case.subject_institution_id == flt.institution_id)
    return conditions


@bp.get("/")
@login_required
def index():
    flt, errors = _filters()
    today = casework.today_local()
    kind, org_id = current_user.inbox_key
    mine, unclaimed, next_mine, next_unclaimed = [], [], None, None
    if not errors:
        base = _work_items(flt, today).where(WorkItem.status == "open")
        mine, next_mine = _item_rows(
            base.where(WorkItem.assignee_id == current_user.id), _cursor("mine"), today)
        if org_id is not None:
            unclaimed, next_unclaimed = _item_rows(base.where(
                WorkItem.organisation_kind == kind, WorkItem.organisation_id == org_id,
                WorkItem.assignee_id.is_(None)), _cursor("open"), today)
    return render_template(
        "inbox/index.html", mine=mine, unclaimed=unclaimed, next_mine=next_mine,
        next_unclaimed=next_unclaimed, filters=flt, errors=errors, args=request.args,
        processes=casework.process_names(), today=today,
    ), 400 if errors else 200


@bp.get("/done")
@login_required
def done():
    flt, errors = _filters()
    today = casework.today_local()
    rows, next_cursor = [], None
    if not errors:
        stmt = _work_items(flt, today).where(WorkItem.completed_by_id == current_user.id)
        rows, next_cursor = _item_rows(stmt, _cursor(), today)
    return render_template(
        "inbox/done.html", rows=rows, next_cursor=next_cursor, filters=flt, errors=errors,
        args=request.args, processes=casework.process_names(),
    ), 400 if errors else 200


def _case_filters(stmt: Select, flt: Filters) -> Select:
    if flt.process:
        stmt = stmt.where(Case.process_id == flt.process)
    if flt.status:
        stmt = stmt.where(Case.status == flt.status)
    if flt.outcome:
        stmt = stmt.where(Case.outcome == flt.outcome)
    if flt.q:
        # the title is "<process>：<subject name>", so it carries the subject's name
        stmt = stmt.where(Case.title.contains(flt.q, autoescape=True))
    return stmt.where(*_created_between(Case.created_at, flt), *_subject(flt))


def _case_page(stmt: Select, template: str, **context):
    flt, errors = _filters()
    rows, next_cursor, current = [], None, {}
    if not errors:
        rows, next_cursor = _page(_case_filters(stmt, flt), Case.id, _cursor())
        ids = [case.id for (case,) in rows]
        for case_id, title in db.session.execute(
                select(WorkItem.case_id, WorkItem.title)
                .where(WorkItem.case_id.in_(ids), WorkItem.status == "open")):
            current.setdefault(case_id, []).append(title)
    return render_template(
        template, cases=[case for (case,) in rows], current=current, next_cursor=next_cursor,
        filters=flt, errors=errors, args=request.args, processes=casework.process_names(),
        statuses=CASE_STATUSES, outcomes=casework.outcome_labels(), **context,
    ), 400 if errors else 200


def _started_where():
    mine = [Case.started_by_id == current_user.id]
    if current_user.kind == "institution" and current_user.institution_id is not None:
        mine.append(Case.subject_institution_id == current_user.institution_id)
    return or_(*mine)


def _open_items_where():
    kind, org_id = current_user.inbox_key
    unit = (WorkItem.organisation_kind == kind) & (WorkItem.organisation_id == org_id) & \
        WorkItem.assignee_id.is_(None) if org_id is not None else None
    mine = WorkItem.assignee_id == current_user.id
    return (WorkItem.status == "open") & (or_(mine, unit) if unit is not None else mine)


def count_for(endpoint: str, flt: Filters) -> int:
    """How many rows a list would show with ``flt`` (for the saved filters' counts)."""
    if endpoint == "inbox.index":
        stmt = _work_items(flt, casework.today_local()).where(_open_items_where())
        return db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    where = _started_where() if endpoint == "inbox.started" else scope(current_user, READ, Case)
    stmt = _case_filters(select(Case.id).where(where), flt)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


@bp.get("/cases/started")
@login_required
def started():
    return _case_page(select(Case).where(_started_where()), "inbox/cases.html",
                      heading="我发起的业务", endpoint="inbox.started")


@bp.get("/cases/all")
@login_required
def all_cases():
    return _case_page(select(Case).where(scope(current_user, READ, Case)), "inbox/cases.html",
                      heading="业务查询", endpoint="inbox.all_cases")


def _back() -> str:
    return safe_path(request.form.get("next"), url_for("inbox.index"))


def _on_item(change: Callable[[Account, int], WorkItem], item_id: int,
             done: Callable[[WorkItem], str]):
    """Claim or release a work item, then back to the list: a refusal is a warning there, an
    unknown item the 404 page."""
    try:
        item = change(current_user, item_id)
    except ApiError as exc:
        if exc.status == 404:
            casework.page_abort(exc)
        flash(exc.message, "warning")
        return redirect(_back(), 303)
    flash(done(item), "success")
    return redirect(_back(), 303)


@bp.post("/<int:item_id>/claim")
@login_required
def claim(item_id: int):
    return _on_item(runtime.claim, item_id,
                    lambda item: f"已认领：{item.title}（业务编号 {item.case_id}）")


@bp.post("/<int:item_id>/release")
@login_required
def release(item_id: int):
    return _on_item(runtime.release, item_id,
                    lambda item: f"已释放，该事项回到本单位待认领：{item.title}")
