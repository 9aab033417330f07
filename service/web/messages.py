"""系统消息 (seed 004 §1.5): the holder's in-app messages, unread ones marked red until opened;
the unread count in the header of every page."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.core.extensions import db
from service.core.params import to_int
from service.notify import inbox

bp = Blueprint("messages", __name__, url_prefix="/messages")
PAGE = 50


@bp.get("/")
@login_required
def index():
    before = to_int(request.args.get("before"), minimum=1)
    items = inbox.messages(current_user.id, before=before, limit=PAGE + 1)
    more = len(items) > PAGE
    return render_template("messages.html", items=items[:PAGE],
                           next_before=items[PAGE - 1].id if more else None)


@bp.post("/<int:message_id>/read")
@login_required
def read(message_id: int):
    """Opening a message marks it read."""
    if inbox.mark_read(current_user.id, message_id) is None:
        abort(404)
    db.session.commit()
    return redirect(url_for("messages.index") + f"#m{message_id}")


def register(app: Flask) -> None:
    @app.context_processor
    def unread_messages() -> dict:
        def count() -> int:
            if not current_user.is_authenticated:
                return 0
            return inbox.unread_count(current_user.id)
        return {"unread_messages": count}
