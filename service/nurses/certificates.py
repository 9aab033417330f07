"""Nurse certificate numbers (护士执业证书编号) and the certificate (《护士执业证书》) PDF.

A nurse keeps her number: renewal and change reuse the one stored on the nurse. A new number is
12 digits in the shape of those already in the registry (and the demo data): the year of first
registration, the province code (GB/T 2260, 2 digits) and a 6-digit serial of that prefix, from
the shared counters (``service.persons.numbers``).
"""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.nurses.models import Nurse, NurseRegistration
from service.persons.numbers import highest_serial, next_number
from service.printing.pdf import pdf_response, render_pdf
from service.registry.reference import Administration

SERIAL_DIGITS = 6


def _highest_issued(prefix: str) -> int:
    return highest_serial(db.session.scalars(select(Nurse.certificate_number).where(
        Nurse.certificate_number.like(f"{prefix}%"))), prefix, SERIAL_DIGITS)


def ensure_certificate_number(nurse: Nurse, year: int, province_code: str) -> str:
    """Her number, assigned the first time she is registered; inside the approving step."""
    if not nurse.certificate_number:
        nurse.certificate_number = next_number(f"{year}{province_code[:2]}", SERIAL_DIGITS,
                                               _highest_issued)
    return nurse.certificate_number


def printable_registration(actor: Account, nurse_id: int) -> NurseRegistration:
    """Her newest active registration, for the nurse herself or the issuing administration of
    its institution; 404 for anyone else."""
    nurse = db.session.get(Nurse, nurse_id) if 0 < nurse_id < 2**31 else None
    active = sorted((r for r in (nurse.registrations if nurse else []) if r.status == "active"),
                    key=lambda r: (r.valid_from, r.id), reverse=True)
    if actor.kind == "nurse" and actor.nurse_id == nurse_id:
        allowed = active
    elif actor.kind == "administration" and actor.administration_id is not None:
        allowed = [r for r in active
                   if r.institution.issuing_authority_id == actor.administration_id]
    else:
        allowed = []
    if not allowed:
        raise NotFound()
    return allowed[0]


def certificate_pdf(reg: NurseRegistration) -> bytes:
    authority = db.session.get(Administration, reg.institution.issuing_authority_id)
    return render_pdf("nurse_certificate.html", nurse=reg.nurse, registration=reg,
                      institution_name=reg.institution.name, authority_name=authority.name,
                      issued_on=reg.valid_from, printed_at=utcnow())


def certificate_response(actor: Account, nurse_id: int):
    """Her certificate as a PDF download, for whoever ``printable_registration`` lets print it."""
    reg = printable_registration(actor, nurse_id)
    return pdf_response(certificate_pdf(reg), f"nurse-certificate-{reg.certificate_number}.pdf")
