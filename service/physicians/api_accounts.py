"""P0 over REST: physician sign-up on the shared door (activation and password recovery are
every person's: ``service.persons.accounts_api``).

Sign-up is public (no token) and rate-limited like the token endpoint; being stateless, each
call carries everything its step needs and the services check it again.
"""
from __future__ import annotations

from service.persons.signup_api import SignupDoor, add_signup_routes, register_schemas
from service.physicians.signup import check_identity, create_account, summary

add_signup_routes("/signup", "signup", SignupDoor(
    check_identity, create_account, summary,
    lambda identity: "institution_code" if identity.registered else "certificate"))


def openapi_paths(spec, responses) -> None:
    """Add these endpoints to the OpenAPI document (``responses`` is openapi's helper)."""
    register_schemas(spec)

    def body(name: str) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{name}"}}}}

    obj = {"type": "object"}
    public = (400, 409, 415, 422, 429)
    spec.path("/api/v1/signup/check", operations={"post": {
        "summary": "Sign-up step 1: check name and resident ID against the qualification "
                   "records (error codes qualification_not_found, name_mismatch, account_exists)",
        "requestBody": body("SignupIdentity"), "responses": responses(obj, errors=public)}})
    spec.path("/api/v1/signup/codes", operations={"post": {
        "summary": "Send a 6-digit sign-up code (10 minutes, 5 tries) to a phone (channel sms) "
                   "or e-mail through the outbox; once a minute and 5 times an hour per address",
        "requestBody": body("SignupCode"), "responses": responses(obj, 202, errors=public)}})
    spec.path("/api/v1/signup", operations={"post": {
        "summary": "Sign-up step 2: create the physician account, not yet activated; answers "
                   "the masked account summary and how to activate it",
        "requestBody": body("SignupRequest"), "responses": responses(obj, 201, errors=public)}})
