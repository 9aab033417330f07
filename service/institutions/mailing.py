"""Envelopes and labels (信封打印) of a combined query's institutions, as a background job.

The page records a batch (the account, the layout, the query string) and a dramatiq worker
draws it: the query runs again as the account, within its jurisdiction at that moment, its
institutions' postal addresses are drawn page by page (:mod:`service.printing.labels`), the
progress is written as it goes and the PDF is kept under ``STORAGE_DIR/mailings/`` for its
account to download. A batch of any size takes the same memory per address.
"""
from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import dramatiq
from flask import current_app
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

import service.jobs  # noqa: F401  (binds the broker before the actor is declared)
from service.access.models import Account
from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow
from service.institutions.models import Institution
from service.institutions.queries import InstitutionFilters, count, pages
from service.printing.labels import LAYOUTS, Address, envelopes, label_sheets

log = logging.getLogger(__name__)
BATCH_STATUSES = {"queued": "排队中", "running": "正在生成", "succeeded": "已完成",
                  "failed": "生成失败"}
PROGRESS_EVERY = 200  # addresses between progress writes


class MailingBatch(db.Model):
    """One print of a query's addresses, as labels or envelopes."""

    __tablename__ = "mailing_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    layout: Mapped[str] = mapped_column(String(12))
    query: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    total: Mapped[int | None]
    done: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int | None]
    file_key: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def layout_name(self) -> str:
        return LAYOUTS[self.layout]

    @property
    def status_name(self) -> str:
        return BATCH_STATUSES[self.status]

    @property
    def percent(self) -> int:
        if self.status == "succeeded":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    def filters(self) -> InstitutionFilters:
        return InstitutionFilters.from_args(MultiDict(parse_qsl(self.query)))


def address_of(inst: Institution) -> Address:
    person = inst.principal or inst.legal_representative
    contact = "　".join(part for part in (f"联系人：{person}" if person else "",
                                          f"电话：{inst.phone}" if inst.phone else "") if part)
    return Address(inst.postal_code or "", inst.address, inst.name, contact)


def start(actor: Account, layout: str, flt: InstitutionFilters) -> MailingBatch:
    """Record a batch and enqueue it once the record is committed."""
    batch = MailingBatch(account_id=actor.id, layout=layout, total=count(actor, flt),
                         query=urlencode(flt.active(), doseq=True))
    db.session.add(batch)
    db.session.commit()
    draw_mailing.send(batch.id)
    return batch


def batches_of(actor: Account, limit: int = 10) -> list[MailingBatch]:
    return list(db.session.scalars(select(MailingBatch).where(
        MailingBatch.account_id == actor.id).order_by(MailingBatch.id.desc()).limit(limit)))


def path_of(batch: MailingBatch) -> Path | None:
    if not batch.file_key:
        return None
    return Path(current_app.config["STORAGE_DIR"]) / batch.file_key


def addresses(actor: Account, flt: InstitutionFilters) -> Iterator[Address]:
    """The postal addresses of the query's institutions, in the query's order."""
    # each page is read into addresses at once: a progress commit expires the page's rows
    for items in pages(actor, flt):
        yield from [address_of(inst) for inst in items]


def run(batch_id: int) -> None:
    """Draw a batch (what the worker does); a second run of a finished batch does nothing."""
    batch = db.session.get(MailingBatch, batch_id)
    if batch is None or batch.status == "succeeded":
        return
    actor = db.session.get(Account, batch.account_id)
    batch.status, batch.done, batch.error = "running", 0, None
    db.session.commit()
    storage = Path(current_app.config["STORAGE_DIR"])
    (storage / "mailings").mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=storage / "mailings", suffix=".part")
    drawn = [0]

    def progress(done: int) -> None:
        drawn[0] = done
        if done - batch.done >= PROGRESS_EVERY:
            batch.done = done
            db.session.commit()

    try:
        rows = addresses(actor, batch.filters())
        title = "医疗机构地址标签" if batch.layout == "labels" else "医疗机构信封"
        with os.fdopen(handle, "wb") as out:
            if batch.layout == "labels":
                pages_drawn = label_sheets(rows, out, title, progress)
            else:
                sender = actor.organisation_name or actor.display_name
                pages_drawn = envelopes(rows, out, title, sender, progress)
        key = f"mailings/{batch.id}-{secrets.token_hex(8)}.pdf"
        os.replace(temp, storage / key)
    except Exception as exc:  # recorded on the batch for its page; the log has the trace
        Path(temp).unlink(missing_ok=True)
        db.session.rollback()
        batch.status, batch.error, batch.finished_at = "failed", type(exc).__name__, utcnow()
        db.session.commit()
        log.exception("mailing batch %s failed", batch_id)
        return
    batch.status, batch.pages, batch.file_key = "succeeded", pages_drawn, key
    batch.done = batch.total = drawn[0]
    batch.finished_at = utcnow()
    db.session.commit()


@dramatiq.actor(queue_name="prints", max_retries=0, time_limit=3_600_000)
def draw_mailing(batch_id: int) -> None:
    run(batch_id)
