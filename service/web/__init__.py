"""Server-rendered pages (Chinese), one blueprint per area."""
from __future__ import annotations

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user

from service.access import second_factor as factor
from service.access import sessions
from service.access.models import Account
from service.core.extensions import login_manager
from service.web.menu import menu_for

# Endpoints open to a session whose password must be changed first; REST has its own auth.
PASSWORD_EXEMPT = {None, "static", "auth.login", "auth.logout", "auth.change_password",
                   "second_factor.login_code"}
# ... and to one that must enrol a second factor before anything else.
ENROL_EXEMPT = PASSWORD_EXEMPT | {"second_factor.enrol"}
NOT_PAGES = {"api_v1", "health"}


def register(app: Flask) -> None:
    """The shell every page lives in: login, the password-first rule, security headers, the
    menu and filters, and the login, home and account pages. Domain packages and the case
    pages register their own blueprints."""
    from service.web import accounts, auth, filters, home, messages, office, second_factor

    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load(user_id: str) -> Account | None:
        # a cookie is good only while its server-side login is live (logout ends it) and the
        # account's epoch is unchanged (a password change or reset ends every login)
        return sessions.account_for(user_id, session.get(sessions.SESSION_KEY))

    app.jinja_env.globals["menu_for"] = menu_for
    filters.register(app)
    messages.register(app)
    for module in (auth, second_factor, home, accounts, messages, office):
        app.register_blueprint(module.bp)

    @app.before_request
    def _password_change_first():
        # An issued or reset password travelled by SMS: until the holder sets her own, the
        # session opens nothing but the password page (and logout).
        if request.blueprint in NOT_PAGES or request.endpoint in PASSWORD_EXEMPT:
            return None
        if current_user.is_authenticated and current_user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return None

    @app.before_request
    def _second_factor_first():
        # REQUIRE_SECOND_FACTOR: an administration or platform account without one opens
        # nothing but the enrolment page until it has one
        if request.blueprint in NOT_PAGES or request.endpoint in ENROL_EXEMPT:
            return None
        if current_user.is_authenticated and factor.is_required(current_user) \
                and not factor.is_enrolled(current_user):
            return redirect(url_for("second_factor.enrol"))
        return None

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'",
        )
        if response.is_json:  # answers hold personal data: no shared or browser cache
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("HSTS_MAX_AGE"):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains")
        return response
