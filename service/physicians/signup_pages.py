"""The physician's sign-up pages (医师个人版 用户注册, seed 003 ch.2 §1.2), public: the shared
sign-up pages (``service.persons.signup_pages``) over the physician's records, in the wording
of ``seed/notices/physician_signup.json``."""
from __future__ import annotations

from service.persons.signup_pages import SignupDoors, signup_blueprint
from service.physicians.signup import check_identity, create_account, summary

bp = signup_blueprint("signup", "/physician/signup", "physician_signup",
                      SignupDoors(check_identity, create_account, summary))
