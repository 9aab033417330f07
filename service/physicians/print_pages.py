"""Print-outs about a physician in the browser: the certificate (《医师执业证书》) PDF for the
physician herself and for the administration that approves her registration."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_required

from service.core.params import to_id
from service.physicians.certificate_pdf import certificate_pdf, printable_registration
from service.printing.pdf import pdf_response  # noqa: F401  (imported from here by other pages)

bp = Blueprint("physician_prints", __name__, url_prefix="/physicians")


@bp.get("/<int:physician_id>/certificate.pdf")
@login_required
def certificate(physician_id: int):
    raw = request.args.get("registration", "")
    reg = printable_registration(current_user, physician_id, to_id(raw))
    return pdf_response(certificate_pdf(reg), f"certificate-{reg.physician.certificate_number}.pdf")
