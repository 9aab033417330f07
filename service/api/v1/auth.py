"""``POST /api/v1/auth/token`` and ``GET /api/v1/me``."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from service.access.accounts import change_password as set_password
from service.access.login import LoginError, authenticate, issue_token, login_rate_limit
from service.access.passwords import verify_password
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body
from service.core.errors import ApiError
from service.core.extensions import db, limiter


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


@bp.post("/auth/token")
@limiter.limit(login_rate_limit)
def token():
    body = json_body(TokenRequest())
    try:
        account = authenticate(body["username"], body["password"])
    except LoginError as exc:
        raise ApiError(401, exc.message, code="account_locked" if exc.locked else "bad_credentials") from None
    plain, record = issue_token(account)
    return jsonify({"token": plain, "expires_at": record.expires_at.isoformat(),
                    "must_change_password": account.must_change_password})


@bp.get("/me")
@authenticated
def me():
    actor = caller()
    org = actor.organisation
    person = None
    if actor.physician_id:
        person = {"id": actor.physician_id, "kind": "physician"}
    elif actor.nurse_id:
        person = {"id": actor.nurse_id, "kind": "nurse"}
    return jsonify({
        "username": actor.username,
        "display_name": actor.display_name,
        "kind": actor.kind,
        "roles": actor.roles,
        "organisation": None if org is None else {
            "id": org.id, "kind": actor.kind, "name": org.name,
            "division_code": org.division_code,
        },
        "person": person,
    })


class PasswordChange(Schema):
    current = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new = fields.String(required=True, validate=validate.Length(min=1, max=128))


@bp.post("/me/password")
@authenticated
def change_password():
    """Set a new password (required first for accounts holding an initial password)."""
    body = json_body(PasswordChange())
    actor = caller()
    if not verify_password(actor.password_hash, body["current"]):
        raise ApiError(422, fields={"current": ["当前密码不正确"]})
    if body["new"] == body["current"]:
        raise ApiError(422, fields={"new": ["新密码不能与当前密码相同"]})
    problem = set_password(actor, body["new"])
    if problem:
        raise ApiError(422, fields={"new": [problem]})
    db.session.commit()
    return jsonify({"must_change_password": False})
