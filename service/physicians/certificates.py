"""Lifelong physician certificate numbers (执业证书编码, 终身一号).

A physician keeps her number for life: re-registration, changes, upgrades and moves reuse the
number stored on the physician. A new number is 15 digits, in the shape of the numbers already
in the registry (and the demo data): level digit (1 physician, 2 assistant), category digit
(1 临床, 2 口腔, 3 公共卫生, 4 中医), a reserved ``0``, the registering institution's county
code (GB/T 2260) and a 6-digit serial of that prefix. Serials come from a counter row per prefix
taken under a row lock (``service.persons.numbers``).
"""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.persons.numbers import (  # noqa: F401  (imported from here by older callers)
    CertificateNumberExhausted,
    CertificateSequence,
    highest_serial,
    next_number,
)
from service.physicians.models import Physician

LEVEL_DIGITS = {"physician": "1", "assistant": "2"}
SERIAL_DIGITS = 6


def certificate_prefix(level: str, category: str, county_code: str) -> str:
    return f"{LEVEL_DIGITS[level]}{category}0{county_code}"


def _highest_issued(prefix: str) -> int:
    """The highest serial among numbers issued before the counter existed (imports, demo)."""
    return highest_serial(db.session.scalars(select(Physician.certificate_number).where(
        Physician.certificate_number.like(f"{prefix}%"))), prefix, SERIAL_DIGITS)


def next_certificate_number(level: str, category: str, county_code: str) -> str:
    """The next number of the prefix; call inside the approving step's transaction."""
    return next_number(certificate_prefix(level, category, county_code), SERIAL_DIGITS,
                       _highest_issued)


def ensure_certificate_number(physician: Physician, level: str, category: str,
                              county_code: str) -> str:
    """The physician's lifelong number, assigning one the first time she is registered."""
    if not physician.certificate_number:
        physician.certificate_number = next_certificate_number(level, category, county_code)
    return physician.certificate_number
