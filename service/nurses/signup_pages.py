"""The nurse's sign-up pages (护士个人版 用户注册), public: the shared sign-up pages
(``service.persons.signup_pages``) over the nurse exam records, in the wording of
``seed/notices/nurse_signup.json``."""
from __future__ import annotations

from service.nurses.signup import check_identity, create_account, summary
from service.persons.signup_pages import SignupDoors, signup_blueprint

bp = signup_blueprint("nurse_signup", "/nurse/signup", "nurse_signup",
                      SignupDoors(check_identity, create_account, summary))
