"""The integration's part of the OpenAPI document: API clients and webhooks."""
from __future__ import annotations

from apispec import APISpec

from service.api.v1.openapi import IDEMPOTENCY, LIST_PARAMS, path_param, ref, responses, section
from service.integration.api import ClientSchema, DeliverySchema, WebhookSchema


@section
def integration_paths(spec: APISpec, sec: list) -> None:
    spec.components.schema("ApiClient", schema=ClientSchema)
    spec.components.schema("Webhook", schema=WebhookSchema)
    spec.components.schema("WebhookDelivery", schema=DeliverySchema)
    client_body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["name", "organisation_id", "scopes"], "properties": {
            "name": {"type": "string"},
            "organisation_kind": {"type": "string", "enum": ["administration", "institution"]},
            "organisation_id": {"type": "integer"},
            "scopes": {"type": "array", "items": {"type": "string", "enum": [
                "cases:read", "cases:write", "messages:send", "registry:read"]}},
            "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 3650}}}}}}
    spec.path("/api/v1/clients", operations={
        "get": {"summary": "Platform administrator: API clients with scopes and last use",
                "security": sec, "responses": responses(list_of="ApiClient", errors=(401, 403))},
        "post": {"summary": "Platform administrator: a new API client bound to an organisation "
                            "and scopes; the answer carries its token, shown once",
                 "security": sec, "parameters": [IDEMPOTENCY], "requestBody": client_body,
                 "responses": responses(ref("ApiClient"), 201, errors=(400, 401, 403, 409, 415, 422))}})
    spec.path("/api/v1/clients/{client_id}/revoke", operations={"post": {
        "summary": "Platform administrator: revoke a client's token at once", "security": sec,
        "parameters": [*path_param("client_id"), IDEMPOTENCY],
        "responses": responses(ref("ApiClient"), errors=(401, 403, 404, 409))}})
    spec.path("/api/v1/webhooks", operations={
        "get": {"summary": "Platform administrator: webhook subscriptions", "security": sec,
                "responses": responses(list_of="Webhook", errors=(401, 403))},
        "post": {"summary": "Platform administrator: subscribe a URL to events; requests carry "
                            "X-Yizheng-Timestamp, X-Yizheng-Signature (sha256=HMAC of "
                            "\"<timestamp>.<body>\") and X-Yizheng-Delivery",
                 "security": sec, "parameters": [IDEMPOTENCY],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["url", "events"], "properties": {
                         "url": {"type": "string"},
                         "events": {"type": "array", "items": {"type": "string"}},
                         "secret": {"type": "string", "minLength": 16},
                         "division_code": {"type": "string"}}}}}},
                 "responses": responses(ref("Webhook"), 201, errors=(400, 401, 403, 409, 415, 422))}})
    spec.path("/api/v1/webhooks/{webhook_id}/deliveries", operations={"get": {
        "summary": "Platform administrator: the delivery log, newest first, with every attempt",
        "security": sec, "parameters": path_param("webhook_id") + LIST_PARAMS,
        "responses": responses(list_of="WebhookDelivery", errors=(400, 401, 403, 404))}})
    spec.path("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", operations={"post": {
        "summary": "Platform administrator: deliver a failed delivery again (same id and body)",
        "security": sec,
        "parameters": [*path_param("webhook_id"), *path_param("delivery_id"), IDEMPOTENCY],
        "responses": responses(ref("WebhookDelivery"), 202, errors=(401, 403, 404, 409))}})
