"""The password policy: common passwords, the holder's own names and the previous password are
refused with a Chinese reason, on the password page and over the API."""
from __future__ import annotations

import pytest
from conftest import DEMO_PASSWORD, Database, csrf, error_of, logged_in
from flask.testing import FlaskClient
from sqlalchemy import select

from service.access.models import Account
from service.access.passwords import COMMON, OWN_NAME, REUSED, WEAK, password_problem


def _page_change(client: FlaskClient, current: str, new: str):
    token = csrf(client, "/password")
    return client.post("/password", data={"current": current, "new": new, "confirm": new,
                                          "csrf_token": token})


def _hash(database: Database, username: str) -> str:
    return database.scalar(select(Account.password_hash).where(Account.username == username))


@pytest.mark.parametrize(("new", "message"), [
    ("password1", COMMON),
    ("qwerty123", COMMON),
    ("woaini1314", COMMON),          # the Chinese list in seed/
    ("Yiyuan2024", COMMON),
    ("bjwjw2024", OWN_NAME),         # the user name bj.wjw without its dot, plus digits
    ("2024bj.wjw!", OWN_NAME),
    ("bj_wjw2024", OWN_NAME),        # the e-mail's local part
    ("15320626818ab", OWN_NAME),     # the account's phone
    ("Dragon12345", WEAK),           # zxcvbn: a word and a sequence
])
def test_the_password_page_refuses_guessable_passwords(client: FlaskClient, database: Database,
                                                       new: str, message: str) -> None:
    before = _hash(database, "bj.wjw")
    logged_in(client, "bj.wjw")
    response = _page_change(client, DEMO_PASSWORD, new)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _hash(database, "bj.wjw") == before


def test_the_api_refuses_a_common_password_with_a_field_error(api) -> None:
    response = api("bj.chaoyang.wjw").post("/api/v1/me/password",
                                           json={"current": DEMO_PASSWORD, "new": "qwerty123"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"new": [COMMON]}


def test_going_back_to_the_previous_password_is_refused(client: FlaskClient, api) -> None:
    caller = api("bj.chaoyang.wjw")
    first = caller.post("/api/v1/me/password", json={"current": DEMO_PASSWORD,
                                                     "new": "Kaiming2024x"})
    assert first.status_code == 200
    logged_in(client, "bj.chaoyang.wjw", "Kaiming2024x")
    assert _page_change(client, "Kaiming2024x", "Huifu2024qz").status_code == 302
    response = _page_change(client, "Huifu2024qz", "Kaiming2024x")
    assert response.status_code == 400 and REUSED in response.get_data(as_text=True)


def test_an_issued_password_does_not_replace_the_holder_s_previous_one(
        database: Database) -> None:
    """After a reset by the issuer the holder still may not go back to her own old password."""
    from service.access.accounts import reset_password
    from service.access.passwords import verify_password

    with database.session() as s:
        admin = s.scalar(select(Account).where(Account.username == "admin"))
        target = s.scalar(select(Account).where(Account.username == "inst.chaoyang1"))
        reset_password(admin, target)
        assert verify_password(target.previous_password_hash, DEMO_PASSWORD)
        reset_password(admin, target)  # a second reset: the issued one is still not kept
        assert verify_password(target.previous_password_hash, DEMO_PASSWORD)
        s.rollback()


def test_a_strong_password_passes(client: FlaskClient) -> None:
    logged_in(client, "bj.wjw")
    assert _page_change(client, DEMO_PASSWORD, "Wq7Kd92Lm").status_code == 302


def test_the_common_list_is_data_of_a_few_thousand_entries() -> None:
    from service.access.passwords import common_passwords

    assert len(common_passwords()) > 3000
    assert password_problem("Zhang123456") == COMMON


@pytest.mark.parametrize(("password", "names"), [
    ("zhangsan2024", ["张三"]),
    ("zoulei01abc", ["zoulei01"]),
    ("signup2024x", ["signup@example.cn"]),
])
def test_own_names_are_found_in_any_spelling(password: str, names: list[str]) -> None:
    assert password_problem(password, names=names) == OWN_NAME
