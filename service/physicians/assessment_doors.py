"""考核信息 through the doors: administrations import a file (a page with the template, and
``POST /api/v1/physicians/assessments/import``); the physician and her institutions read a
physician's records (``GET /api/v1/physicians/{id}/assessments``)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, render_template, request
from flask_login import current_user, login_required
from marshmallow import Schema, fields
from sqlalchemy import select

from service.access.models import Account
from service.access.policy import READ, require, scope
from service.api.v1 import bp as api_bp
from service.api.v1.common import authenticated, caller
from service.api.v1.openapi import path_param, responses, section
from service.core.errors import ApiError
from service.core.extensions import db
from service.physicians.assessments import (
    COLUMNS,
    ImportRefused,
    PhysicianAssessment,
    grounds,
    import_assessments,
    records_of,
    template_csv,
)
from service.physicians.models import Physician

bp = Blueprint("physician_assessments", __name__, url_prefix="/physicians/assessments")
RECENT = 50
ROLE = "bureau_clerk"


class AssessmentSchema(Schema):
    id = fields.Integer()
    cycle_start = fields.Integer()
    cycle_end = fields.Integer()
    attempt = fields.Integer()
    attempt_name = fields.String()
    result = fields.String()
    result_name = fields.String()
    assessing_body = fields.String()
    assessed_on = fields.Date(allow_none=True)


def _importer(actor: Account) -> bool:
    return actor.kind == "administration" and actor.has_role(ROLE)


def _run(actor: Account, upload, dry_run: bool):
    """Import the uploaded file; commit on success, roll back (keeping nothing) on refusal."""
    try:
        result = import_assessments(actor, upload.filename or "", upload.read(), dry_run)
    except ImportRefused:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return result


def _template_response() -> Response:
    response = Response(template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="assessments-template.csv"'
    return response


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    if not _importer(current_user):
        abort(404)
    result, refused, status = None, None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            refused, status = ImportRefused("请选择要导入的文件"), 422
        else:
            try:
                result = _run(current_user, upload, request.form.get("dry_run") == "1")
            except ImportRefused as exc:
                refused, status = exc, 422
            else:
                verb = "校验通过（未导入）" if request.form.get("dry_run") == "1" else "已导入"
                flash(f"{verb}：共 {result.rows} 条，新增 {result.created} 条，更新 {result.updated} 条。",
                      "success")
    recent = db.session.scalars(select(PhysicianAssessment).join(Physician).where(
        scope(current_user, READ, Physician)).order_by(PhysicianAssessment.id.desc())
        .limit(RECENT)).all()
    return render_template("physician/assessment_import.html", refused=refused, result=result,
                           recent=recent, columns=COLUMNS), status


@bp.get("/template.csv")
@login_required
def template():
    if not _importer(current_user):
        abort(404)
    return _template_response()


@api_bp.post("/physicians/assessments/import")
@authenticated
def import_api():
    actor = caller()
    if not _importer(actor):
        raise ApiError(403, "只有卫生健康行政部门可以导入定期考核信息")
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "上传文件须使用 multipart/form-data")
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "缺少上传的文件（file）", fields={"file": ["必填项"]})
    dry_run = request.form.get("dry_run", "").lower() in ("1", "true")
    try:
        result = _run(actor, upload, dry_run)
    except ImportRefused as exc:
        fields_ = {f"{e['row']}.{e['field']}": [e["message"]] for e in exc.errors}
        raise ApiError(422, exc.message, code="import_rejected",
                       fields=fields_ or {"file": [exc.message]}) from None
    return jsonify({"rows": result.rows, "created": result.created, "updated": result.updated,
                    "dry_run": dry_run})


@api_bp.get("/physicians/assessments/template.csv")
@authenticated
def template_api():
    return _template_response()


@api_bp.get("/physicians/<int:physician_id>/assessments")
@authenticated
def physician_assessments(physician_id: int):
    physician = require(caller(), Physician, physician_id)
    records = records_of(physician.id)
    return jsonify({"items": AssessmentSchema(many=True).dump(records),
                    "grounds": grounds(records)})


@section
def assessment_paths(spec, sec: list) -> None:
    spec.components.schema("PhysicianAssessment", schema=AssessmentSchema)
    spec.path("/api/v1/physicians/{physician_id}/assessments", operations={"get": {
        "summary": "考核信息: a physician's periodic assessments, newest cycle first, and the "
                   "cancellation grounds they make; for her and whoever reads her",
        "security": sec, "parameters": path_param("physician_id"),
        "responses": responses({"type": "object", "properties": {
            "items": {"type": "array", "items": {
                "$ref": "#/components/schemas/PhysicianAssessment"}},
            "grounds": {"type": "array", "items": {"type": "string"}}}})}})
    spec.path("/api/v1/physicians/assessments/import", operations={"post": {
        "summary": "Import periodic assessment records (CSV or XLSX, the template's columns; "
                   "administrations, physicians of their area): all rows or none; 422 "
                   "import_rejected names each row's problems as `<row>.<field>`",
        "security": sec,
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "dry_run": {"type": "string", "enum": ["true", "false", "1", "0"]}}}}}},
        "responses": responses({"type": "object", "properties": {
            "rows": {"type": "integer"}, "created": {"type": "integer"},
            "updated": {"type": "integer"}, "dry_run": {"type": "boolean"}}},
            errors=(400, 401, 403, 415, 422))}})
    spec.path("/api/v1/physicians/assessments/template.csv", operations={"get": {
        "summary": "The import template of periodic assessment records (CSV, Chinese header)",
        "security": sec, "responses": {**responses(None, errors=(401,)), "200": {
            "description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}}})
