"""Certificate number counters: the last serial issued per prefix, taken under a row lock so
numbers are deterministic and two approvals never share one (physician and nurse numbers)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.extensions import db


class CertificateNumberExhausted(RuntimeError):
    """A prefix ran out of serials: the numbering scheme needs review."""


class CertificateSequence(db.Model):
    """The last serial issued for one prefix."""

    __tablename__ = "certificate_sequence"
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


def next_number(prefix: str, digits: int, highest_issued: Callable[[str], int]) -> str:
    """The next number of the prefix; call inside the approving step's transaction.
    ``highest_issued`` starts a new counter above numbers issued before it (imports, demo)."""
    sequence = db.session.get(CertificateSequence, prefix, with_for_update=True)
    if sequence is None:
        sequence = CertificateSequence(prefix=prefix, last_serial=highest_issued(prefix))
        db.session.add(sequence)
    sequence.last_serial += 1
    if sequence.last_serial >= 10 ** digits:
        raise CertificateNumberExhausted(prefix)
    return f"{prefix}{sequence.last_serial:0{digits}d}"


def highest_serial(numbers, prefix: str, digits: int) -> int:
    """The highest serial of ``prefix`` among existing numbers."""
    serials = [int(n[len(prefix):]) for n in numbers
               if n and len(n) == len(prefix) + digits and n[len(prefix):].isdigit()]
    return max(serials, default=0)
