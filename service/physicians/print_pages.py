"""Print-outs about a physician in the browser: the certificate (《医师执业证书》) PDF for the
physician herself and for the administration that approves her registration, linked from her
approved cases' pages."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from service.core.params import to_id
from service.engine import plugins
from service.physicians.certificate_pdf import certificate_pdf, printable_registration
from service.printing.pdf import pdf_response  # noqa: F401  (imported from here by other pages)

bp = Blueprint("physician_prints", __name__, url_prefix="/physicians")


@bp.get("/<int:physician_id>/certificate.pdf")
@login_required
def certificate(physician_id: int):
    raw = request.args.get("registration", "")
    reg = printable_registration(current_user, physician_id, to_id(raw))
    return pdf_response(certificate_pdf(reg), f"certificate-{reg.physician.certificate_number}.pdf")


@plugins.printout
def certificate_printouts(actor, case, history) -> list[plugins.Printout]:
    """A physician's approved case links her certificate for whoever may print it: she
    herself and the approving administration (``printable_registration`` decides)."""
    if case.subject_physician_id is None or case.outcome != "approved":
        return []
    try:
        reg = printable_registration(actor, case.subject_physician_id)
    except NotFound:
        return []
    return [plugins.Printout(
        "打印医师执业证书",
        url_for("physician_prints.certificate", physician_id=reg.physician_id, registration=reg.id),
        f"certificate-{reg.physician.certificate_number}.pdf")]
