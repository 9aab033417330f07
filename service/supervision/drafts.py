"""What a self-inspection and a demerit report share: a record started as a draft (暂存) whose
case waits at its author's ``fill`` task; the author edits or deletes the draft (the case is
withdrawn); 确认上报 completes ``fill``; afterwards every change is refused."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import runtime
from service.engine.models import Case
from service.engine.plugins import CheckContext
from service.supervision.processes import open_item


@dataclass(frozen=True)
class Drafts:
    model: type
    author: str  # the column naming the author's account
    start_key: str  # the start data naming the record
    immutable: str  # 已确认上报的…不可修改
    not_author: str
    start_hint: str
    withdrawn: str  # the withdrawal's reason

    def own(self, actor: Account, record) -> None:
        """Refuse unless ``record`` is a draft of ``actor``."""
        if record.status != "draft":
            raise ApiError(409, self.immutable, code="immutable")
        if getattr(record, self.author) != actor.id:
            raise ApiError(403, self.not_author)

    def submit(self, actor: Account, record) -> None:
        """确认上报: the engine's ``fill`` task (its check has the last word)."""
        item = open_item(record.case_id, "fill")
        if record.status != "draft" or item is None:
            raise ApiError(409, self.immutable, code="immutable")
        runtime.complete(actor, item.id, {})

    def delete(self, actor: Account, record) -> None:
        """Delete a draft and withdraw its case (the withdrawal commits both)."""
        self.own(actor, record)
        case_id = record.case_id
        db.session.delete(record)
        db.session.flush()
        runtime.withdraw(actor, db.session.get(Case, case_id), self.withdrawn)

    def of_case(self, ctx):
        return db.session.scalars(select(self.model).where(self.model.case_id == ctx.case.id)).one()

    def start_rule(self, ctx: CheckContext) -> dict[str, list[str]]:
        """A case starts only for a new draft of the starter's."""
        record = db.session.get(self.model, ctx.data.get(self.start_key) or 0)
        if record is None or record.case_id is not None or getattr(record, self.author) != ctx.actor.id:
            return {self.start_key: [self.start_hint]}
        return {}
