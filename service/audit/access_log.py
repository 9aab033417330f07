"""The access log: every read of personal data by an auditor or an administration.

Which doors show personal data is declared in one table (``WATCHED``: endpoint -> the record
kind and the view argument naming it). After such a request answered 200, a row records who
saw what and when, in a transaction of its own, so a read never fails for its log and the
log never holds a read's locks; a read that cannot be logged is not answered. Reveals of masked data and audit bundles are recorded by
their doors with the reason the auditor gave.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Flask, Response, g, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from service.access.models import Account
from service.audit.models import AccessLog
from service.core.extensions import db
from service.core.times import SHANGHAI, utcnow

WATCHED: dict[str, tuple[str, str, str]] = {
    # endpoint: (record kind, view argument, what was seen)
    "cases.show": ("case", "case_id", "业务详情"),
    "cases.audit": ("case", "case_id", "审计页面（事件数据已遮蔽）"),
    "cases.notice": ("case", "case_id", "通知书"),
    "cases.verification_application_pdf": ("case", "case_id", "校验申请书"),
    "cases.document": ("document", "document_id", "申请材料"),
    "cases.document_content": ("document", "document_id", "申请材料原件"),
    "cases.document_page": ("document", "document_id", "申请材料页面"),
    "task_forms.form": ("work_item", "item_id", "办理表单"),
    "institution_physicians.physician": ("physician", "physician_id", "医师信息"),
    "institution_physicians.application_pdf": ("case", "case_id", "执业注册申请表"),
    "physician_prints.certificate": ("physician", "physician_id", "医师执业证书"),
    "api_v1.case_events": ("case", "case_id", "事件数据（已遮蔽）"),
    "api_v1.work_item": ("work_item", "item_id", "办理表单"),
    "api_v1.application_pdf": ("case", "case_id", "执业注册申请表"),
    "api_v1.document": ("document", "document_id", "申请材料"),
    "api_v1.document_content": ("document", "document_id", "申请材料原件"),
    "api_v1.document_page": ("document", "document_id", "申请材料页面"),
    "api_v1.physician": ("physician", "physician_id", "医师信息"),
    "api_v1.physician_certificate": ("physician", "physician_id", "医师执业证书"),
    "api_v1.nurse": ("nurse", "nurse_id", "护士信息"),
    "api_v1.nurse_certificate": ("nurse", "nurse_id", "护士执业证书"),
}
RECORD_KINDS = {"case": "业务", "document": "材料", "work_item": "待办", "physician": "医师",
                "nurse": "护士"}


def is_logged(account: Account | None) -> bool:
    """Auditors' and administrations' reads are logged."""
    return account is not None and (account.kind == "administration" or account.has_role("auditor"))


def record(account: Account, action: str, kind: str, record_id: int, what: str,
           reason: str | None = None) -> AccessLog:
    """Add a row in the caller's transaction (the reveal and bundle doors commit with it)."""
    row = AccessLog(account_id=account.id, action=action, record_kind=kind, record_id=record_id,
                    what=what[:120], reason=reason, address=(request.remote_addr or None),
                    at=utcnow())
    db.session.add(row)
    return row


def _reader() -> Account | None:
    actor = g.get("actor")
    if actor is not None:
        return actor
    return current_user if current_user and current_user.is_authenticated else None


def _after(response: Response) -> Response:
    watched = WATCHED.get(request.endpoint or "")
    if watched is None or request.method != "GET" or response.status_code != 200:
        return response
    account = _reader()
    if not is_logged(account):
        return response
    kind, argument, what = watched
    record_id = (request.view_args or {}).get(argument)
    if record_id is None:
        return response
    account_id = account.id
    db.session.rollback()  # end the read's transaction; the row is written in one of its own
    try:
        db.session.add(AccessLog(account_id=account_id, action="view", record_kind=kind,
                                 record_id=record_id, what=what, at=utcnow(),
                                 address=request.remote_addr or None))
        db.session.commit()
    except OperationalError:  # no log, no answer: the read fails closed (503 when busy)
        db.session.rollback()
        raise
    return response


def install(app: Flask) -> None:
    app.after_request(_after)


PAGE = 50


def query(args) -> tuple[list[AccessLog], int | None, dict[str, list[str]]]:
    """The log newest first, filtered by reader (user name), record (kind and id) and day."""
    errors: dict[str, list[str]] = {}
    stmt = select(AccessLog)
    username = args.get("account", "").strip()[:40]
    if username:
        stmt = stmt.join(Account, Account.id == AccessLog.account_id).where(
            Account.username == username)
    kind = args.get("kind", "").strip()
    if kind:
        if kind not in RECORD_KINDS:
            errors["kind"] = ["取值不在允许范围内"]
        stmt = stmt.where(AccessLog.record_kind == kind)
    raw_id = args.get("record", "").strip()
    if raw_id:
        if not (raw_id.isdigit() and len(raw_id) <= 9):
            errors["record"] = ["须为编号"]
        else:
            stmt = stmt.where(AccessLog.record_id == int(raw_id))
    for name, op in (("since", "ge"), ("until", "lt")):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            errors[name] = ["日期格式应为 YYYY-MM-DD"]
            continue
        start = datetime.combine(day + timedelta(days=1 if op == "lt" else 0), time.min,
                                 tzinfo=SHANGHAI)
        stmt = stmt.where(AccessLog.at >= start if op == "ge" else AccessLog.at < start)
    cursor = args.get("cursor", "").strip()
    if cursor:
        if not (cursor.isdigit() and len(cursor) <= 9):
            errors["cursor"] = ["分页游标无效"]
        else:
            stmt = stmt.where(AccessLog.id < int(cursor))
    if errors:
        return [], None, errors
    rows = list(db.session.scalars(stmt.order_by(AccessLog.id.desc()).limit(PAGE + 1)))
    return rows[:PAGE], (rows[PAGE - 1].id if len(rows) > PAGE else None), {}
