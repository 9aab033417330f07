"""Business numbers (业务编号) in the usual form, e.g. 京朝卫校〔2026〕0001: the issuing
administration's abbreviation, the business's word, the year and a serial per administration,
word and year. The patterns and words are data (``seed/business_numbers.csv``,
``seed/business_number_words.csv``); serials are taken under a row lock, so two cases never
share a number."""
from __future__ import annotations

import functools
import re
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from service.core.extensions import db
from service.core.times import SHANGHAI
from service.registry.reference import Administration, Division
from service.registry.seeding import SEED_DIR, rows

_SERIAL = re.compile(r"\{serial(?::[^}]*)?\}")
ANY = "*"


class BusinessNumberSequence(db.Model):
    """The last serial given for one number prefix (the number without its serial)."""

    __tablename__ = "business_number_sequence"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


@functools.cache
def _patterns() -> dict[tuple[str, str], str]:
    return {(r["scope"], r["process_id"]): r["pattern"]
            for r in rows(SEED_DIR / "business_numbers.csv")}


@functools.cache
def _words() -> dict[tuple[str, str], str]:
    return {(r["kind"], r["key"]): r["word"] for r in rows(SEED_DIR / "business_number_words.csv")}


def pattern_for(division_code: str, process_id: str) -> str:
    """The most specific pattern: the administration's division, then its province, then
    ``*``; within each, the process's own before ``*``."""
    patterns = _patterns()
    for scope in (division_code, division_code[:2] + "0000", ANY):
        for process in (process_id, ANY):
            if (scope, process) in patterns:
                return patterns[(scope, process)]
    raise LookupError("seed/business_numbers.csv has no default row (*, *)")


def authority_word(admin: Administration) -> str:
    """京 for Beijing's commission, 京朝 for Chaoyang's: the province's word and the first
    character of the division's own name, unless the words file names the administration."""
    words, code = _words(), admin.division_code
    if ("authority", code) in words:
        return words[("authority", code)]
    province = words.get(("province", code[:2] + "0000"), "")
    if code.endswith("0000"):
        return province
    division = db.session.get(Division, code)
    return province + (division.name[:1] if division is not None else "")


def process_word(process_id: str) -> str:
    words = _words()
    return words.get(("process", process_id)) or words[("process", ANY)]


def next_number(administration_id: int, process_id: str, at: datetime) -> str:
    """The next business number of a case the administration handles, started at ``at``;
    call inside the starting transaction."""
    admin = db.session.get(Administration, administration_id)
    pattern = pattern_for(admin.division_code, process_id)
    values = {"authority": authority_word(admin), "word": process_word(process_id),
              "year": at.astimezone(SHANGHAI).year}
    key = _SERIAL.sub("#", pattern).format(**values)
    sequence = db.session.get(BusinessNumberSequence, key, with_for_update=True)
    if sequence is None:
        try:
            with db.session.begin_nested():
                sequence = BusinessNumberSequence(key=key, last_serial=0)
                db.session.add(sequence)
        except IntegrityError:  # a concurrent case started the prefix a moment ago
            sequence = db.session.get(BusinessNumberSequence, key, with_for_update=True,
                                      populate_existing=True)
    sequence.last_serial += 1
    return pattern.format(serial=sequence.last_serial, **values)
