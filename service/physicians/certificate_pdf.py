"""The physician's certificate (《医师执业证书》) as an A4 PDF.

One certificate per practice location: it prints an active main registration with the
lifelong number. The physician prints her own; an administration prints those it approves
(the authority the institution set for the category, else the issuing authority). Anyone
else gets 404, as for every record outside one's reach.
"""
from __future__ import annotations

from werkzeug.exceptions import NotFound

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.physicians.models import PHYSICIAN_CATEGORIES, Physician, PracticeRegistration
from service.physicians.replacement import latest_replacement
from service.physicians.routes import authority_for
from service.physicians.rules import location_name, registrations
from service.printing.pdf import render_pdf
from service.registry.reference import Administration


def _approver_id(reg: PracticeRegistration) -> int:
    return authority_for(reg.institution, reg.category).id


def printable_registration(actor: Account, physician_id: int,
                           registration_id: int | None = None) -> PracticeRegistration:
    """The registration the actor may print (newest active main one unless named); else 404."""
    physician = db.session.get(Physician, physician_id) if 0 < physician_id < 2**31 else None
    if physician is None or not physician.certificate_number:
        raise NotFound()
    candidates = sorted(registrations(physician, "active", kind="main"),
                        key=lambda r: (r.valid_from, r.id), reverse=True)
    if actor.kind == "physician" and actor.physician_id == physician.id:
        allowed = candidates
    elif actor.kind == "administration" and actor.administration_id is not None:
        allowed = [r for r in candidates if _approver_id(r) == actor.administration_id]
    else:
        allowed = []
    if registration_id is not None:
        allowed = [r for r in allowed if r.id == registration_id]
    if not allowed:
        raise NotFound()
    return allowed[0]


def certificate_pdf(reg: PracticeRegistration) -> bytes:
    physician = reg.physician
    filings = [r.institution.name for r in registrations(physician, "active", kind="multi_site")
               if r.location_code == reg.location_code]
    authority = db.session.get(Administration, _approver_id(reg))
    replaced = latest_replacement(reg)
    return render_pdf(
        "physician_certificate.html", physician=physician, registration=reg,
        category_name=PHYSICIAN_CATEGORIES.get(reg.category, reg.category),
        institution_name=reg.institution.name, location_name=location_name(reg.location_code),
        filings=filings, authority_name=authority.name, issued_on=reg.valid_from,
        replaced_on=replaced.replaced_on if replaced else None, printed_at=utcnow())
