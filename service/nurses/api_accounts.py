"""Nurse accounts over REST: sign-up under ``/api/v1/nurses/signup`` on the shared door; the
institution's activation codes for its nurses and the revocation of an account that is not
hers (activation and recovery themselves are every person's: ``service.persons.accounts_api``)."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from service.access.policy import READ, require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object, keyset_page
from service.api.v1.idempotency import idempotent
from service.core.extensions import db
from service.institutions.face import Institution
from service.nurses.accounts import NURSE
from service.nurses.signup import check_identity, create_account, summary
from service.persons import activation_codes
from service.persons.accounts_api import ActivationCodeSchema, RevocationSchema
from service.persons.models import ActivationCode
from service.persons.signup_api import SignupDoor, add_signup_routes, register_schemas

add_signup_routes("/nurses/signup", "nurse_signup", SignupDoor(
    check_identity, create_account, summary,
    lambda identity: "institution_code" if identity.registered else "registration"))


def _own(institution_id: int) -> Institution:
    return activation_codes.acting_for(
        caller(), require(caller(), Institution, institution_id, READ), "护士")


@bp.get("/institutions/<int:institution_id>/nurse-activation-codes")
@authenticated
def nurse_activation_codes(institution_id: int):
    inst = _own(institution_id)
    return keyset_page(select(ActivationCode).where(
        ActivationCode.institution_id == inst.id, ActivationCode.nurse_id.isnot(None)),
        ActivationCode, ActivationCodeSchema())


@bp.post("/institutions/<int:institution_id>/nurse-activation-codes")
@authenticated
@idempotent
def generate_nurse_activation_code(institution_id: int):
    inst = _own(institution_id)
    record = activation_codes.generate(NURSE, caller(), inst, json_object().get("nurse_id"))
    db.session.commit()
    return jsonify(ActivationCodeSchema().dump(record)), 201


@bp.post("/institutions/<int:institution_id>/nurses/<int:nurse_id>/accounts/<int:account_id>"
         "/revoke")
@authenticated
@idempotent
def revoke_nurse_account(institution_id: int, nurse_id: int, account_id: int):
    inst = _own(institution_id)
    done = activation_codes.revoke_account(NURSE, caller(), inst, nurse_id, account_id,
                                           json_object().get("reason"))
    db.session.commit()
    return jsonify(RevocationSchema().dump(done.revocation)), 201


def openapi_paths(spec, responses) -> None:
    """The nurse sign-up endpoints (bodies as the physician ones: SignupIdentity ...)."""
    register_schemas(spec)
    obj, public = {"type": "object"}, (400, 409, 415, 422, 429)

    def body(name: str) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{name}"}}}}

    for path, schema, status, summary_text in (
            ("/check", "SignupIdentity", 200, "Nurse sign-up step 1: check name and resident "
             "ID against the nurse exam records"),
            ("/codes", "SignupCode", 202, "Send a nurse sign-up code to a phone or e-mail"),
            ("", "SignupRequest", 201, "Nurse sign-up step 2: create the nurse account, not "
             "yet activated (her first registration activates it)")):
        spec.path(f"/api/v1/nurses/signup{path}", operations={"post": {
            "summary": summary_text, "requestBody": body(schema),
            "responses": responses(obj, status, errors=public)}})
    sec = [{"bearer": []}]
    ids = [{"name": n, "in": "path", "required": True, "schema": {"type": "integer"}}
           for n in ("institution_id", "nurse_id", "account_id")]
    code = {"$ref": "#/components/schemas/ActivationCode"}
    spec.path("/api/v1/institutions/{institution_id}/nurse-activation-codes", operations={
        "get": {"summary": "The activation codes the institution generated for its nurses",
                "security": sec, "parameters": ids[:1],
                "responses": responses({"type": "object", "properties": {
                    "items": {"type": "array", "items": code},
                    "next_cursor": {"type": "string", "nullable": True}}},
                    errors=(400, 401, 403, 404, 409))},
        "post": {"summary": "A new activation code for a nurse registered here (body "
                            "`{\"nurse_id\"}`), sent to her phone and e-mail; her earlier unused "
                            "codes are void (409 when her account is already activated)",
                 "security": sec, "parameters": ids[:1], "requestBody": {
                     "required": True, "content": {"application/json": {"schema": obj}}},
                 "responses": responses(code, 201, errors=(400, 401, 403, 404, 409, 415))}})
    spec.path("/api/v1/institutions/{institution_id}/nurses/{nurse_id}/accounts/{account_id}"
              "/revoke", operations={"post": {
                  "summary": "Revoke an account the nurse says is not hers (body `{\"reason\"}`): "
                             "disabled, sessions and tokens end, she can sign up again",
                  "security": sec, "parameters": ids, "requestBody": {
                      "required": True, "content": {"application/json": {"schema": obj}}},
                  "responses": responses({"$ref": "#/components/schemas/AccountRevocation"}, 201,
                                         errors=(400, 401, 403, 404, 409, 415, 422))}})
