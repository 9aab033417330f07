"""REST doors of other systems: API clients (``/api/v1/clients``) and webhook subscriptions
with their delivery log (``/api/v1/webhooks``), for the platform administrator."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_body, keyset_page
from service.api.v1.idempotency import idempotent
from service.api.v1.scopes import GRANTABLE
from service.core.errors import ApiError
from service.core.extensions import db
from service.integration import clients, webhooks
from service.integration.models import (
    ApiClient,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


def _platform_admin() -> None:
    if not caller().has_role("sysadmin"):
        raise ApiError(403, "只有平台管理员可以管理外部系统接入")


class ClientSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    username = fields.Function(lambda c: c.account.username)
    organisation_kind = fields.Function(lambda c: c.account.kind)
    organisation_id = fields.Function(lambda c: c.account.administration_id or c.account.institution_id)
    organisation_name = fields.Function(lambda c: c.account.organisation_name)
    scopes = fields.Function(lambda c: c.token.scopes)
    created_at = fields.DateTime()
    expires_at = fields.Function(lambda c: c.token.expires_at.isoformat())
    last_used_at = fields.Function(lambda c: c.token.last_used_at.isoformat() if c.token.last_used_at else None)
    revoked_at = fields.Function(lambda c: c.token.revoked_at.isoformat() if c.token.revoked_at else None)


class ClientRequest(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    organisation_kind = fields.String(load_default="administration",
                                      validate=validate.OneOf(sorted(clients.KINDS)))
    organisation_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    scopes = fields.List(fields.String(validate=validate.Length(max=32)), required=True,
                         validate=validate.Length(min=1, max=len(GRANTABLE)))
    expires_in_days = fields.Integer(load_default=730, strict=True, validate=validate.Range(1, 3650))


CLIENT = ClientSchema()


@bp.get("/clients")
@authenticated
def clients_list():
    _platform_admin()
    return jsonify({"items": CLIENT.dump(clients.all_clients(), many=True), "next_cursor": None})


@bp.post("/clients")
@authenticated
@idempotent
def create_client():
    _platform_admin()
    body = json_body(ClientRequest())
    client, token = clients.create(caller(), body["name"], body["organisation_kind"],
                                   body["organisation_id"], body["scopes"], body["expires_in_days"])
    db.session.commit()
    return jsonify({**CLIENT.dump(client), "token": token}), 201


@bp.post("/clients/<int:client_id>/revoke")
@authenticated
@idempotent
def revoke_client(client_id: int):
    _platform_admin()
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise ApiError(404)
    clients.revoke(client)
    db.session.commit()
    return jsonify(CLIENT.dump(client))


class WebhookSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    division_code = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()


class WebhookRequest(Schema):
    url = fields.String(required=True, validate=validate.Length(min=8, max=500))
    events = fields.List(fields.String(validate=validate.OneOf(sorted(webhooks.EVENTS))),
                         required=True, validate=validate.Length(min=1, max=len(webhooks.EVENTS)))
    secret = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=16, max=200))
    division_code = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Regexp(r"^\d{6}$", error="须为 6 位行政区划代码"))


class DeliverySchema(Schema):
    id = fields.Integer()
    event = fields.String()
    status = fields.String()
    attempt = fields.Integer(attribute="attempts")
    at = fields.DateTime(attribute="created_at")
    delivered_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    attempts = fields.Method("_attempts")

    def _attempts(self, delivery: WebhookDelivery) -> list[dict]:
        rows = db.session.scalars(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.attempt))
        return [{"attempt": a.attempt, "status_code": a.status_code, "error": a.error,
                 "duration_ms": a.duration_ms, "at": a.at.isoformat()} for a in rows]


WEBHOOK, DELIVERY = WebhookSchema(), DeliverySchema()


@bp.get("/webhooks")
@authenticated
def webhooks_list():
    _platform_admin()
    subs = db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
    return jsonify({"items": WEBHOOK.dump(subs, many=True), "next_cursor": None})


@bp.post("/webhooks")
@authenticated
@idempotent
def create_webhook():
    """Subscribe a URL to events; the secret signs every request (generated when not given,
    then shown once in this answer)."""
    _platform_admin()
    body = json_body(WebhookRequest())
    try:
        webhooks.check_url(body["url"])
    except webhooks.UrlRefused as exc:
        raise ApiError(422, fields={"url": [str(exc)]}) from None
    secret = body["secret"] or webhooks.new_secret()
    sub = WebhookSubscription(url=body["url"], events=sorted(set(body["events"])), secret=secret,
                              division_code=body["division_code"], created_by_id=caller().id)
    db.session.add(sub)
    db.session.commit()
    return jsonify({**WEBHOOK.dump(sub), "secret": secret}), 201


def _subscription(webhook_id: int) -> WebhookSubscription:
    sub = db.session.get(WebhookSubscription, webhook_id)
    if sub is None:
        raise ApiError(404)
    return sub


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@authenticated
def webhook_deliveries(webhook_id: int):
    _platform_admin()
    sub = _subscription(webhook_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
    return keyset_page(stmt, WebhookDelivery, DELIVERY)


@bp.post("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/replay")
@authenticated
@idempotent
def replay_delivery(webhook_id: int, delivery_id: int):
    """Deliver a failed delivery again: the same id and body, attempts counted on."""
    _platform_admin()
    sub = _subscription(webhook_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != sub.id:
        raise ApiError(404)
    if delivery.status != "failed":
        raise ApiError(409, "只能重新投递失败的投递", code="not_failed")
    webhooks.replay(delivery)
    db.session.commit()
    return jsonify(DELIVERY.dump(delivery)), 202
