"""Lifelong physician certificate numbers (执业证书编码, 终身一号).

A physician keeps her number for life: re-registration, changes, upgrades and moves reuse the
number stored on the physician. A new number is 15 digits, in the shape of the numbers already
in the registry (and the demo data): level digit (1 physician, 2 assistant), category digit
(1 临床, 2 口腔, 3 公共卫生, 4 中医), a reserved ``0``, the registering institution's county
code (GB/T 2260) and a 6-digit serial of that prefix. Serials come from a counter row per prefix
taken under a row lock, so numbers are deterministic and two approvals never share one.
"""
from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from service.core.extensions import db
from service.physicians.models import Physician

LEVEL_DIGITS = {"physician": "1", "assistant": "2"}
SERIAL_DIGITS = 6


class CertificateNumberExhausted(RuntimeError):
    """A county issued a million numbers of one level and category: the scheme needs review."""


class CertificateSequence(db.Model):
    """The last serial issued for one prefix (level, category, county)."""

    __tablename__ = "certificate_sequence"
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


def certificate_prefix(level: str, category: str, county_code: str) -> str:
    return f"{LEVEL_DIGITS[level]}{category}0{county_code}"


def _highest_issued(prefix: str) -> int:
    """The highest serial among numbers issued before the counter existed (imports, demo)."""
    numbers = db.session.scalars(select(Physician.certificate_number).where(
        Physician.certificate_number.like(f"{prefix}%")))
    serials = [int(n[len(prefix):]) for n in numbers
               if len(n) == len(prefix) + SERIAL_DIGITS and n[len(prefix):].isdigit()]
    return max(serials, default=0)


def next_certificate_number(level: str, category: str, county_code: str) -> str:
    """The next number of the prefix; call inside the approving step's transaction."""
    prefix = certificate_prefix(level, category, county_code)
    sequence = db.session.get(CertificateSequence, prefix, with_for_update=True)
    if sequence is None:
        sequence = CertificateSequence(prefix=prefix, last_serial=_highest_issued(prefix))
        db.session.add(sequence)
    sequence.last_serial += 1
    if sequence.last_serial >= 10 ** SERIAL_DIGITS:
        raise CertificateNumberExhausted(prefix)
    return f"{prefix}{sequence.last_serial:0{SERIAL_DIGITS}d}"


def ensure_certificate_number(physician: Physician, level: str, category: str,
                              county_code: str) -> str:
    """The physician's lifelong number, assigning one the first time she is registered."""
    if not physician.certificate_number:
        physician.certificate_number = next_certificate_number(level, category, county_code)
    return physician.certificate_number
