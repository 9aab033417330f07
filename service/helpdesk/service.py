"""What the help centre does: the articles a user may read, asking, answering, keeping the
articles. Every read is limited to what the caller may see; anything else is "not found"."""
from __future__ import annotations

from pathlib import Path

from flask import abort, g
from sqlalchemy import func, or_, select

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.helpdesk.models import AUDIENCES, HelpArticle, HelpQuestion
from service.notify import outbox
from service.registry.seeding import SEED_DIR, rows

TITLE_MAX, BODY_MAX, ANSWER_MAX = 50, 1000, 2000
ARTICLE_TITLE_MAX, ARTICLE_BODY_MAX, CATEGORY_MAX = 100, 5000, 20
# a user with this many questions still unanswered waits for replies before asking more
OPEN_QUESTIONS_MAX = 20


class HelpError(Exception):
    """Input that cannot be saved: {field: [Chinese messages]}."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


def is_support(account: Account) -> bool:
    return account.has_role("support")


def is_editor(account: Account) -> bool:
    return account.has_role("sysadmin")


# --- articles ----------------------------------------------------------------------------------

def load_articles(seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Add the seeded articles not yet present (by key); edited ones are left as they are."""
    known = set(db.session.scalars(select(HelpArticle.key).where(HelpArticle.key.is_not(None))))
    added = 0
    for row in rows(seed_dir / "help" / "articles.csv"):
        if row["key"] in known:
            continue
        if row["audience"] not in AUDIENCES:
            raise ValueError(f"seed/help/articles.csv: unknown audience {row['audience']!r}")
        db.session.add(HelpArticle(
            key=row["key"], audience=row["audience"], category=row["category"], title=row["title"],
            body=row["body"], hot=row["hot"] == "1", position=int(row["position"] or 0)))
        added += 1
    db.session.commit()
    return {"help_article": added}


def _visible(account: Account):
    if is_editor(account) or is_support(account):
        return HelpArticle.published.is_(True)
    return HelpArticle.published.is_(True) & HelpArticle.audience.in_(("all", account.kind))


def articles_for(account: Account, q: str = "") -> list[HelpArticle]:
    """The published articles for the account's kind, hot ones first; ``q`` searches titles and
    answers."""
    stmt = select(HelpArticle).where(_visible(account))
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(HelpArticle.title.like(pattern), HelpArticle.body.like(pattern)))
    return list(db.session.scalars(stmt.order_by(
        HelpArticle.hot.desc(), HelpArticle.category, HelpArticle.position, HelpArticle.id)))


def article_for(account: Account, article_id: int) -> HelpArticle:
    article = db.session.scalar(select(HelpArticle).where(
        HelpArticle.id == article_id, _visible(account)))
    if article is None:
        abort(404)
    return article


def all_articles() -> list[HelpArticle]:
    return list(db.session.scalars(select(HelpArticle).order_by(
        HelpArticle.audience, HelpArticle.category, HelpArticle.position, HelpArticle.id)))


def save_article(actor: Account, article: HelpArticle | None, data: dict) -> HelpArticle:
    """Create or edit an article (the platform administrator's 帮助内容管理)."""
    title, body = (data.get("title") or "").strip(), (data.get("body") or "").strip()
    category, audience = (data.get("category") or "").strip(), data.get("audience") or ""
    errors: dict[str, list[str]] = {}
    _require(errors, "title", title, "问题标题", ARTICLE_TITLE_MAX)
    _require(errors, "body", body, "解决办法", ARTICLE_BODY_MAX)
    _require(errors, "category", category, "问题类别", CATEGORY_MAX)
    if audience not in AUDIENCES:
        errors["audience"] = ["请选择适用对象"]
    position = (data.get("position") or "0").strip()
    if not position.isdigit() or int(position) > 9999:
        errors["position"] = ["排序应为 0–9999 的整数"]
    if errors:
        raise HelpError(errors)
    if article is None:
        article = HelpArticle()
        db.session.add(article)
    article.title, article.body, article.category, article.audience = title, body, category, audience
    article.position = int(position)
    article.hot = bool(data.get("hot"))
    article.published = bool(data.get("published"))
    article.updated_at, article.updated_by = utcnow(), actor
    db.session.flush()
    return article


def delete_article(article: HelpArticle) -> None:
    db.session.delete(article)
    db.session.flush()


def article_by_id(article_id: int) -> HelpArticle:
    return db.get_or_404(HelpArticle, article_id)


# --- questions ---------------------------------------------------------------------------------

def _require(errors: dict, field: str, value: str, label: str, limit: int) -> None:
    if not value:
        errors[field] = [f"请填写{label}"]
    elif len(value) > limit:
        errors[field] = [f"{label}不能超过 {limit} 字（已填 {len(value)} 字）"]


def ask(account: Account, title: str, body: str) -> HelpQuestion:
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    _require(errors, "title", title, "问题标题", TITLE_MAX)
    _require(errors, "body", body, "问题详细描述", BODY_MAX)
    if errors:
        raise HelpError(errors)
    waiting = db.session.scalar(select(func.count(HelpQuestion.id)).where(
        HelpQuestion.asker_id == account.id, HelpQuestion.answered_at.is_(None),
        HelpQuestion.deleted_at.is_(None)))
    if waiting >= OPEN_QUESTIONS_MAX:
        raise HelpError({"title": [
            f"您已有 {waiting} 个问题尚未回复，请等待客服回复后再提问"]})
    question = HelpQuestion(asker_id=account.id, title=title, body=body, asked_at=utcnow())
    db.session.add(question)
    db.session.flush()
    return question


def my_questions(account: Account) -> list[HelpQuestion]:
    """The asker's own questions (客服回复管理), newest first."""
    return list(db.session.scalars(select(HelpQuestion).where(
        HelpQuestion.asker_id == account.id, HelpQuestion.deleted_at.is_(None))
        .order_by(HelpQuestion.asked_at.desc(), HelpQuestion.id.desc())))


def own_question(account: Account, question_id: int) -> HelpQuestion:
    question = db.session.scalar(select(HelpQuestion).where(
        HelpQuestion.id == question_id, HelpQuestion.asker_id == account.id,
        HelpQuestion.deleted_at.is_(None)))
    if question is None:
        abort(404)
    return question


def mark_read(question: HelpQuestion) -> bool:
    """The asker opened the reply; True if it was unread."""
    if not question.unread:
        return False
    question.answer_seen_at = utcnow()
    db.session.flush()
    return True


def delete_question(question: HelpQuestion) -> None:
    question.deleted_at = utcnow()
    db.session.flush()


def unread_replies(account: Account) -> int:
    """Replies the account has not opened yet (the mark beside 帮助中心); once per request."""
    if not getattr(account, "is_authenticated", False):
        return 0
    if "help_unread" not in g:
        g.help_unread = db.session.scalar(select(func.count(HelpQuestion.id)).where(
            HelpQuestion.asker_id == account.id, HelpQuestion.deleted_at.is_(None),
            HelpQuestion.answered_at.is_not(None),
            or_(HelpQuestion.answer_seen_at.is_(None),
                HelpQuestion.answer_seen_at < HelpQuestion.answered_at)))
    return g.help_unread


QUEUES = {"waiting": "待回复", "answered": "已回复", "all": "全部"}


def support_queue(which: str) -> list[HelpQuestion]:
    """Questions for support: waiting ones oldest first (first come, first answered), answered
    ones newest first."""
    stmt = select(HelpQuestion)
    if which == "waiting":
        stmt = stmt.where(HelpQuestion.answered_at.is_(None), HelpQuestion.deleted_at.is_(None))
        stmt = stmt.order_by(HelpQuestion.asked_at, HelpQuestion.id)
    else:
        if which == "answered":
            stmt = stmt.where(HelpQuestion.answered_at.is_not(None))
        stmt = stmt.order_by(HelpQuestion.asked_at.desc(), HelpQuestion.id.desc())
    return list(db.session.scalars(stmt.limit(500)))


def answer(actor: Account, question: HelpQuestion, text: str) -> None:
    """Reply (or revise the reply); the asker gets a message and an unread mark."""
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    _require(errors, "answer", text, "回复内容", ANSWER_MAX)
    if question.deleted_at is not None:
        errors["answer"] = ["提问人已删除该问题，不能再回复"]
    if errors:
        raise HelpError(errors)
    revised = question.answered_at is not None
    question.answer, question.answered_at, question.answered_by = text, utcnow(), actor
    db.session.flush()
    outbox.queue("inbox", "客服已更新回复" if revised else "客服已回复您的问题",
                 f"您在帮助中心提出的问题“{question.title}”已有回复，请到“帮助中心 > 我的提问”查看。",
                 account_id=question.asker_id)
