"""Activation and password recovery over REST for every person's account (physicians and
nurses), on the same services as the pages: ``/me/activation`` for the calling person,
``/password/recovery-codes`` and ``/password/recovery`` public and rate-limited like the token
endpoint; being stateless, each call carries everything its step needs."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from service.access.codes import CHANNELS, TTL
from service.access.login import login_rate_limit
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body
from service.api.v1.openapi import responses, section
from service.core.errors import ApiError
from service.core.extensions import db, limiter
from service.core.masking import mask_email, mask_phone
from service.persons import activation, recovery
from service.persons.activation_codes import LIVE
from service.persons.signup import mask_middle


class ActivationCodeSchema(Schema):
    id = fields.Integer()
    physician_id = fields.Integer(allow_none=True)
    nurse_id = fields.Integer(allow_none=True)
    physician_name = fields.Function(lambda c: c.physician.name if c.physician else None)
    person_name = fields.Function(lambda c: (c.physician or c.nurse).name)
    # The institution tells a live code in person when the SMS does not arrive (seed 003 §5);
    # a used or void one is of no use to anybody.
    code = fields.Function(lambda c: c.code if c.status in LIVE else c.code[:2] + "******")
    status = fields.String()
    status_name = fields.String()
    sent_phone = fields.Function(lambda c: mask_phone(c.sent_phone))
    sent_email = fields.Function(lambda c: mask_email(c.sent_email))
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    used_at = fields.DateTime(allow_none=True)


class RevocationSchema(Schema):
    id = fields.Integer()
    account_id = fields.Integer()
    username = fields.Function(lambda r: r.account.username)
    physician_id = fields.Integer(allow_none=True)
    nurse_id = fields.Integer(allow_none=True)
    reason = fields.String()
    revoked_at = fields.DateTime()


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
        raise ApiError(422, fields={"code": ["请填写激活码或资格证书编号（二选一）"]})
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



@section
def account_paths(spec, sec: list) -> None:
    for name, schema in (("Activation", ActivationBody), ("RecoveryCode", RecoveryCodeBody),
                         ("Recovery", RecoveryBody), ("ActivationCode", ActivationCodeSchema),
                         ("AccountRevocation", RevocationSchema)):
        spec.components.schema(name, schema=schema)

    def body(name: str) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{name}"}}}}

    obj = {"type": "object"}
    public = (400, 409, 415, 422, 429)
    spec.path("/api/v1/me/activation", operations={
        "get": {"summary": "How the calling physician or nurse activates her account", "security": sec,
                "responses": responses(obj, errors=(401, 403))},
        "post": {"summary": "Activate with the institution's code, or (without a valid "
                            "registration) her qualification's number (医师资格证书编码 / 护士执业资格考试合格证明编号); 5 wrong "
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
