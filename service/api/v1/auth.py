"""``POST /api/v1/auth/token`` and ``GET /api/v1/me``."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate

from service.access import second_factor
from service.access.accounts import change_password as set_password
from service.access.login import LoginError, authenticate, issue_token, login_rate_limit
from service.access.models import Account
from service.access.passwords import verify_password
from service.access.policy import MANAGE, require
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body
from service.core.errors import ApiError
from service.core.extensions import db, limiter


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "The user name; for physicians and nurses also a verified phone number "
                       "or a certificate number"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    otp = fields.String(validate=validate.Length(min=1, max=20), metadata={
        "description": "The authenticator's current code or an unused recovery code; required "
                       "when the account has a second factor"})


@bp.post("/auth/token")
@limiter.limit(login_rate_limit)
def token():
    body = json_body(TokenRequest())
    try:
        account = authenticate(body["username"], body["password"])
    except LoginError as exc:
        raise ApiError(401, exc.message, code="account_locked" if exc.locked else "bad_credentials") from None
    _second_factor(account, body.get("otp"))
    plain, record = issue_token(account)
    return jsonify({"token": plain, "expires_at": record.expires_at.isoformat(),
                    "must_change_password": account.must_change_password})


def _second_factor(account, otp: str | None) -> None:
    """An account with a second factor sends its code with the password; one that must have
    one and has none enrols on the pages first."""
    if second_factor.is_enrolled(account):
        if not otp:
            raise ApiError(401, "该账户已启用电子钥匙，请同时提交动态口令（otp）",
                           code="second_factor_required", fields={"otp": ["必填项"]})
        try:
            second_factor.verify(account, otp)
        except second_factor.SecondFactorError as exc:
            db.session.commit()  # the count of wrong codes survives the refusal
            raise ApiError(401, exc.message, code="second_factor_locked" if exc.locked
                           else "bad_second_factor", fields={"otp": [exc.message]}) from None
        db.session.commit()
    elif second_factor.is_required(account):
        raise ApiError(403, "该账户须先在网页上启用电子钥匙（个人设置 → 电子钥匙）",
                       code="second_factor_enrolment_required")


@bp.post("/accounts/<int:account_id>/reset-second-factor")
@authenticated
def reset_second_factor(account_id: int):
    """The platform administrator removes an account's second factor (a lost phone)."""
    actor = caller()
    if not actor.has_role("sysadmin"):
        raise ApiError(403, "只有平台管理员可以重置电子钥匙")
    target = require(actor, Account, account_id, MANAGE)
    second_factor.reset(target)
    db.session.commit()
    return jsonify({"id": target.id, "username": target.username, "second_factor": False})


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
