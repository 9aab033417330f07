"""Licences (《医疗机构执业许可证》): each issue is a row with its own unguessable verify code,
printed as a QR code; reissuing voids the previous row, so an old code verifies as void."""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String, bindparam, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import SHANGHAI, add_years, utcnow
from service.institutions.models import Institution
from service.registry.reference import Administration
from service.registry.seeding import SEED_DIR, rows
from service.signing import new_verify_code

LICENCE_STATUSES = {"valid": "有效", "void": "已作废"}


class Licence(db.Model):
    """One issued licence of an institution (正本 and 副本 print from it)."""

    __tablename__ = "licence"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    verify_code: Mapped[str] = mapped_column(String(43), unique=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("administration.id"))
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(8), default="valid")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institution: Mapped[Institution] = relationship()
    issued_by: Mapped[Administration] = relationship()


@functools.cache
def _validity_rules() -> tuple[tuple[str, int, int], ...]:
    return tuple((r["province_code"], int(r["min_beds"]), int(r["years"]))
                 for r in rows(SEED_DIR / "licence_validity.csv"))


def validity_years(province_code: str, beds: int) -> int:
    """Licence validity by beds, per province (``seed/licence_validity.csv``; ``*`` = default)."""
    rules = [r for r in _validity_rules() if r[0] == province_code] or \
        [r for r in _validity_rules() if r[0] == "*"]
    return max((r for r in rules if beds >= r[1]), key=lambda r: r[1])[2]


def current(institution_id: int) -> Licence | None:
    return db.session.scalar(select(Licence).where(
        Licence.institution_id == institution_id, Licence.status == "valid"))


def issue(inst: Institution, *, at: datetime, case_id: int | None, reason: str,
          valid_from: date | None = None, valid_to: date | None = None) -> Licence:
    """Issue a licence for the institution's current record; the previous one becomes void."""
    db.session.execute(update(Licence).where(
        Licence.institution_id == inst.id, Licence.status == "valid"
    ).values(status="void", voided_at=at))
    start = valid_from or inst.licence_valid_from or at.astimezone(SHANGHAI).date()
    end = valid_to or inst.licence_valid_to or (
        add_years(start, validity_years(inst.province_code, inst.beds)) - timedelta(days=1))
    licence = Licence(institution_id=inst.id, case_id=case_id, verify_code=new_verify_code(),
                      valid_from=start, valid_to=end, issued_at=at,
                      issued_by_id=inst.issuing_authority_id, reason=reason, status="valid")
    db.session.add(licence)
    db.session.flush()
    return licence


def renew(inst: Institution, *, at: datetime, case_id: int | None) -> Licence:
    """Renewal (延续): a new validity by the province's rule from the day after the old one
    ends, and a reissued licence; nothing else changes."""
    start = (inst.licence_valid_to or at.astimezone(SHANGHAI).date()) + timedelta(days=1)
    years = validity_years(inst.province_code, inst.beds)
    inst.licence_valid_from, inst.licence_valid_to = start, add_years(start, years) - timedelta(days=1)
    return issue(inst, at=at, case_id=case_id, reason="延续",
                 valid_from=inst.licence_valid_from, valid_to=inst.licence_valid_to)


# The public look-up behind every scanned QR code: one indexed row (the unique verify code)
# with its institution and issuer, read as plain columns on the Core path (no ORM objects);
# the compiled statement is cached and psycopg prepares it on the server after a few runs.
_VERIFY = (
    select(Licence.status, Licence.valid_from, Licence.valid_to, Licence.issued_at,
           Institution.name, Institution.registration_number, Institution.status.label("inst"),
           Administration.name.label("issuer"))
    .join(Institution, Institution.id == Licence.institution_id)
    .join(Administration, Administration.id == Licence.issued_by_id)
    .where(Licence.verify_code == bindparam("code")))


def verification(code: str) -> dict | None:
    """The public facts behind a printed code, with the live status; None when unknown."""
    row = db.session.connection().execute(_VERIFY, {"code": code}).first()
    if row is None:
        return None
    status = "void" if row.status == "void" else row.inst
    expired = row.valid_to < utcnow().astimezone(SHANGHAI).date()
    return {"valid": status in ("active", "deferred") and not expired,
            "registration_number": row.registration_number, "name": row.name,
            "status": "expired" if expired and status in ("active", "deferred") else status,
            "valid_from": row.valid_from.isoformat(), "valid_until": row.valid_to.isoformat(),
            "issued_by": row.issuer, "issued_at": row.issued_at.isoformat()}
