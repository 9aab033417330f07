"""The ``document`` table: one row per upload; the file itself is shared by equal content."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

MEDIA_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class Document(db.Model):
    """An uploaded file (PDF, JPEG or PNG) with its page count and uploader's organisation."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_organisation", "organisation_kind", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(40))
    # No foreign key yet: the case table arrives with the engine.
    case_id: Mapped[int | None] = mapped_column(index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    # The uploader's organisation at upload time, so that colleagues can read it.
    organisation_kind: Mapped[str | None] = mapped_column(String(16))
    organisation_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_pdf(self) -> bool:
        return self.media_type == "application/pdf"
