"""Errors: the JSON error shape under /api and /healthz, Chinese pages everywhere else."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from service.core.extensions import db

log = logging.getLogger(__name__)

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
        if wants_json():
            response = jsonify(error_body(status, message))
        else:
            response = app.make_response(
                (render_template("error.html", status=status, message=message), status)
            )
        response.status_code = status
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if exc.get_headers() and dict(exc.get_headers()).get(header):
                response.headers[header] = dict(exc.get_headers())[header]
        return response

    @app.errorhandler(OperationalError)
    def _busy(exc: OperationalError):
        # SQLite's write lock still held by another writer after the busy timeout
        if "database is locked" not in str(exc):
            return _unexpected(exc)
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
