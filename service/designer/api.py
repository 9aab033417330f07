"""The designer's REST doors: deploy (``POST /api/v1/processes``), versions, a version's
files, the diff of two versions and moving a case to a newer version."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body
from service.api.v1.idempotency import idempotent
from service.casework.api import CASE
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import query_int
from service.designer import access, diff, sources, versions
from service.designer.migrations import migrate_case
from service.engine.definitions import DefinitionError


def invalid(exc: DefinitionError) -> ApiError:
    return ApiError(422, "流程定义未通过校验，未部署", code="invalid_definition", fields=exc.fields)


@bp.post("/processes")
@authenticated
@idempotent
def deploy_process():
    access.require_designer(caller())
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "部署须使用 multipart/form-data（bpmn 文件与 forms 压缩包）")
    bpmn = request.files.get("bpmn")
    if bpmn is None:
        raise ApiError(422, fields={"bpmn": ["必填项"]})
    forms = request.files.get("forms")
    dry_run = request.form.get("dry_run", "").lower() in ("1", "true", "yes")
    try:
        source = sources.from_upload(bpmn.read(sources.MAX_BPMN_BYTES + 1),
                                     forms.read(sources.MAX_FORMS_BYTES + 1) if forms else None,
                                     bpmn.filename)
        if dry_run:
            versions.validate(source)
            return jsonify({"id": source.process_id, "valid": True, "report": {}})
        definition, created = versions.deploy(source, caller())
    except DefinitionError as exc:
        raise invalid(exc) from None
    return jsonify({"id": definition.process_id, "version": definition.version,
                    "hash": definition.content_hash}), 201 if created else 200


@bp.get("/processes/<process_id>/versions")
@authenticated
def process_versions(process_id: str):
    access.require_version_reader(caller())
    return jsonify({"items": [r.as_dict() for r in versions.versions_of(process_id)],
                    "next_cursor": None})


@bp.get("/processes/<process_id>/versions/<int:number>")
@authenticated
def process_version(process_id: str, number: int):
    access.require_version_reader(caller())
    d = versions.version(process_id, number)
    return jsonify({"id": d.process_id, "version": d.version, "hash": d.content_hash,
                    "bpmn": d.bpmn_xml, "forms": d.forms})


@bp.get("/processes/<process_id>/diff")
@authenticated
def process_diff(process_id: str):
    access.require_version_reader(caller())
    numbers = [query_int(k, minimum=1) for k in ("from", "to")]
    if None in numbers:
        raise ApiError(400, "须给出 from 与 to 两个版本号", fields={
            k: ["必填项"] for k, n in zip(("from", "to"), numbers, strict=True) if n is None})
    old, new = (versions.version(process_id, n) for n in numbers)
    result = diff.compare(old.bpmn_xml, old.forms, new.bpmn_xml, new.forms)
    return jsonify({"id": process_id, "from": old.version, "to": new.version, **result.as_dict()})


class MigrateRequest(Schema):
    to_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    dry_run = fields.Boolean(load_default=False)


@bp.post("/cases/<int:case_id>/migrate")
@authenticated
@idempotent
def migrate(case_id: int):
    access.require_designer(caller())
    body = json_body(MigrateRequest())
    outcome = migrate_case(caller(), case_id, body["to_version"], dry_run=body["dry_run"])
    if body["dry_run"]:
        return jsonify(outcome.as_dict())
    db.session.commit()
    return jsonify(CASE.dump(outcome))
