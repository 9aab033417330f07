"""Saved inbox filters (常用查询): each account keeps named filters of its lists and sees how
many rows each one matches now."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from service.casework.inbox import Filters, _filters, bp, count_for
from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

PAGES = {"inbox.index": "我的待办", "inbox.started": "我发起的业务", "inbox.all_cases": "业务查询"}
PER_PAGE = 20


class SavedFilter(db.Model):
    """A named filter of one list, kept for one account."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("account_id", "endpoint", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    endpoint: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


bp.add_app_template_global(PAGES, "saved_filter_pages")


def _parsed(query: str) -> tuple[Filters, dict]:
    return _filters(MultiDict(parse_qsl(query)))


@bp.app_template_global()
def saved_filters_of(endpoint: str) -> list[dict]:
    """The caller's saved filters of a list, each with its link and current count."""
    rows = db.session.scalars(select(SavedFilter).where(
        SavedFilter.account_id == current_user.id, SavedFilter.endpoint == endpoint)
        .order_by(SavedFilter.name))
    out = []
    for saved in rows:
        flt, errors = _parsed(saved.query)
        out.append({"id": saved.id, "name": saved.name, "count": None if errors else
                    count_for(endpoint, flt), "url": url_for(endpoint, **flt.active())})
    return out


@bp.post("/filters")
@login_required
def save_filter():
    endpoint, name = request.form.get("endpoint", ""), request.form.get("name", "").strip()
    if endpoint not in PAGES:
        return redirect(url_for("inbox.index"), 303)
    flt, errors = _parsed(request.form.get("query", "")[:500])
    back = url_for(endpoint, **flt.active())
    existing = db.session.scalars(select(SavedFilter).where(
        SavedFilter.account_id == current_user.id, SavedFilter.endpoint == endpoint)).all()
    problem = ("请填写查询名称（不超过 40 字）" if not name or len(name) > 40 else
               "查询条件有误，未保存" if errors else
               "已有同名的常用查询" if any(s.name == name for s in existing) else
               f"每个列表最多保存 {PER_PAGE} 个常用查询" if len(existing) >= PER_PAGE else None)
    if problem:
        flash(problem, "error")
        return redirect(back, 303)
    db.session.add(SavedFilter(account_id=current_user.id, endpoint=endpoint, name=name,
                               query=urlencode(flt.active())))
    db.session.commit()
    flash(f"已保存常用查询：{name}", "success")
    return redirect(back, 303)


@bp.post("/filters/<int:filter_id>/delete")
@login_required
def delete_filter(filter_id: int):
    saved = db.session.get(SavedFilter, filter_id)
    if saved is None or saved.account_id != current_user.id:
        flash("该常用查询不存在", "warning")
        return redirect(url_for("inbox.index"), 303)
    endpoint = saved.endpoint
    db.session.delete(saved)
    db.session.commit()
    flash("已删除常用查询", "success")
    return redirect(url_for(endpoint), 303)
