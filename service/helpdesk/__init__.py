"""The help centre (帮助中心 / 客服中心, seed 003 ch.4): hot questions and a list of common
questions per kind of user, kept by the platform administrator, and "我要提问": any user asks,
the platform's support staff answer, and the asker sees the reply with an unread mark."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.helpdesk import home, pages  # noqa: F401  (the home contribution registers on import)
    from service.helpdesk.service import unread_replies

    app.register_blueprint(pages.bp)
    app.jinja_env.globals["help_unread"] = unread_replies
