"""REST for the institution's physician functions (P11): the same services as the pages under
``/institution``. Reads are open to whoever may read the institution (itself, administrations
above it); writes are the institution's own."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields
from sqlalchemy import select

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object, keyset_page, list_limit
from service.api.v1.idempotency import idempotent
from service.casework.api import CaseSchema
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id, mask_phone
from service.core.paging import QueryError
from service.persons import activation_codes as activation
from service.persons.accounts_api import ActivationCodeSchema, RevocationSchema
from service.persons.models import ActivationCode
from service.physicians import lookups, services
from service.physicians.accounts import PHYSICIAN
from service.physicians.lists import (
    LISTS,
    ApplicationFilters,
    RosterFilters,
    application_page,
    roster_page,
)


def _named(obj) -> dict | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


class AuthoritySettingSchema(Schema):
    category = fields.String()
    category_name = fields.String()
    administration = fields.Function(lambda s: _named(s.administration))
    is_default = fields.Boolean()
    in_chain = fields.Boolean()
    version = fields.Function(lambda s: s.setting.version if s.setting else 0)
    choices = fields.Function(lambda s: [_named(a) for a in s.choices])


class DepartmentSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()
    subjects = fields.Function(lambda d: d.subject_codes)
    version = fields.Integer()


class RosterRowSchema(Schema):
    physician_id = fields.Function(lambda r: r.physician.id)
    registration_id = fields.Function(lambda r: r.registration.id)
    name = fields.Function(lambda r: r.physician.name)
    gender = fields.Function(lambda r: r.physician.gender)
    age = fields.Integer()
    id_number = fields.Function(lambda r: mask_id(r.physician.id_number))
    phone = fields.Function(lambda r: mask_phone(r.physician.phone))
    category = fields.Function(lambda r: r.registration.category)
    level = fields.Function(lambda r: r.registration.level)
    scope = fields.Function(lambda r: r.registration.scope)
    certificate_number = fields.Function(lambda r: r.registration.certificate_number)
    kind = fields.Function(lambda r: r.registration.kind)
    status = fields.Function(lambda r: r.registration.status)
    institution = fields.Function(lambda r: _named(r.registration.institution))
    other_institution = fields.Function(lambda r: _named(r.other_institution))
    valid_from = fields.Function(lambda r: r.registration.valid_from.isoformat())
    valid_to = fields.Function(
        lambda r: r.registration.valid_to.isoformat() if r.registration.valid_to else None)
    department = fields.Function(lambda r: _named(r.department))
    account_state = fields.String()


class LookupRegistrationSchema(Schema):
    kind = fields.String()
    kind_name = fields.String()
    institution = fields.Function(lambda r: _named(r.institution))
    category = fields.String()
    level = fields.String()
    scope = fields.String()
    location = fields.String(attribute="location_code")
    certificate_number = fields.String(allow_none=True)
    status = fields.String()
    status_name = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)


class PhysicianCaseSchema(CaseSchema):
    process_name = fields.Function(lambda c: c.deployed.name)
    physician = fields.Function(lambda c: {
        "id": c.subject_physician.id, "name": c.subject_physician.name,
        "id_number": mask_id(c.subject_physician.id_number)} if c.subject_physician else None)
    institution = fields.Function(lambda c: _named(c.subject_institution))


def _field(body: dict, name: str, missing: object = ...) -> object:
    if name not in body:
        if missing is ...:
            raise ApiError(422, fields={name: ["必填项"]})
        return missing
    return body[name]


# --- settings and departments --------------------------------------------------------------

@bp.get("/institutions/<int:institution_id>/approval-authorities")
@authenticated
def approval_authorities(institution_id: int):
    inst = services.institution_in_scope(caller(), institution_id)
    return jsonify({"items": AuthoritySettingSchema(many=True).dump(services.authority_settings(inst)),
                    "next_cursor": None})


@bp.put("/institutions/<int:institution_id>/approval-authorities/<category>")
@authenticated
@idempotent
def set_approval_authority(institution_id: int, category: str):
    inst = services.own_institution(caller(), institution_id, manage=True)
    body = json_object()
    services.set_approval_authority(caller(), inst, category, _field(body, "administration_id"))
    db.session.commit()
    setting = next(s for s in services.authority_settings(inst) if s.category == category)
    return jsonify(AuthoritySettingSchema().dump(setting))


@bp.get("/institutions/<int:institution_id>/departments")
@authenticated
def departments(institution_id: int):
    inst = services.institution_in_scope(caller(), institution_id)
    return jsonify({"items": DepartmentSchema(many=True).dump(services.departments(inst)),
                    "next_cursor": None})


@bp.post("/institutions/<int:institution_id>/departments")
@authenticated
@idempotent
def add_department(institution_id: int):
    inst = services.own_institution(caller(), institution_id, manage=True)
    body = json_object()
    dept = services.add_department(caller(), inst, body.get("code"), body.get("name"),
                                   body.get("subjects"))
    db.session.commit()
    return jsonify(DepartmentSchema().dump(dept)), 201


@bp.patch("/institutions/<int:institution_id>/departments/<int:department_id>")
@authenticated
@idempotent
def update_department(institution_id: int, department_id: int):
    inst = services.own_institution(caller(), institution_id, manage=True)
    body = json_object()
    unknown = set(body) - {"name", "subjects", "active"}
    if unknown:
        raise ApiError(422, fields={k: ["不支持的字段"] for k in sorted(unknown)})
    dept = services.update_department(caller(), inst, department_id, **body)
    db.session.commit()
    return jsonify(DepartmentSchema().dump(dept))


@bp.put("/institutions/<int:institution_id>/physicians/<int:physician_id>/department")
@authenticated
@idempotent
def assign_department(institution_id: int, physician_id: int):
    inst = services.own_institution(caller(), institution_id)
    body = json_object()
    dept = services.assign_department(caller(), inst, physician_id,
                                      _field(body, "department_id"))
    db.session.commit()
    return jsonify({"physician_id": physician_id, "department": DepartmentSchema().dump(dept)
                    if dept else None})


# --- lists -----------------------------------------------------------------------------------

@bp.get("/institutions/<int:institution_id>/physicians")
@authenticated
def roster(institution_id: int):
    inst = services.institution_in_scope(caller(), institution_id)
    kind = request.args.get("list", "main")
    if kind not in LISTS:
        raise ApiError(400, fields={"list": [f"应为 {'、'.join(LISTS)} 之一"]})
    try:
        flt = RosterFilters.from_args(request.args)
        rows, next_cursor = roster_page(caller(), inst, kind, flt, list_limit(),
                                        request.args.get("cursor") or None)
    except QueryError as exc:
        raise ApiError(400, "查询参数不正确", fields=exc.fields) from None
    return jsonify({"items": RosterRowSchema(many=True).dump(rows), "next_cursor": next_cursor})


@bp.get("/institutions/<int:institution_id>/physician-cases")
@authenticated
def physician_cases(institution_id: int):
    inst = services.institution_in_scope(caller(), institution_id)
    try:
        flt = ApplicationFilters.from_args(request.args)
        cases, next_cursor = application_page(caller(), inst, flt, list_limit(),
                                              request.args.get("cursor") or None)
    except QueryError as exc:
        raise ApiError(400, "查询参数不正确", fields=exc.fields) from None
    return jsonify({"items": PhysicianCaseSchema(many=True).dump(cases),
                    "next_cursor": next_cursor})


# --- activation codes and account revocation -------------------------------------------------

@bp.get("/institutions/<int:institution_id>/activation-codes")
@authenticated
def activation_codes(institution_id: int):
    inst = services.own_institution(caller(), institution_id)
    stmt = select(ActivationCode).where(ActivationCode.institution_id == inst.id,
                                        ActivationCode.physician_id.isnot(None))
    return keyset_page(stmt, ActivationCode, ActivationCodeSchema())


@bp.post("/institutions/<int:institution_id>/activation-codes")
@authenticated
@idempotent
def generate_activation_code(institution_id: int):
    inst = services.own_institution(caller(), institution_id)
    body = json_object()
    record = activation.generate(PHYSICIAN, caller(), inst, _field(body, "physician_id"))
    db.session.commit()
    return jsonify(ActivationCodeSchema().dump(record)), 201


@bp.post("/institutions/<int:institution_id>/activation-codes/<int:code_id>/revoke")
@authenticated
@idempotent
def revoke_activation_code(institution_id: int, code_id: int):
    inst = services.own_institution(caller(), institution_id)
    record = activation.revoke_code(caller(), inst, code_id)
    db.session.commit()
    return jsonify(ActivationCodeSchema().dump(record))


@bp.post("/institutions/<int:institution_id>/physicians/<int:physician_id>/accounts/"
         "<int:account_id>/revoke")
@authenticated
@idempotent
def revoke_physician_account(institution_id: int, physician_id: int, account_id: int):
    inst = services.own_institution(caller(), institution_id)
    body = json_object()
    done = activation.revoke_account(PHYSICIAN, caller(), inst, physician_id, account_id,
                                     body.get("reason"))
    db.session.commit()
    return jsonify(RevocationSchema().dump(done.revocation)), 201


# --- verification by resident ID -------------------------------------------------------------

@bp.get("/physician-registrations")
@authenticated
def registration_lookup():
    """A physician's registrations by resident ID, nationwide (医师注册信息验证)."""
    physician, registrations = lookups.find_registrations(caller(), request.args.get("id_number"))
    q = physician.qualification
    return jsonify({
        "physician": {"name": physician.name, "gender": physician.gender,
                      "id_number": mask_id(physician.id_number),
                      "certificate_number": physician.certificate_number,
                      "qualification": {"certificate_number": q.certificate_number,
                                        "category": q.category, "level": q.level,
                                        "year": q.year}},
        "items": LookupRegistrationSchema(many=True).dump(registrations),
        "conduct": [{"title": r.title, "summary": r.summary, "points": r.points, "entries": r.entries}
                    for r in lookups.conduct_of(physician)],
    })
