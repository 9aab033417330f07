"""Helpers shared by the v1 endpoints: the caller, JSON bodies, list parameters."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from marshmallow import Schema, ValidationError

from service.access.login import account_for_token
from service.access.models import Account
from service.api.v1 import scopes
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import query_id, query_int

MAX_JSON_BYTES = 256 * 1024
# What an account holding an initial (SMS) password may still do over the API.
PASSWORD_CHANGE_ENDPOINTS = {"api_v1.me", "api_v1.change_password"}
# the name of the tokens API clients hold (login tokens are named "login")
CLIENT_TOKEN = "client"


def caller() -> Account:
    return g.actor


def authenticated(view):
    """Require ``Authorization: Bearer <token>``; the account becomes ``g.actor``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "缺少访问令牌（Authorization: Bearer <token>）")
        account, record = account_for_token(token.strip())
        if account is None:
            raise ApiError(401, "访问令牌无效或已过期")
        client = record.name == CLIENT_TOKEN
        if not scopes.allowed(request.endpoint, record.scopes, client=client,
                              auditor=account.has_role("auditor") and not client):
            need = scopes.required(request.endpoint) or "（未声明）"
            raise ApiError(403, f"该令牌无权调用此接口（需要权限范围 {need}）", code="insufficient_scope")
        if account.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            raise ApiError(403, "请先修改初始密码（POST /api/v1/me/password）",
                           code="password_change_required")
        g.actor, g.token = account, record
        return view(*args, **kwargs)

    return wrapper


def json_object() -> dict:
    """The request's JSON object: 415, 413 or 400 when it is not one."""
    if not request.is_json:
        raise ApiError(415, "请求体须为 JSON（Content-Type: application/json）")
    if request.content_length and request.content_length > MAX_JSON_BYTES:
        raise ApiError(413)
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "请求体不是有效的 JSON")
    if not isinstance(data, dict):
        raise ApiError(400, "请求体须为 JSON 对象")
    return data


def json_body(schema: Schema) -> dict:
    """The request's JSON object validated by ``schema``: 415, 413, 400 or 422 otherwise."""
    data = json_object()
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiError(422, fields=_flatten(exc.messages)) from None


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                out.update(_flatten(value, name))
            else:
                out[name] = [_zh(v) for v in (value if isinstance(value, list) else [value])]
    else:
        out[prefix or "_schema"] = [_zh(m) for m in messages]
    return out


# marshmallow's built-in messages, in the language of the users
_MESSAGES = {
    "Missing data for required field.": "必填项",
    "Field may not be null.": "不能为空",
    "Not a valid string.": "须为文本",
    "Not a valid integer.": "须为整数",
    "Not a valid number.": "须为数字",
    "Not a valid boolean.": "须为 true 或 false",
    "Not a valid list.": "须为列表",
    "Not a valid mapping type.": "须为 JSON 对象",
    "Invalid input type.": "类型不正确",
    "Unknown field.": "不支持的字段",
    "Not a valid date.": "日期格式应为 YYYY-MM-DD",
    "Not a valid email address.": "电子邮箱格式不正确",
}


def _zh(message) -> str:
    text = str(message)
    if text in _MESSAGES:
        return _MESSAGES[text]
    if text.startswith("Must be one of"):
        return "取值不在允许范围内"
    if text.startswith(("Length must be", "Shorter than", "Longer than")):
        return "长度不符合要求"
    if text.startswith("Must be greater") or text.startswith("Must be less"):
        return "数值超出允许范围"
    return text


def list_limit() -> int:
    return query_int("limit", default=50, minimum=1, maximum=200)


def keyset_page(stmt, model, schema: Schema, prepare=None):
    """A page of ``stmt`` newest first, after the ``cursor`` id, as ``{items, next_cursor}``;
    ``prepare(items)`` may load what the schema reads for all of them at once."""
    cursor = query_id("cursor", "分页游标无效")
    if cursor is not None:
        stmt = stmt.where(model.id < cursor)
    limit = list_limit()
    items = list(db.session.scalars(stmt.order_by(model.id.desc()).limit(limit + 1)))
    next_cursor = str(items[limit - 1].id) if len(items) > limit else None
    if prepare is not None:
        prepare(items[:limit])
    return jsonify({"items": schema.dump(items[:limit], many=True), "next_cursor": next_cursor})
