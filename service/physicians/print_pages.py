"""Print-outs about a physician in the browser: the certificate (《医师执业证书》) PDF for the
physician herself and for the administration that approves her registration."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user, login_required

from service.core.params import to_id
from service.physicians.certificate_pdf import certificate_pdf, printable_registration

bp = Blueprint("physician_prints", __name__, url_prefix="/physicians")


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.cache_control.private = True
    response.cache_control.no_store = True  # personal data: not kept by shared caches
    return response


@bp.get("/<int:physician_id>/certificate.pdf")
@login_required
def certificate(physician_id: int):
    raw = request.args.get("registration", "")
    reg = printable_registration(current_user, physician_id, to_id(raw))
    return pdf_response(certificate_pdf(reg), f"certificate-{reg.physician.certificate_number}.pdf")
