"""The auditor's view of a case (D2): the event timeline with its hash chain, the chain check,
and a replay from the recorded events compared with the stored state."""
from __future__ import annotations

import json

from flask import abort, render_template
from flask_login import current_user, login_required

from service.casework import case_page
from service.casework import common as casework
from service.casework.cases import bp
from service.core.extensions import db
from service.engine import events
from service.engine.replay import replay


def audited_case(case_id: int):
    case = casework.readable_case(current_user, case_id)
    if not case_page.may_audit(current_user):
        abort(403, "审计页面仅供审计人员和卫生健康行政部门使用；业务的办理情况请在业务详情中查看。")
    return case


def render_audit(case, result: dict | None = None, revealed: str | None = None):
    """The audit page; with ``revealed`` (the auditor's recorded reason) the event data in full
    instead of masked."""
    history = events.events_of(case.id)
    problems = events.verify_chain(case, history)
    rows = case_page.history_rows(case, history)
    shown = (lambda event: event.data or {}) if revealed else (
        lambda event: casework.masked_data(case, event))
    return render_template(
        "cases/audit.html", case=case, rows=rows, problems=problems, result=result,
        revealed=revealed, auditor=current_user.has_role("auditor"),
        as_json=lambda event: json.dumps(shown(event), ensure_ascii=False, indent=1,
                                         sort_keys=True, default=str),
    )


@bp.get("/<int:case_id>/audit")
@login_required
def audit(case_id: int):
    return render_audit(audited_case(case_id))


@bp.post("/<int:case_id>/audit/replay")
@login_required
def audit_replay(case_id: int):
    case = audited_case(case_id)
    outcome = replay(case)
    # Replay feeds recorded action results back and writes nothing; make sure of it.
    db.session.rollback()
    case = casework.readable_case(current_user, case_id)
    result = {"ok": outcome.ok, "events": outcome.events,
              "detail": outcome.detail or ["重放结果与存储状态一致"]}
    return render_audit(case, result)
