"""What case pages, inboxes and task forms share: labels, the readable case, submissions, reviews.

A case's submissions live in its events (``task_completed`` keeps the full form); these helpers
find them, so that pages never read workflow task data for business content.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from service.access.models import Account
from service.access.policy import require
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_by_schema
from service.core.times import SHANGHAI
from service.engine import definitions, plugins
from service.engine.definitions import UserTaskInfo
from service.engine.forms import document_fields
from service.engine.models import Case, CaseEvent, WorkItem
from service.engine.routing import may_act
from service.engine.workdays import workdays_between

# Outcomes the engine itself gives; each process names its own through the plug-in table.
ENGINE_OUTCOMES = {"withdrawn": "已撤回"}


def outcome_labels() -> dict[str, str]:
    """Every outcome a case may end with, for the inbox filter."""
    return {**plugins.outcome_labels(), **ENGINE_OUTCOMES}


def outcome_name(case: Case) -> str:
    """The Chinese words for a finished case's outcome, in the terms of its business."""
    code = case.outcome or ""
    own = plugins.get_process_info(case.process_id).outcomes
    return own.get(code) or outcome_labels().get(code, code)


EVENT_TYPES = {
    "started": "发起",
    "task_completed": "办理",
    "claimed": "认领",
    "released": "释放",
    "timer_fired": "定时触发",
    "withdrawn": "撤回",
    "message_received": "收到外部消息",
    "migrated": "迁移到新版本",
}


def masked_data(case: Case, event: CaseEvent) -> dict:
    """An event's data with the personal fields of its form masked (the form's ``x-mask``),
    as lists show them; pages and the events API never show them in full."""
    data = dict(event.data or {})
    if isinstance(data.get("form"), dict):
        data["form"] = mask_by_schema(form_schema(case, event.task), data["form"])
    return data


def today_local() -> date:
    return datetime.now(SHANGHAI).date()


def readable_case(actor: Account, case_id: int) -> Case:
    """The case if the actor may read it; 404 otherwise (its existence stays hidden)."""
    return require(actor, Case, case_id)


def fields_text(exc: ApiError) -> str:
    """A refusal's field messages on one line, for a flash message (empty without any)."""
    return "；".join(m for ms in exc.fields.values() for m in ms)


def to_started_case(actor: Account, case: Case) -> Response:
    """After starting a case: say so, and open its first task the actor may work on (else the
    case page)."""
    first = db.session.scalars(select(WorkItem).where(
        WorkItem.case_id == case.id, WorkItem.status == "open").order_by(WorkItem.id)).all()
    mine = next((i for i in first if may_act(actor, i)), None)
    flash(f"已发起{case.deployed.name}，业务编号 {case.number}。", "success")
    if mine is not None:
        return redirect(url_for("task_forms.form", item_id=mine.id), 303)
    return redirect(url_for("cases.show", case_id=case.id), 303)


def page_abort(exc: ApiError) -> None:
    """Turn an engine refusal that has no page of its own into the HTML error page."""
    status = exc.status if exc.status in (400, 403, 404, 409, 413, 422) else 500
    if status == 403:
        # the record is readable (else 404): say that, and why this step is not the actor's
        abort(403, f"您可以查看该业务，但{exc.message}。")
    abort(status)


def process_names() -> dict[str, str]:
    return {d.process_id: d.name for d in definitions.all_latest()}


def task_info(case: Case, task: str | None) -> UserTaskInfo | None:
    return case.deployed.parsed.user_tasks.get(task or "")


def task_title(case: Case, task: str | None) -> str:
    info = task_info(case, task)
    return info.title if info else (task or "")


def form_schema(case: Case, task: str | None) -> dict:
    info = task_info(case, task)
    return case.deployed.form(info.form) if info else {}


def shown_tasks(info: UserTaskInfo | None) -> list[str]:
    """The tasks whose latest submission a reviewer of ``info`` sees (``shows`` property)."""
    return (info.properties.get("shows") or "").split() if info else []


def same_form_tasks(case: Case, task: str) -> set[str]:
    """Tasks filling in the same form as ``task`` (an application and its re-application)."""
    tasks = case.deployed.parsed.user_tasks
    form = tasks[task].form if task in tasks else None
    return {name for name, info in tasks.items() if name == task or (form and info.form == form)}


def latest_submission(history: list[CaseEvent], tasks: set[str],
                      before_seq: int | None = None) -> CaseEvent | None:
    for event in reversed(history):
        if before_seq is not None and event.seq >= before_seq:
            continue
        if event.type == "task_completed" and event.task in tasks:
            return event
    return None


def reviewer_tasks(case: Case, task: str) -> set[str]:
    """Tasks that review ``task``'s submission (their ``shows`` names it)."""
    tasks = case.deployed.parsed.user_tasks
    return {name for name, info in tasks.items() if task in shown_tasks(info)}


def document_ids(schema: dict, form: dict) -> list[tuple[str, int]]:
    """(field, document id) for every upload a submission references."""
    out = []
    for name in document_fields(schema):
        out += [(name, doc_id) for doc_id in form.get(name) or [] if isinstance(doc_id, int)]
    return out


def label_of(schema: dict, field: str, value: object) -> str:
    """The Chinese label of an enum value (``x-labels``), or the value itself."""
    prop = schema.get("properties", {}).get(field, {})
    return str(prop.get("x-labels", {}).get(value, value)) if value is not None else ""


def field_title(schema: dict, field: str) -> str:
    return schema.get("properties", {}).get(field, {}).get("title", field)


def deadline_note(deadline: date | None, today: date | None = None) -> tuple[str, bool]:
    """("剩余 N 个工作日" / "今日到期" / "已超期 N 个工作日", overdue) for a deadline."""
    if deadline is None:
        return "", False
    today = today or today_local()
    left = workdays_between(today, deadline)
    if deadline < today:
        # a deadline on a rest day passed without a working day in between still counts as late
        return f"已超期 {max(1, -left)} 个工作日", True
    if left == 0:
        return "今日到期", False
    return f"剩余 {left} 个工作日", False


def is_applicant(actor: Account, case: Case) -> bool:
    from service.engine.checks import is_applicant as engine_rule

    return engine_rule(actor, case)
