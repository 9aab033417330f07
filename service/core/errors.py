"""Errors: the JSON error shape under /api and /healthz, Chinese pages everywhere else."""
from __future__ import annotations

import contextlib
import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from service.core.extensions import db

log = logging.getLogger(__name__)
# SQLSTATEs of a server that is going away or not accepting yet (admin or crash shutdown,
# starting up); class 08 is any lost or refused connection
UNAVAILABLE_STATES = {"57P01", "57P02", "57P03"}
RETRY_AFTER_SECONDS = 5

CODES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "未登录或登录已失效"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "未找到该记录"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "操作冲突，请刷新后重试"),
    413: ("too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_failed", "提交的数据未通过校验"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "系统内部错误，请稍后再试"),
    503: ("unavailable", "服务暂不可用"),
}


class ApiError(Exception):
    """An error answered in the REST error shape."""

    def __init__(self, status: int, message: str | None = None, *, code: str | None = None,
                 fields: dict[str, list[str]] | None = None) -> None:
        default_code, default_message = CODES.get(status, ("error", "请求失败"))
        super().__init__(message or default_message)
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.fields = fields or {}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def error_body(status: int, message: str | None = None, code: str | None = None,
               fields: dict | None = None) -> dict:
    default_code, default_message = CODES.get(status, ("error", "请求失败"))
    body = {"code": code or default_code, "message": message or default_message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def database_unavailable(exc: DBAPIError) -> bool:
    """True when the database could not be reached (restart, failover), not a query error."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError) or not hasattr(exc.orig, "sqlstate"):
        return False  # SQLite's "database is locked" has no SQLSTATE and is not an outage
    state = exc.orig.sqlstate
    return state is None or state.startswith("08") or state in UNAVAILABLE_STATES


def _outage_page(message: str) -> str:
    """The error page; without the layout when that needs the database too (the user menu)."""
    try:
        return render_template("error.html", status=503, message=message)
    except DBAPIError:
        with contextlib.suppress(DBAPIError):
            db.session.rollback()
        return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{message}</title>'
                f"<h1>{message}</h1></html>")


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        db.session.rollback()
        return jsonify(error_body(exc.status, exc.message, exc.code, exc.fields)), exc.status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        db.session.rollback()
        if wants_json():
            return jsonify(error_body(400, "缺少或无效的 CSRF 令牌", "csrf_failed")), 400
        return render_template("error.html", status=400,
                               message="表单已过期或来源无效，请刷新页面后重新提交。"), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        message = CODES.get(status, ("error", exc.description))[1]
        # abort(403, "...") says why on the page; werkzeug's own English text never shows
        detail = exc.description if exc.description != type(exc).description else ""
        if wants_json():
            response = jsonify(error_body(status, message))
        else:
            response = app.make_response(
                (render_template("error.html", status=status, message=message, detail=detail),
                 status)
            )
        response.status_code = status
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if exc.get_headers() and dict(exc.get_headers()).get(header):
                response.headers[header] = dict(exc.get_headers())[header]
        return response

    @app.errorhandler(DBAPIError)
    def _database(exc: DBAPIError):
        # a restart or failover is a temporary state, not a fault of the service: 503 with
        # Retry-After; a keyed retry (Idempotency-Key) then tells whether the write was taken
        if isinstance(exc, OperationalError) and "database is locked" in str(exc):
            return _busy()
        if not database_unavailable(exc):
            return _unexpected(exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    type(exc.orig).__name__)
        with contextlib.suppress(DBAPIError):  # the connection may be gone already
            db.session.rollback()
        message = "数据库暂不可用，请稍后重试"
        if wants_json():
            response = jsonify(error_body(503, message))
        else:
            response = app.make_response((_outage_page(message), 503))
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def _busy():
        # SQLite's write lock still held by another writer after the busy timeout
        log.warning("database busy on %s %s", request.method, request.path)
        db.session.rollback()
        response = _http(ServiceUnavailable())
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _http(InternalServerError())
