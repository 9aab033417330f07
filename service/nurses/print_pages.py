"""Print-outs about a nurse in the browser: the certificate (《护士执业证书》) PDF for the nurse
herself and for the administration that issues her registration, linked from her approved
cases' pages (N1 registration, N2 change, N3 renewal)."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from service.engine import plugins
from service.nurses.certificates import certificate_response, printable_registration

bp = Blueprint("nurse_prints", __name__, url_prefix="/nurses")


@bp.get("/<int:nurse_id>/certificate.pdf")
@login_required
def certificate(nurse_id: int):
    return certificate_response(current_user, nurse_id)


@plugins.printout
def certificate_printouts(actor, case, history) -> list[plugins.Printout]:
    """A nurse's approved case links her certificate while she holds a registration in force,
    for whoever may print it (``printable_registration``: she and its issuing administration)."""
    nurse_id = case.subject_nurse_id
    if nurse_id is None or case.outcome != "approved":
        return []
    try:
        number = printable_registration(actor, nurse_id).certificate_number
    except NotFound:
        return []
    return [plugins.Printout("打印护士执业证书", url_for("nurse_prints.certificate", nurse_id=nurse_id),
                             f"nurse-certificate-{number}.pdf")]
