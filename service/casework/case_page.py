"""The case page's content: documents, review comments, history, what the viewer may do.

Everything comes from the case's events; nothing here writes. The diagram: case_progress.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from service.access.models import Account
from service.casework import common as casework
from service.casework.changes import changes
from service.core.extensions import db
from service.documents import Document
from service.engine.models import Case, CaseEvent, WorkItem


@dataclass
class AttachedDocument:
    doc: Document
    field_title: str
    task_title: str
    submitted_at: object


def attached_documents(case: Case, history: list[CaseEvent]) -> list[AttachedDocument]:
    """Every document a submission of the case referenced, newest submission first."""
    found: dict[int, tuple[str, str, object]] = {}
    for event in reversed(history):
        if event.type != "task_completed":
            continue
        schema = casework.form_schema(case, event.task)
        for name, doc_id in casework.document_ids(schema, event.data.get("form") or {}):
            found.setdefault(doc_id, (casework.field_title(schema, name),
                                      casework.task_title(case, event.task), event.at))
    if not found:
        return []
    docs = {d.id: d for d in db.session.scalars(select(Document).where(Document.id.in_(found)))}
    return [AttachedDocument(docs[i], *found[i]) for i in found if i in docs]


@dataclass
class ReviewRound:
    number: int
    event: CaseEvent
    task_title: str
    decision: str
    comment: str
    field_comments: list[tuple[str, str]] = field(default_factory=list)


def review_rounds(case: Case, history: list[CaseEvent]) -> list[ReviewRound]:
    """The decisions and comments of every reviewing task (one with ``shows``), in order."""
    p = case.deployed.parsed
    rounds: list[ReviewRound] = []
    for event in history:
        info = p.user_tasks.get(event.task or "")
        if event.type != "task_completed" or not casework.shown_tasks(info):
            continue
        form = event.data.get("form") or {}
        schema = casework.form_schema(case, event.task)
        shown = casework.form_schema(case, casework.shown_tasks(info)[0])
        rounds.append(ReviewRound(
            len(rounds) + 1, event, info.title,
            casework.label_of(schema, "decision", form.get("decision")) if "decision" in form else "",
            form.get("comment") or "",
            [(casework.field_title(shown, k), v) for k, v in (form.get("field_comments") or {}).items() if v],
        ))
    return rounds


@dataclass
class HistoryRow:
    event: CaseEvent
    who: str
    organisation: str
    what: str
    detail: str = ""
    changes: str = ""  # what the step decided or changed, in one line


def _actor(account: Account | None) -> tuple[str, str]:
    if account is None:
        return "系统", ""
    org = account.organisation_name
    return account.display_name, org if org != account.display_name else ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _decided(schema: dict, form: dict) -> str:
    """A decision step: its comment and the fields it commented on."""
    parts = []
    if form.get("comment"):
        parts.append(f"意见：{_short(form['comment'])}")
    commented = [k for k, v in (form.get("field_comments") or {}).items() if v]
    if commented:
        parts.append(f"逐项意见 {len(commented)} 项")
    return "；".join(parts) or "未填写意见"


def _changed(schema: dict, before: dict | None, after: dict) -> str:
    if before is None:
        return "首次提交"
    found = changes(schema, before, after)
    if not found:
        return "与上次提交相同"
    return "修改：" + "、".join(c.title for c in found.values())


def history_rows(case: Case, history: list[CaseEvent]) -> list[HistoryRow]:
    """Who did what and when; for a submission, which fields changed since the previous one
    of the same form (the correction rounds of an application)."""
    rows = []
    for event in history:
        who, org = _actor(event.actor)
        title = casework.task_title(case, event.task) if event.task else ""
        what = casework.EVENT_TYPES.get(event.type, event.type) + (f"：{title}" if title else "")
        row = HistoryRow(event, who, org, what)
        if event.type == "task_completed":
            schema = casework.form_schema(case, event.task)
            form = event.data.get("form") or {}
            if "decision" in form:
                row.detail = casework.label_of(schema, "decision", form["decision"])
                row.changes = _decided(schema, form)
            else:
                previous = casework.latest_submission(
                    history, casework.same_form_tasks(case, event.task), before_seq=event.seq)
                row.changes = _changed(schema, previous.data.get("form") or {} if previous else None,
                                       form)
        elif event.type == "withdrawn":
            row.detail = f"撤回原因：{event.data.get('reason') or '未填写'}"
        rows.append(row)
    return rows


def may_withdraw(actor: Account, case: Case, open_items: list[WorkItem]) -> bool:
    """Shown to the applicant while every open task allows withdrawal (nobody decided yet)."""
    if case.status != "open" or not open_items or not casework.is_applicant(actor, case):
        return False
    tasks = case.deployed.parsed.user_tasks
    return all(tasks.get(i.task) is not None
               and tasks[i.task].properties.get("withdrawable") == "true" for i in open_items)


def may_audit(actor: Account) -> bool:
    return actor.has_role("auditor", "sysadmin") or actor.kind == "administration"
