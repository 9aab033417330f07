"""Legacy import over REST: upload (dry run or real run), the template, a run's state with
its progress and row errors, the row report as XLSX, and reconciliation."""
from __future__ import annotations

from flask import Response, jsonify, request, send_file

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import MAX_ID, to_int
from service.imports import kinds, reconcile, service
from service.imports.models import ImportJob, Placement
from service.imports.reading import template_csv
from service.imports.report import XLSX, row_report

# row errors in the JSON answer; the XLSX report holds every kept one
ERRORS_IN_ANSWER = 1000
TRUE = {"1", "true", "yes", "on"}


def job_body(job: ImportJob, with_errors: bool = True) -> dict:
    body = {
        "id": job.id, "kind": job.kind, "dry_run": job.dry_run, "status": job.status,
        "file_name": job.file_name, "rows": job.rows, "done": service.done_of(job),
        "progress": service.progress_of(job), "imported": job.imported,
        "error_count": job.error_count, "message": job.message,
        "checked_by": job.checked_by_id,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "waiting_links": reconcile.count_waiting(job) if job.status == "succeeded" else 0,
    }
    if with_errors:
        body["errors"] = [{"row": e.row, "field": e.field, "message": e.message}
                          for e in service.errors_of(job, ERRORS_IN_ANSWER)]
    return body


def _refused(exc: service.ImportRefused) -> ApiError:
    return ApiError(exc.status, fields=exc.fields)


def _job(job_id: int) -> ImportJob:
    job = service.job_for(caller(), job_id)
    if job is None:
        raise ApiError(404)
    return job


@bp.post("/imports")
@authenticated
def create_import():
    dry_run = (request.form.get("dry_run") or "").strip().lower() in TRUE
    try:
        job = service.create(caller(), request.form.get("kind"), request.files.get("file"), dry_run)
    except service.ImportRefused as exc:
        raise _refused(exc) from None
    return jsonify({"id": job.id, "status": job.status, "progress": service.progress_of(job)}), 202


@bp.get("/imports/template")
@authenticated
def import_template():
    kind = kinds.get(request.args.get("kind") or "")
    if kind is None:
        raise ApiError(400, fields={"kind": ["请选择数据类别（institutions、physicians 或 nurses）"]})
    return Response(template_csv(kind), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=import-{kind.name}.csv"})


@bp.get("/imports/<int:import_id>")
@authenticated
def get_import(import_id: int):
    return jsonify(job_body(_job(import_id)))


@bp.get("/imports/<int:import_id>/report")
@authenticated
def import_report(import_id: int):
    job = _job(import_id)
    out = row_report(job, service.errors_of(job), service.field_label)
    return send_file(out, mimetype=XLSX, as_attachment=True,
                     download_name=f"import-{job.id}-report.xlsx")


@bp.post("/imports/<int:import_id>/run")
@authenticated
def run_import(import_id: int):
    try:
        job = service.run_for_real(caller(), _job(import_id))
    except service.ImportRefused as exc:
        raise _refused(exc) from None
    return jsonify({"id": job.id, "status": job.status, "progress": service.progress_of(job)}), 202


def placement_body(placement: Placement, with_suggestions: bool = True) -> dict:
    body = {
        "id": placement.id, "import_id": placement.import_id, "kind": placement.kind,
        "row": placement.row, "person_id": placement.person_id, "name": placement.person_name,
        "institution_name": placement.institution_name,
        "division_code": placement.division_code, "institution_id": placement.institution_id,
        "linked_at": placement.linked_at.isoformat() if placement.linked_at else None,
    }
    if with_suggestions:
        body["suggestions"] = [
            {"institution_id": s.institution_id, "name": s.name,
             "division_code": s.division_code, "score": s.score}
            for s in reconcile.suggestions(placement)]
    return body


@bp.get("/imports/placements")
@authenticated
def import_placements():
    raw = request.args.get("import_id")
    import_id = to_int(raw) if raw else None
    if raw and import_id is None:
        raise ApiError(400, fields={"import_id": ["须为导入任务编号"]})
    items = reconcile.waiting(caller(), import_id)
    return jsonify({"items": [placement_body(p) for p in items], "next_cursor": None})


@bp.post("/imports/placements/<int:placement_id>/link")
@authenticated
def link_placement(placement_id: int):
    placement = reconcile.placement_for(caller(), placement_id)
    if placement is None:
        raise ApiError(404)
    data = json_object()
    institution_id = data.get("institution_id")
    if not isinstance(institution_id, int) or isinstance(institution_id, bool) \
            or not 0 < institution_id <= MAX_ID:
        raise ApiError(422, fields={"institution_id": ["请选择本机关辖区内的医疗机构"]})
    try:
        reconcile.link(caller(), placement, institution_id)
    except reconcile.LinkRefused as exc:
        field = "institution_id" if exc.status == 422 else "_schema"
        raise ApiError(exc.status, fields={field: [exc.message]}) from None
    db.session.commit()
    return jsonify(placement_body(placement, with_suggestions=False))
