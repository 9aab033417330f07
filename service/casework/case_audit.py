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


def _audited_case(case_id: int):
    case = casework.readable_case(current_user, case_id)
    if not case_page.may_audit(current_user):
        abort(403, "审计页面仅供审计人员和卫生健康行政部门使用；业务的办理情况请在业务详情中查看。")
    return case


def _render(case, result: dict | None = None):
    history = events.events_of(case.id)
    problems = events.verify_chain(case, history)
    rows = case_page.history_rows(case, history)
    return render_template(
        "cases/audit.html", case=case, rows=rows, problems=problems, result=result,
        as_json=lambda event: json.dumps(casework.masked_data(case, event), ensure_ascii=False,
                                         indent=1, sort_keys=True),
    )


@bp.get("/<int:case_id>/audit")
@login_required
def audit(case_id: int):
    return _render(_audited_case(case_id))


@bp.post("/<int:case_id>/audit/replay")
@login_required
def audit_replay(case_id: int):
    case = _audited_case(case_id)
    outcome = replay(case)
    # Replay feeds recorded action results back and writes nothing; make sure of it.
    db.session.rollback()
    case = casework.readable_case(current_user, case_id)
    result = {"ok": outcome.ok, "events": outcome.events,
              "detail": outcome.detail or ["重放结果与存储状态一致"]}
    return _render(case, result)
