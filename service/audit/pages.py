"""The audit workspace: find cases, open a case's timeline and replay (the case's audit page),
reveal masked event data and export bundles with a reason, run chain verifications over a
range, and read the access log."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access.models import Account
from service.audit import access_log, bundle, chain, search
from service.audit.models import ACCESS_ACTIONS, RUN_STATUSES, ChainRun
from service.casework.case_audit import audited_case, render_audit
from service.core.extensions import db
from service.core.params import query_id
from service.engine import definitions

bp = Blueprint("audit", __name__, url_prefix="/audit")
REASON_MIN = 4


def _auditor() -> None:
    if not current_user.has_role("auditor"):
        abort(403, "审计工作台仅供审计员使用；办理情况请在业务查询中查看。")


def reason_of(raw: str | None) -> tuple[str | None, str | None]:
    """The reason an auditor gave, or the Chinese error."""
    reason = (raw or "").strip()
    if len(reason) < REASON_MIN:
        return None, f"请填写事由（至少 {REASON_MIN} 个字），该操作将记入访问日志"
    return reason[:200], None


def _next(endpoint: str, cursor: int | None) -> str | None:
    """The next page with the same filters."""
    if cursor is None:
        return None
    return url_for(endpoint, **{k: v for k, v in request.args.items() if k != "cursor"},
                   cursor=cursor)


def _processes() -> dict[str, str]:
    return {d.process_id: d.name for d in definitions.all_latest()}


@bp.get("/")
@login_required
def index():
    _auditor()
    filters, errors = search.parse(request.args)
    cases, next_cursor = ([], None) if errors else search.page(
        current_user, filters, query_id("cursor", "分页游标无效"))
    return render_template("audit/index.html", cases=cases, next_url=_next("audit.index", next_cursor),
                           filters=filters, errors=errors, processes=_processes(),
                           statuses=search.STATUSES, args=request.args)


def _with_reason(case_id: int, raw: str | None, act) -> Response:
    """An auditor's act on a case that needs a reason: back to the audit page when none."""
    _auditor()
    case = audited_case(case_id)
    reason, error = reason_of(raw)
    if error:
        flash(error, "error")
        return redirect(url_for("cases.audit", case_id=case.id))
    return act(case, reason)


def _reveal(case, reason: str):
    access_log.record(current_user, "reveal", "case", case.id, "事件数据（未遮蔽）", reason)
    db.session.commit()
    return render_audit(audited_case(case.id), revealed=reason)


@bp.post("/cases/<int:case_id>/reveal")
@login_required
def reveal(case_id: int):
    """The event data in full, for an auditor who recorded why."""
    return _with_reason(case_id, request.form.get("reason"), _reveal)


@bp.get("/cases/<int:case_id>/bundle", endpoint="bundle")
@login_required
def bundle_download(case_id: int):
    return _with_reason(case_id, request.args.get("reason"),
                        lambda case, reason: bundle_response(case, current_user, reason))


def bundle_response(case, actor: Account, reason: str) -> Response:
    """The zip, recorded in the access log with the reason."""
    body = bundle.build(case, actor, reason)
    access_log.record(actor, "bundle", "case", case.id, "审计包", reason)
    db.session.commit()
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="audit-case-{case.id}.zip"'})


@bp.get("/chain")
@login_required
def chain_runs():
    _auditor()
    runs = db.session.scalars(select(ChainRun).where(ChainRun.account_id == current_user.id)
                              .order_by(ChainRun.id.desc()).limit(20))
    return render_template("audit/chain_runs.html", runs=list(runs), processes=_processes(),
                           statuses=RUN_STATUSES, errors={}, form={})


@bp.post("/chain")
@login_required
def start_chain_run():
    _auditor()
    form = request.form
    filters, errors = search.parse(form)
    division = form.get("division", "").strip()
    if division and not (division.isdigit() and len(division) == 6):
        errors["division"] = ["须为 6 位行政区划代码"]
    if errors:
        runs = db.session.scalars(select(ChainRun).where(ChainRun.account_id == current_user.id)
                                  .order_by(ChainRun.id.desc()).limit(20))
        return render_template("audit/chain_runs.html", runs=list(runs), processes=_processes(),
                               statuses=RUN_STATUSES, errors=errors, form=form), 422
    run = chain.start(current_user, process_id=filters.process, division_code=division,
                      since=search.beijing_day_start(filters.since) if filters.since else None,
                      until=search.day_after(filters.until))
    db.session.commit()
    flash("已开始校验，进度见下方。", "success")
    return redirect(url_for("audit.chain_run", run_id=run.id))


@bp.get("/chain/<int:run_id>")
@login_required
def chain_run(run_id: int):
    _auditor()
    run = db.session.get(ChainRun, run_id)
    if run is None or run.account_id != current_user.id:
        abort(404)
    return render_template("audit/chain_run.html", run=run, progress=chain.progress(run),
                           statuses=RUN_STATUSES)


@bp.get("/access-log", endpoint="access_log")
@login_required
def access_log_page():
    _auditor()
    rows, next_cursor, errors = access_log.query(request.args)
    return render_template("audit/access_log.html", rows=rows,
                           next_url=_next("audit.access_log", next_cursor),
                           errors=errors, args=request.args, actions=ACCESS_ACTIONS,
                           kinds=access_log.RECORD_KINDS)

