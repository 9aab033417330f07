"""Nurse accounts over REST: sign-up under ``/api/v1/nurses/signup`` on the shared door."""
from __future__ import annotations

from service.nurses.signup import check_identity, create_account, summary
from service.persons.signup_api import SignupDoor, add_signup_routes, register_schemas

add_signup_routes("/nurses/signup", "nurse_signup", SignupDoor(
    check_identity, create_account, summary,
    lambda identity: "institution_code" if identity.registered else "registration"))


def openapi_paths(spec, responses) -> None:
    """The nurse sign-up endpoints (bodies as the physician ones: SignupIdentity ...)."""
    register_schemas(spec)
    obj, public = {"type": "object"}, (400, 409, 415, 422, 429)

    def body(name: str) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{name}"}}}}

    for path, schema, status, summary_text in (
            ("/check", "SignupIdentity", 200, "Nurse sign-up step 1: check name and resident "
             "ID against the nurse exam records"),
            ("/codes", "SignupCode", 202, "Send a nurse sign-up code to a phone or e-mail"),
            ("", "SignupRequest", 201, "Nurse sign-up step 2: create the nurse account, not "
             "yet activated (her first registration activates it)")):
        spec.path(f"/api/v1/nurses/signup{path}", operations={"post": {
            "summary": summary_text, "requestBody": body(schema),
            "responses": responses(obj, status, errors=public)}})
