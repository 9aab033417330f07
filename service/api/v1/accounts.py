"""Account issuing over REST: the same service as the account management pages."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from service.access.accounts import AccountError, issue_account, reset_password, set_enabled
from service.access.models import Account
from service.access.policy import MANAGE, require, scope
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body, list_limit
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_phone
from service.core.params import query_id


class AccountSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    kind = fields.String()
    roles = fields.List(fields.String())
    administration_id = fields.Integer(allow_none=True)
    institution_id = fields.Integer(allow_none=True)
    phone = fields.Function(lambda a: mask_phone(a.phone))
    is_enabled = fields.Boolean()
    must_change_password = fields.Boolean()
    created_at = fields.DateTime()


class IssueRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(max=40))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    phone = fields.String(required=True, validate=validate.Length(max=20))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    roles = fields.List(fields.String(validate=validate.Length(max=32)), required=True,
                        validate=validate.Length(min=1, max=8))
    administration_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    institution_id = fields.Integer(load_default=None, allow_none=True, strict=True)


@bp.get("/accounts")
@authenticated
def accounts():
    actor = caller()
    stmt = select(Account).where(scope(actor, MANAGE, Account)).order_by(Account.id)
    after = query_id("cursor", "分页游标无效")
    if after is not None:
        stmt = stmt.where(Account.id > after)
    limit = list_limit()
    items = list(db.session.scalars(stmt.limit(limit + 1)))
    next_cursor = str(items[limit - 1].id) if len(items) > limit else None
    return jsonify({"items": AccountSchema(many=True).dump(items[:limit]),
                    "next_cursor": next_cursor})


@bp.post("/accounts")
@authenticated
def issue():
    body = json_body(IssueRequest())
    try:
        issued = issue_account(caller(), **body)
    except AccountError as exc:
        raise ApiError(422, fields=exc.fields) from None
    db.session.commit()
    return jsonify(AccountSchema().dump(issued.account)), 201


def _managed(account_id: int) -> Account:
    return require(caller(), Account, account_id, MANAGE)


@bp.post("/accounts/<int:account_id>/reset-password")
@authenticated
def reset(account_id: int):
    target = _managed(account_id)
    reset_password(caller(), target)
    db.session.commit()
    return jsonify(AccountSchema().dump(target))


@bp.post("/accounts/<int:account_id>/disable")
@authenticated
def disable(account_id: int):
    target = _managed(account_id)
    if target.id == caller().id:
        raise ApiError(409, "不能停用自己的账户")
    set_enabled(target, False)
    db.session.commit()
    return jsonify(AccountSchema().dump(target))


@bp.post("/accounts/<int:account_id>/enable")
@authenticated
def enable(account_id: int):
    target = _managed(account_id)
    set_enabled(target, True)
    db.session.commit()
    return jsonify(AccountSchema().dump(target))
