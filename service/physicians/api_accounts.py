"""P0 over REST: sign-up, activation and password recovery, on the same services as the pages.

Sign-up and recovery are public (no token) and rate-limited like the token endpoint; being
stateless, each call carries everything its step needs and the services check it again.
"""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from service.access.codes import CHANNELS, TTL
from service.access.login import login_rate_limit
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body
from service.core.errors import ApiError
from service.core.extensions import db, limiter
from service.persons.signup_api import (
    CodeBody,
    IdentityBody,
    SignupBody,
    SignupDoor,
    add_signup_routes,
)
from service.physicians import activation, recovery
from service.physicians.signup import check_identity, create_account, mask_middle, summary


class ActivationBody(Schema):
    code = fields.String(validate=validate.Length(max=32))
    certificate_number = fields.String(validate=validate.Length(max=32))


class RecoveryCodeBody(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    address = fields.String(required=True, validate=validate.Length(max=120))


class RecoveryBody(Schema):
    channel = fields.String(validate=validate.OneOf(list(CHANNELS)))
    address = fields.String(validate=validate.Length(max=120))
    code = fields.String(validate=validate.Length(max=6))
    name = fields.String(validate=validate.Length(max=40))
    id_number = fields.String(validate=validate.Length(max=18))
    certificate_number = fields.String(validate=validate.Length(max=32))
    new_password = fields.String(required=True, validate=validate.Length(max=64))


add_signup_routes("/signup", "signup", SignupDoor(
    check_identity, create_account, summary,
    lambda identity: "institution_code" if identity.registered else "certificate"))


def _activation_state() -> dict:
    info = activation.state(caller())
    return {"activated": info.activated, "method": info.method,
            "institution": info.institution.name if info.institution else None,
            "locked_minutes": info.locked_minutes}


@bp.get("/me/activation")
@authenticated
def activation_state():
    try:
        return jsonify(_activation_state())
    except activation.ActivationError as exc:
        raise ApiError(exc.status, exc.message, code=exc.code) from None


@bp.post("/me/activation")
@authenticated
@limiter.limit(login_rate_limit)
def activate():
    """Activate with the institution's ``code`` or (unregistered) the ``certificate_number``."""
    body = json_body(ActivationBody())
    if bool(body.get("code")) == bool(body.get("certificate_number")):
        raise ApiError(422, fields={"code": ["请填写激活码或医师资格证书编码（二选一）"]})
    try:
        if body.get("code"):
            activation.by_code(caller(), body["code"])
        else:
            activation.by_certificate(caller(), body["certificate_number"])
    except activation.ActivationError as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message, code=exc.code,
                       fields={exc.field: [exc.message]}) from None
    db.session.commit()
    return jsonify(_activation_state())


@bp.post("/password/recovery-codes")
@limiter.limit(login_rate_limit)
def recovery_code():
    """Send a recovery code to a verified phone or e-mail; the answer is the same for an address
    no account verified."""
    body = json_body(RecoveryCodeBody())
    try:
        recovery.send_code(body["channel"], body["address"])
    except recovery.RecoveryError as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message, code=exc.code,
                       fields={"address": [exc.message]}) from None
    db.session.commit()
    return jsonify({"sent": True, "expires_in": int(TTL.total_seconds())}), 202


@bp.post("/password/recovery")
@limiter.limit(login_rate_limit)
def recover():
    """Set a new password after proving the account: ``channel``+``address``+``code``, or
    ``name``+``id_number``+``certificate_number``. Every session of the account ends."""
    body = json_body(RecoveryBody())
    try:
        if body.get("code") is not None:
            account = recovery.check_code(body.get("channel", ""), body.get("address"),
                                          body["code"])
        else:
            account = recovery.check_personal(body.get("name"), body.get("id_number"),
                                              body.get("certificate_number"))
        recovery.reset_password(account, body["new_password"])
    except recovery.RecoveryError as exc:
        db.session.rollback()
        field = "new_password" if exc.field == "password" else exc.field
        raise ApiError(exc.status, exc.message, code=exc.code, fields={field: [exc.message]}) from None
    db.session.commit()
    return jsonify({"username": mask_middle(account.username, 2, 3)})


def openapi_paths(spec, responses) -> None:
    """Add these endpoints to the OpenAPI document (``responses`` is openapi's helper)."""
    for name, schema in (("SignupIdentity", IdentityBody), ("SignupCode", CodeBody),
                         ("SignupRequest", SignupBody), ("Activation", ActivationBody),
                         ("RecoveryCode", RecoveryCodeBody), ("Recovery", RecoveryBody)):
        spec.components.schema(name, schema=schema)

    def body(name: str) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{name}"}}}}

    obj = {"type": "object"}
    public = (400, 409, 415, 422, 429)
    spec.path("/api/v1/signup/check", operations={"post": {
        "summary": "Sign-up step 1: check name and resident ID against the qualification "
                   "records (error codes qualification_not_found, name_mismatch, account_exists)",
        "requestBody": body("SignupIdentity"), "responses": responses(obj, errors=public)}})
    spec.path("/api/v1/signup/codes", operations={"post": {
        "summary": "Send a 6-digit sign-up code (10 minutes, 5 tries) to a phone (channel sms) "
                   "or e-mail through the outbox; once a minute and 5 times an hour per address",
        "requestBody": body("SignupCode"), "responses": responses(obj, 202, errors=public)}})
    spec.path("/api/v1/signup", operations={"post": {
        "summary": "Sign-up step 2: create the physician account, not yet activated; answers "
                   "the masked account summary and how to activate it",
        "requestBody": body("SignupRequest"), "responses": responses(obj, 201, errors=public)}})
    sec = [{"bearer": []}]
    spec.path("/api/v1/me/activation", operations={
        "get": {"summary": "How the calling physician activates her account", "security": sec,
                "responses": responses(obj, errors=(401, 403))},
        "post": {"summary": "Activate with the institution's code, or (without a valid "
                            "registration) the qualification certificate number; 5 wrong "
                            "entries lock activation for 15 minutes", "security": sec,
                 "requestBody": body("Activation"),
                 "responses": responses(obj, errors=(400, 401, 403, 409, 415, 422, 429))}})
    spec.path("/api/v1/password/recovery-codes", operations={"post": {
        "summary": "Send a password-recovery code to a verified phone or e-mail (the same "
                   "answer whether or not an account verified it)",
        "requestBody": body("RecoveryCode"), "responses": responses(obj, 202, errors=public)}})
    spec.path("/api/v1/password/recovery", operations={"post": {
        "summary": "Set a new password with a recovery code, or with name, resident ID and "
                   "qualification certificate number; ends every session; answers the masked "
                   "user name", "requestBody": body("Recovery"),
        "responses": responses(obj, errors=public)}})
