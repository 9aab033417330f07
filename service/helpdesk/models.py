"""Help articles (the common questions and their answers) and users' questions to support."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

# Who an article is written for: every user, or the accounts of one kind.
AUDIENCES = {
    "all": "所有用户",
    "physician": "医师",
    "nurse": "护士",
    "institution": "医疗机构",
    "administration": "卫生健康行政部门",
}


class HelpArticle(db.Model):
    """A common question with its answer (常见问题 / 热点问题). ``key`` names the articles loaded
    from ``seed/help/articles.csv`` so that loading again adds only new ones and never overwrites
    what the platform administrator edited."""

    __tablename__ = "help_article"
    __table_args__ = (Index("ix_help_article_listing", "published", "audience", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    audience: Mapped[str] = mapped_column(String(16), default="all")
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    hot: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    updated_by = relationship("Account")

    @property
    def audience_name(self) -> str:
        return AUDIENCES.get(self.audience, self.audience)


class HelpQuestion(db.Model):
    """A question a user put to support (我要提问) and the reply. The asker may delete it from her
    list; support keeps seeing it, marked as deleted."""

    __tablename__ = "help_question"
    __table_args__ = (
        Index("ix_help_question_asker", "asker_id", "asked_at"),
        Index("ix_help_question_queue", "answered_at", "asked_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    title: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # when the asker last opened the reply; a reply newer than this is unread
    answer_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    asker = relationship("Account", foreign_keys=[asker_id])
    answered_by = relationship("Account", foreign_keys=[answered_by_id])

    @property
    def unread(self) -> bool:
        return self.answered_at is not None and (
            self.answer_seen_at is None or self.answer_seen_at < self.answered_at)
