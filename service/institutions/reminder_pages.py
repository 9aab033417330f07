"""The reminders on the administration's home, their lists, and the counts the home page's
script (``static/reminders.js``) reads to refresh them without reloading."""
from __future__ import annotations

from datetime import datetime

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from service.core.paging import QueryError
from service.core.times import SHANGHAI, shanghai_today
from service.institutions import reminder_board as board
from service.institutions.pages import bp
from service.web.home import home_context

PAGE_SIZE = 50


def _board(actor) -> list[dict]:
    today = shanghai_today()
    numbers = board.counts(actor, today)
    return [{"kind": k.code, "label": k.label, "window": k.window, "count": numbers[k.code],
             "board": k.board, "url": url_for("institutions.reminders", kind=k.code)}
            for k in board.KINDS.values() if k.code in numbers]


@home_context("administration", "staff")
def reminders_on_home(actor) -> dict:
    if not board.applies_to(actor):
        return {}
    return {"reminder_board": _board(actor),
            "now_local": datetime.now(SHANGHAI).strftime("%H:%M:%S")}


@bp.get("/reminders")
@login_required
def reminders():
    if not board.applies_to(current_user):
        abort(404)
    kind = request.args.get("kind") or None
    try:
        items, next_cursor = board.listing(current_user, kind, PAGE_SIZE,
                                           request.args.get("cursor") or None)
    except QueryError:
        abort(400)
    return render_template("institutions/reminders.html", items=items, next_cursor=next_cursor,
                           kind=board.KINDS.get(kind), tabs=_board(current_user))


@bp.get("/reminders/counts.json")
@login_required
def reminder_counts():
    """The home page's figures, for its script (same-origin, the login's session)."""
    if not board.applies_to(current_user):
        abort(404)
    response = jsonify({"counts": board.counts(current_user)})
    response.headers["Cache-Control"] = "no-store"
    return response
