"""Physician processes over REST: cases start through ``POST /api/v1/cases``; this adds the
certificate (《医师执业证书》) PDF, for the physician and the approving administration."""
from __future__ import annotations

from apispec import APISpec
from flask import request

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller
from service.core.params import to_id
from service.physicians.certificate_pdf import certificate_pdf, printable_registration
from service.physicians.print_pages import pdf_response


@bp.get("/physicians/<int:physician_id>/certificate.pdf")
@authenticated
def physician_certificate(physician_id: int):
    raw = request.args.get("registration", "")
    reg = printable_registration(caller(), physician_id, to_id(raw))
    return pdf_response(certificate_pdf(reg), f"certificate-{reg.physician.certificate_number}.pdf")


def openapi_paths(spec: APISpec, sec: list) -> None:
    """This module's routes in the OpenAPI document."""
    error = {"description": "error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    spec.path("/api/v1/physicians/{physician_id}/certificate.pdf", operations={"get": {
        "summary": "The physician's certificate (医师执业证书) as PDF: her newest active main "
                   "registration, or the one named; for the physician herself and the "
                   "administration approving that registration (404 for anyone else)",
        "security": sec,
        "parameters": [
            {"name": "physician_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "registration", "in": "query", "required": False,
             "schema": {"type": "integer"}, "description": "a registration id (one location)"}],
        "responses": {"200": {"description": "the certificate", "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
            "401": error, "404": error}}})
