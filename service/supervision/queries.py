"""The queries of seed 004 (自查记录 §1.2.5 / §1.3.3 / §2.2, 记分记录 §1.2.6 / §1.4 / §2.3): every
record in the caller's read scope (the author her own, the administrator the institution's, an
administration its jurisdiction), filtered, newest first, in keyset pages of (date, id)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, or_, select, tuple_
from sqlalchemy.orm import contains_eager

from service.access import policy
from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.paging import QueryError, decode_cursor, encode_key
from service.registry.reference import Division
from service.supervision.models import (
    DemeritReport,
    InspectionAnswer,
    ScoredPerson,
    SelfInspection,
    SupervisedUnit,
)

START_AFTER_END = "开始时间不可大于结束时间"


def _date(args: dict, key: str) -> date | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "日期格式不正确", fields={key: ["日期格式应为 YYYY-MM-DD"]}) from None


def date_range(args: dict) -> tuple[date | None, date | None]:
    start, end = _date(args, "start"), _date(args, "end")
    if start and end and start > end:
        raise ApiError(422, START_AFTER_END, fields={"start": [START_AFTER_END]})
    return start, end


def _division(args: dict) -> str | None:
    code = (args.get("division") or "").strip()
    if code and not (code.isdigit() and len(code) == 6):
        raise ApiError(422, fields={"division": ["行政区划代码为 6 位数字"]})
    return code or None


def _dated(stmt: Select, args: dict, model, date_column) -> Select:
    """The date range and division filters every query has."""
    start, end = date_range(args)
    if start:
        stmt = stmt.where(date_column >= start)
    if end:
        stmt = stmt.where(date_column <= end)
    if code := _division(args):
        stmt = stmt.where(policy.in_division(code, model.province_code, model.city_code,
                                             model.division_code))
    return stmt


def _rows(stmt: Select, unit, author) -> Select:
    """What a list row shows of the institution, its division and the author, in the one query
    and only those columns."""
    return stmt.join(unit).join(SupervisedUnit.division).join(author).options(
        contains_eager(unit).load_only(SupervisedUnit.name, SupervisedUnit.division_code,
                                       SupervisedUnit.level_code)
        .contains_eager(SupervisedUnit.division).load_only(Division.name),
        contains_eager(author).load_only(Account.display_name))


def inspections(actor: Account, args: dict) -> Select:
    """自查记录: by division, institution, 自查项目 (an area or group code), date range."""
    stmt = _rows(select(SelfInspection), SelfInspection.unit, SelfInspection.inspector) \
        .where(policy.scope(actor, policy.READ, SelfInspection))
    if args.get("mine"):
        stmt = stmt.where(SelfInspection.inspector_id == actor.id)
    stmt = _dated(stmt, args, SelfInspection, SelfInspection.inspected_on)
    unit = str(args.get("unit_id") or "")
    if unit:
        if not unit.isdigit():
            raise ApiError(422, fields={"unit_id": ["机构编号不正确"]})
        stmt = stmt.where(SelfInspection.unit_id == int(unit))
    item = (args.get("item") or "").strip()
    if item:
        stmt = stmt.where(exists().where(
            InspectionAnswer.inspection_id == SelfInspection.id,
            InspectionAnswer.item_code.startswith(item, autoescape=True)))
    return stmt


def demerits(actor: Account, args: dict) -> Select:
    """记分记录: fuzzy name and ID number, date range, division; the person joined."""
    stmt = _rows(select(DemeritReport).join(DemeritReport.person), DemeritReport.unit, DemeritReport.scorer) \
        .where(policy.scope(actor, policy.READ, DemeritReport)).options(contains_eager(DemeritReport.person))
    if args.get("mine"):
        stmt = stmt.where(DemeritReport.scorer_id == actor.id)
    stmt = _dated(stmt, args, DemeritReport, DemeritReport.scored_on)
    name = (args.get("name") or "").strip()
    if name:
        stmt = stmt.where(ScoredPerson.name.contains(name, autoescape=True))
    id_number = (args.get("id_number") or "").strip().upper()
    if id_number:
        stmt = stmt.where(ScoredPerson.id_number.contains(id_number, autoescape=True))
    return stmt


def page(stmt: Select, date_column, id_column, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """A page newest first after ``cursor`` (the (date, id) of the last row seen)."""
    if cursor:
        try:
            raw, ident = decode_cursor(cursor)
            day = date.fromisoformat(raw)
        except (QueryError, ValueError):
            raise ApiError(400, "分页游标无效", fields={"cursor": ["分页游标无效"]}) from None
        if db.engine.dialect.name == "postgresql":  # one index range, not a filter
            stmt = stmt.where(tuple_(date_column, id_column) < tuple_(day, ident))
        else:
            stmt = stmt.where(or_(date_column < day, and_(date_column == day, id_column < ident)))
    rows = list(db.session.scalars(stmt.order_by(date_column.desc(), id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return rows, encode_key(getattr(last, date_column.key).isoformat(), last.id) if last else None


def units_in_scope(actor: Account) -> list[SupervisedUnit]:
    return list(db.session.scalars(select(SupervisedUnit).where(
        policy.scope(actor, policy.READ, SupervisedUnit), SupervisedUnit.status == "active")
        .order_by(SupervisedUnit.division_code, SupervisedUnit.name)))
