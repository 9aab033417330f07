"""Saved filters (常用查询): each account keeps named filters of its lists and sees how many rows
each one matches now. A list takes part by registering with :func:`saved_list` how its query
string is read and counted: the inboxes here, the combined institution query in its domain."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from service.casework.inbox import _filters, bp, count_for
from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

PER_PAGE = 20


@dataclass(frozen=True)
class SavedList:
    """A list whose filters can be saved: its name, and how its query string is read."""

    label: str
    active: Callable[[MultiDict], dict | None]  # the filters that are set; None when invalid
    count: Callable[[MultiDict], int]  # rows the list shows with these (valid) filters


PAGES: dict[str, SavedList] = {}


def saved_list(endpoint: str, label: str, active: Callable[[MultiDict], dict | None],
               count: Callable[[MultiDict], int]) -> None:
    """Let the accounts save filters of the list at ``endpoint``."""
    PAGES[endpoint] = SavedList(label, active, count)


def _inbox_active(args: MultiDict) -> dict | None:
    flt, errors = _filters(args)
    return None if errors else flt.active()


for _endpoint, _label in (("inbox.index", "我的待办"), ("inbox.started", "我发起的业务"),
                          ("inbox.all_cases", "业务查询")):
    saved_list(_endpoint, _label, _inbox_active,
               lambda args, endpoint=_endpoint: count_for(endpoint, _filters(args)[0]))


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


def _args(query: str) -> MultiDict:
    return MultiDict(parse_qsl(query))


@bp.app_template_global()
def saved_filters_of(endpoint: str) -> list[dict]:
    """The caller's saved filters of a list, each with its link and current count."""
    rows = db.session.scalars(select(SavedFilter).where(
        SavedFilter.account_id == current_user.id, SavedFilter.endpoint == endpoint)
        .order_by(SavedFilter.name))
    out, page = [], PAGES[endpoint]
    for saved in rows:
        args = _args(saved.query)
        active = page.active(args)
        out.append({"id": saved.id, "name": saved.name,
                    "count": None if active is None else page.count(args),
                    "url": url_for(endpoint, **(active or {}))})
    return out


@bp.post("/filters")
@login_required
def save_filter():
    endpoint, name = request.form.get("endpoint", ""), request.form.get("name", "").strip()
    if endpoint not in PAGES:
        return redirect(url_for("inbox.index"), 303)
    active = PAGES[endpoint].active(_args(request.form.get("query", "")[:500]))
    back = url_for(endpoint, **(active or {}))
    existing = db.session.scalars(select(SavedFilter).where(
        SavedFilter.account_id == current_user.id, SavedFilter.endpoint == endpoint)).all()
    problem = ("请填写查询名称（不超过 40 字）" if not name or len(name) > 40 else
               "查询条件有误，未保存" if active is None else
               "已有同名的常用查询" if any(s.name == name for s in existing) else
               f"每个列表最多保存 {PER_PAGE} 个常用查询" if len(existing) >= PER_PAGE else None)
    if problem:
        flash(problem, "error")
        return redirect(back, 303)
    db.session.add(SavedFilter(account_id=current_user.id, endpoint=endpoint, name=name,
                               query=urlencode(active, doseq=True)))
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
