"""Sign-up over REST for every persons' domain: three public, rate-limited endpoints under a
prefix (check, codes, create), stateless, each calling the domain's sign-up functions."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import jsonify
from marshmallow import Schema, fields, validate

from service.access.codes import CHANNELS, TTL
from service.access.login import login_rate_limit
from service.api.v1 import bp
from service.api.v1.common import json_body
from service.core.errors import ApiError
from service.core.extensions import db, limiter
from service.persons.signup import SignupError, SignupRequest, send_code

_short = validate.Length(max=40)


class IdentityBody(Schema):
    name = fields.String(required=True, validate=_short)
    id_number = fields.String(required=True, validate=validate.Length(max=18))


class CodeBody(IdentityBody):
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    address = fields.String(required=True, validate=validate.Length(max=120))


class SignupBody(IdentityBody):
    phone = fields.String(required=True, validate=validate.Length(max=20))
    phone_code = fields.String(required=True, validate=validate.Length(max=6))
    email = fields.String(required=True, validate=validate.Length(max=120))
    email_code = fields.String(required=True, validate=validate.Length(max=6))
    username = fields.String(required=True, validate=validate.Length(max=40))
    password = fields.String(required=True, validate=validate.Length(max=64))


@dataclass(frozen=True)
class SignupDoor:
    """A domain's sign-up: step 1, step 2, the new account's summary, and how an identity
    checked in step 1 activates (``institution_code`` or the domain's other way)."""

    check_identity: Callable
    create_account: Callable
    summary: Callable
    activation: Callable


def refused(exc: SignupError) -> ApiError:
    return ApiError(exc.status, exc.message, code=exc.code, fields=exc.fields)


def _guarded(door_step: Callable):
    """Run a step; a refusal rolls back (keeping nothing) and answers its JSON error."""
    try:
        result = door_step()
    except SignupError as exc:
        db.session.rollback()
        raise refused(exc) from None
    db.session.commit()
    return result


def add_signup_routes(prefix: str, name: str, door: SignupDoor) -> None:
    """``POST {prefix}/check``, ``{prefix}/codes`` and ``{prefix}`` on the v1 blueprint."""

    def check():
        """Step 1: is there a qualification for this name and resident ID, without an account?"""
        body = json_body(IdentityBody())
        identity = _guarded(lambda: door.check_identity(body["name"], body["id_number"]))
        return jsonify({"ok": True, "activation": door.activation(identity)})

    def codes():
        """Send a sign-up code to a phone (``sms``) or e-mail, for a checked identity."""
        body = json_body(CodeBody())


        def step() -> None:
            door.check_identity(body["name"], body["id_number"])
            send_code(body["channel"], body["address"])
        _guarded(step)
        return jsonify({"sent": True, "expires_in": int(TTL.total_seconds())}), 202

    def create():
        """Step 2: create the account (not yet activated); answers the masked summary."""
        body = json_body(SignupBody())
        account = _guarded(lambda: door.create_account(SignupRequest(**body)))
        return jsonify(door.summary(account)), 201

    for rule, endpoint, view in ((f"{prefix}/check", f"{name}_check", check),
                                 (f"{prefix}/codes", f"{name}_codes", codes),
                                 (prefix, name, create)):
        # the rate limiter keys its limits by the view's name: one per domain and step
        view.__name__ = view.__qualname__ = endpoint
        bp.add_url_rule(rule, endpoint, limiter.limit(login_rate_limit)(view), methods=["POST"])


def register_schemas(spec) -> None:
    """The sign-up bodies as OpenAPI components, once, whichever domain documents first."""
    for name, schema in (("SignupIdentity", IdentityBody), ("SignupCode", CodeBody),
                         ("SignupRequest", SignupBody)):
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)


def document_signup(spec, responses, prefix: str, name: str,
                    summaries: tuple[str, str, str]) -> None:
    """The three endpoints under ``/api/v1{prefix}`` in the OpenAPI document: step 1, the
    codes and step 2, with their summaries; the bodies as components named ``{name}Identity``,
    ``{name}Code`` and ``{name}Request`` (``responses`` is openapi's helper)."""
    obj, public = {"type": "object"}, (400, 409, 415, 422, 429)
    for path, (suffix, schema), status, summary in zip(
            ("/check", "/codes", ""), (("Identity", IdentityBody), ("Code", CodeBody),
                                       ("Request", SignupBody)),
            (200, 202, 201), summaries, strict=True):
        # a subclass of its own: the same body class twice in one document confuses apispec
        spec.components.schema(f"{name}{suffix}", schema=type(f"{name}{suffix}", (schema,), {}))
        spec.path(f"/api/v1{prefix}{path}", operations={"post": {
            "summary": summary, "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{name}{suffix}"}}}},
            "responses": responses(obj, status, errors=public)}})
