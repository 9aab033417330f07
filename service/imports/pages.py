"""Legacy import pages (数据导入): upload for a dry run, the run's page with its progress bar
and row report, the real run, templates, and reconciliation (导入核对)."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from service.core.extensions import db
from service.core.params import to_int
from service.imports import kinds, reconcile, service
from service.imports.reading import template_csv
from service.imports.report import XLSX, row_report, template_xlsx

bp = Blueprint("imports", __name__, url_prefix="/imports")
ERRORS_ON_PAGE = 200


def _allowed() -> None:
    if not service.may_import(current_user):
        abort(403)


def _job(import_id: int):
    job = service.job_for(current_user, import_id)
    if job is None:
        abort(404)
    return job


@bp.get("/")
@login_required
def index():
    _allowed()
    return render_template("imports/index.html", kinds=kinds.all_kinds(),
                           jobs=service.jobs_of(current_user), errors={})


@bp.post("/")
@login_required
def upload():
    _allowed()
    try:
        job = service.create(current_user, request.form.get("kind"), request.files.get("file"),
                             dry_run=True)
    except service.ImportRefused as exc:
        return render_template("imports/index.html", kinds=kinds.all_kinds(),
                               jobs=service.jobs_of(current_user), errors=exc.fields,
                               chosen=request.form.get("kind")), exc.status
    flash("文件已上传，正在逐行检查（试导入，不写入登记库）。", "success")
    return redirect(url_for("imports.show", import_id=job.id), 303)


@bp.get("/<int:import_id>")
@login_required
def show(import_id: int):
    job = _job(import_id)
    later = None
    if job.dry_run and job.status == "succeeded":
        later = db.session.scalar(db.select(type(job)).where(
            type(job).checked_by_id == job.id, type(job).status != "rejected"))
    return render_template(
        "imports/show.html", job=job, kind=kinds.get(job.kind), later=later,
        progress=service.progress_of(job), done=service.done_of(job),
        errors=list(service.errors_of(job, ERRORS_ON_PAGE)), label=service.field_label,
        waiting=reconcile.count_waiting(job) if job.status == "succeeded" else 0,
        errors_on_page=ERRORS_ON_PAGE)


@bp.get("/<int:import_id>/status")
@login_required
def status(import_id: int):
    job = _job(import_id)
    return jsonify({"status": job.status, "status_name": job.status_name,
                    "progress": service.progress_of(job), "done": service.done_of(job),
                    "rows": job.rows, "finished": job.finished})


@bp.post("/<int:import_id>/run")
@login_required
def run(import_id: int):
    _allowed()
    try:
        job = service.run_for_real(current_user, _job(import_id))
    except service.ImportRefused as exc:
        flash("；".join(m for ms in exc.fields.values() for m in ms), "error")
        return redirect(url_for("imports.show", import_id=import_id), 303)
    flash("正式导入已开始：全部行通过检查后一次写入，任何一行失败则全部不写入。", "success")
    return redirect(url_for("imports.show", import_id=job.id), 303)


@bp.get("/<int:import_id>/report.xlsx")
@login_required
def report(import_id: int):
    job = _job(import_id)
    out = row_report(job, service.errors_of(job), service.field_label)
    return send_file(out, mimetype=XLSX, as_attachment=True,
                     download_name=f"导入检查结果-{job.id}.xlsx")


@bp.get("/template/<kind_name>.<fmt>")
@login_required
def template(kind_name: str, fmt: str):
    _allowed()
    kind = kinds.get(kind_name)
    if kind is None or fmt not in ("csv", "xlsx"):
        abort(404)
    if fmt == "csv":
        return Response(template_csv(kind), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename=import-{kind.name}.csv"})
    return send_file(template_xlsx(kind), mimetype=XLSX, as_attachment=True,
                     download_name=f"import-{kind.name}.xlsx")


@bp.get("/reconcile")
@login_required
def reconcile_list():
    _allowed()
    raw = request.args.get("import_id")
    import_id = to_int(raw) if raw else None
    items = [(p, reconcile.suggestions(p)) for p in reconcile.waiting(current_user, import_id)]
    return render_template("imports/reconcile.html", items=items, import_id=import_id)


@bp.post("/reconcile/<int:placement_id>")
@login_required
def link(placement_id: int):
    placement = reconcile.placement_for(current_user, placement_id)
    if placement is None:
        abort(404)
    try:
        reconcile.link(current_user, placement, to_int(request.form.get("institution_id")))
    except reconcile.LinkRefused as exc:
        flash(f"{placement.person_name}：{exc.message}", "error")
        return redirect(url_for("imports.reconcile_list"), 303)
    db.session.commit()
    flash(f"已将{placement.person_name}关联到所选医疗机构，并记入登记历史。", "success")
    return redirect(url_for("imports.reconcile_list", import_id=request.args.get("import_id") or None), 303)
