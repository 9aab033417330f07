"""Issuing and maintaining accounts: administrations issue accounts to what they manage, the
initial password travels by SMS through the outbox and must be changed at first login."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import DEMO_PASSWORD, ApiClient, Database, Demo, csrf, error_of, logged_in, login
from flask.testing import FlaskClient
from sqlalchemy import or_, select

from service.access.models import Account
from service.access.passwords import password_problem
from service.institutions.face import Institution
from service.notify.models import Notification
from service.registry.reference import Administration

ACCOUNTS = "/api/v1/accounts"
PHONE = "13800138000"
_PASSWORD_IN_SMS = re.compile(r"(?:初始密码为) ([A-Za-z0-9]+)")


def _administration(database: Database, division: str) -> int:
    return database.scalar(select(Administration.id)
                           .where(Administration.division_code == division))


def _account(database: Database, username: str) -> Account | None:
    return database.scalar(select(Account).where(Account.username == username))


def _sms_password(database: Database, username: str) -> str:
    """The password in the newest SMS queued for the account, after checking the message."""
    message = database.scalar(
        select(Notification).join(Account, Account.id == Notification.account_id)
        .where(Account.username == username).order_by(Notification.id.desc()).limit(1))
    assert message is not None, f"no notification for {username}"
    account = _account(database, username)
    assert message.channel == "sms" and message.address == account.phone
    assert username in message.body
    found = _PASSWORD_IN_SMS.search(message.body)
    assert found, message.body
    return found.group(1)


def _issue_on_page(client: FlaskClient, organisation: str, username: str = "cy2.clerk",
                   roles: tuple[str, ...] = ("inst_clerk",)):
    token = csrf(client, "/accounts/new")
    return client.post("/accounts/new", data={
        "organisation": organisation, "username": username, "display_name": "测试经办人",
        "phone": PHONE, "email": "", "roles": list(roles), "csrf_token": token})


def _issue(caller: ApiClient, username: str = "cy2.admin", **target: object):
    body = {"username": username, "display_name": "测试管理员", "phone": PHONE,
            "roles": ["inst_admin"], **target}
    return caller.post(ACCOUNTS, json=body)


# --- issuing ---------------------------------------------------------------------------------

def test_chaoyang_issues_an_account_for_its_institution_on_the_page(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    logged_in(client, "bj.chaoyang.wjw")
    response = _issue_on_page(client, f"i:{demo.institution['inst.chaoyang2']}")
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/"
    assert "138****8000" in client.get("/accounts/").get_data(as_text=True)

    account = _account(database, "cy2.clerk")
    assert account.kind == "institution" and account.roles == ["inst_clerk"]
    assert account.institution_id == demo.institution["inst.chaoyang2"]
    assert account.created_by_id == demo.account["bj.chaoyang.wjw"]
    assert account.must_change_password
    password = _sms_password(database, "cy2.clerk")
    assert password_problem(password) is None
    assert password not in account.password_hash


def test_chaoyang_issues_an_account_through_the_api(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    response = _issue(api("bj.chaoyang.wjw"), institution_id=demo.institution["inst.chaoyang2"])
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "cy2.admin" and body["phone"] == "138****8000"
    assert body["institution_id"] == demo.institution["inst.chaoyang2"]
    assert body["must_change_password"] is True and "password" not in body
    password = _sms_password(database, "cy2.admin")
    token = client.post("/api/v1/auth/token", json={"username": "cy2.admin", "password": password})
    assert token.status_code == 200 and token.get_json()["must_change_password"] is True


def test_a_password_change_ends_the_accounts_api_tokens(
        api: Callable[..., ApiClient], client: FlaskClient, database: Database) -> None:
    token = client.post("/api/v1/auth/token",
                        json={"username": "inst.chaoyang2", "password": "Demo12345"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    changed = client.post("/api/v1/me/password", headers=headers,
                          json={"current": "Demo12345", "new": "Another2026"})
    assert changed.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_api_client_with_an_initial_password_must_change_it_first(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    _issue(api("bj.chaoyang.wjw"), institution_id=demo.institution["inst.chaoyang2"])
    initial = _sms_password(database, "cy2.admin")
    token = client.post("/api/v1/auth/token", json={"username": "cy2.admin", "password": initial})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    refused = client.get("/api/v1/institutions", headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "password_change_required"
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    weak = client.post("/api/v1/me/password", headers=headers,
                       json={"current": initial, "new": "short"})
    assert weak.status_code == 422 and "new" in weak.get_json()["error"]["fields"]
    changed = client.post("/api/v1/me/password", headers=headers,
                          json={"current": initial, "new": "Changed2026"})
    assert changed.status_code == 200
    again = client.post("/api/v1/auth/token", json={"username": "cy2.admin", "password": "Changed2026"})
    fresh = {"Authorization": f"Bearer {again.get_json()['token']}"}
    assert client.get("/api/v1/institutions", headers=fresh).status_code == 200


def test_a_new_account_changes_its_password_at_first_login_then_uses_the_new_one(
        api: Callable[..., ApiClient], client: FlaskClient, new_client, demo: Demo,
        database: Database) -> None:
    _issue(api("bj.chaoyang.wjw"), institution_id=demo.institution["inst.chaoyang2"])
    initial = _sms_password(database, "cy2.admin")

    response = login(client, "cy2.admin", initial)
    assert response.status_code == 302 and response.headers["Location"] == "/password"
    assert client.get("/institutions/mine").headers["Location"] == "/password"
    token = csrf(client, "/password")
    changed = client.post("/password", data={"current": initial, "new": "MyOwn2024pw",
                                             "confirm": "MyOwn2024pw", "csrf_token": token})
    assert changed.status_code == 302 and changed.headers["Location"] == "/"

    fresh = new_client()
    response = login(fresh, "cy2.admin", "MyOwn2024pw")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert fresh.get("/institutions/mine").headers["Location"] == (
        f"/institutions/{demo.institution['inst.chaoyang2']}")
    assert login(new_client(), "cy2.admin", initial).status_code == 401


def test_chaoyang_cannot_issue_for_a_jiangbei_institution(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    jiangbei = demo.institution["inst.jiangbei1"]
    response = _issue(api("bj.chaoyang.wjw"), institution_id=jiangbei)
    assert response.status_code == 422
    assert error_of(response)["fields"]["organisation"] == ["您无权为该单位发放账户"]
    logged_in(client, "bj.chaoyang.wjw")
    page = _issue_on_page(client, f"i:{jiangbei}", username="jb.sneaky")
    assert page.status_code == 400 and "不是有效的选择" in page.get_data(as_text=True)
    assert _account(database, "cy2.admin") is None and _account(database, "jb.sneaky") is None
    assert not database.scalars(select(Notification).where(Notification.address == PHONE))


@pytest.mark.parametrize(("issuer", "division", "allowed"), [
    ("bj.wjw", "110108", True),            # municipal → a Beijing district
    ("bj.wjw", "500105", False),           # municipal → a Chongqing district
    ("bj.wjw", "500000", False),           # municipal → another province
    ("bj.chaoyang.wjw", "110108", False),  # district → a neighbouring district
])
def test_only_a_province_issues_to_administrations_below_it(
        api: Callable[..., ApiClient], database: Database, issuer: str, division: str,
        allowed: bool) -> None:
    caller = api(issuer)
    response = caller.post(ACCOUNTS, json={
        "username": "new.bureau", "display_name": "新账户", "phone": PHONE,
        "roles": ["bureau_clerk"], "administration_id": _administration(database, division)})
    if allowed:
        assert response.status_code == 201
        assert response.get_json()["administration_id"] == _administration(database, division)
    else:
        assert response.status_code == 422
        assert error_of(response)["fields"]["organisation"] == ["您无权为该单位发放账户"]
        assert _account(database, "new.bureau") is None


@pytest.mark.parametrize("username", ["inst.chaoyang1", "INST.Chaoyang1"])
def test_a_taken_user_name_is_422(api: Callable[..., ApiClient], demo: Demo,
                                  username: str) -> None:
    response = _issue(api("bj.chaoyang.wjw"), username,
                      institution_id=demo.institution["inst.chaoyang2"])
    assert response.status_code == 422
    assert error_of(response)["fields"]["username"] == ["该用户名已被使用"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"username": "9starts.with.digit"}, "username"),
    ({"phone": "12345"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"roles": ["bureau_head"]}, "roles"),
    ({"roles": []}, "roles"),
    ({"institution_id": "7"}, "institution_id"),
])
def test_unusable_account_details_are_422_per_field(
        api: Callable[..., ApiClient], demo: Demo, database: Database, changes: dict,
        field: str) -> None:
    body = {"username": "cy2.x", "display_name": "测试", "phone": PHONE, "roles": ["inst_clerk"],
            "institution_id": demo.institution["inst.chaoyang2"], **changes}
    response = api("bj.chaoyang.wjw").post(ACCOUNTS, json=body)
    assert response.status_code == 422
    assert error_of(response)["fields"][field]
    assert _account(database, body["username"]) is None


def test_an_account_without_account_management_cannot_issue_or_see_the_pages(
        client: FlaskClient) -> None:
    logged_in(client, "bj.chaoyang.clerk")
    assert client.get("/accounts/").status_code == 403
    assert client.get("/accounts/new").status_code == 403


# --- reset, disable, enable ------------------------------------------------------------------

def test_a_password_reset_logs_the_old_session_out_and_sends_a_new_password(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    logged_in(client, "inst.chaoyang1")
    assert client.get("/password").status_code == 200
    epoch = database.scalar(select(Account.session_epoch)
                            .where(Account.username == "inst.chaoyang1"))

    response = api("bj.chaoyang.wjw").post(
        f"{ACCOUNTS}/{demo.account['inst.chaoyang1']}/reset-password")
    assert response.status_code == 200 and response.get_json()["must_change_password"] is True
    assert database.scalar(select(Account.session_epoch)
                           .where(Account.username == "inst.chaoyang1")) == epoch + 1
    assert client.get("/password").headers["Location"].startswith("/login")

    new_password = _sms_password(database, "inst.chaoyang1")
    assert api("bj.chaoyang.wjw").client.post("/api/v1/auth/token", json={
        "username": "inst.chaoyang1", "password": DEMO_PASSWORD}).status_code == 401
    assert login(client, "inst.chaoyang1", new_password).headers["Location"] == "/password"


def test_a_password_reset_from_the_account_list_page(
        client: FlaskClient, new_client, demo: Demo, database: Database) -> None:
    target = logged_in(new_client(), "inst.chaoyang2")
    logged_in(client, "bj.chaoyang.wjw")
    token = csrf(client, "/accounts/")
    response = client.post(f"/accounts/{demo.account['inst.chaoyang2']}/reset",
                           data={"csrf_token": token})
    assert response.status_code == 303
    assert target.get("/password").headers["Location"].startswith("/login")
    assert _sms_password(database, "inst.chaoyang2") != DEMO_PASSWORD


def test_a_disabled_account_can_neither_log_in_nor_use_its_token(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo) -> None:
    institution = api("inst.chaoyang1")
    logged_in(client, "inst.chaoyang1")
    chaoyang = api("bj.chaoyang.wjw")
    response = chaoyang.post(f"{ACCOUNTS}/{demo.account['inst.chaoyang1']}/disable")
    assert response.status_code == 200 and response.get_json()["is_enabled"] is False

    assert institution.get("/api/v1/me").status_code == 401
    token = institution.client.post("/api/v1/auth/token", json={
        "username": "inst.chaoyang1", "password": DEMO_PASSWORD})
    assert token.status_code == 401 and "停用" in error_of(token)["message"]
    assert client.get("/password").headers["Location"].startswith("/login")
    page = login(client, "inst.chaoyang1")
    assert page.status_code == 401 and "该账户已停用" in page.get_data(as_text=True)

    assert chaoyang.post(f"{ACCOUNTS}/{demo.account['inst.chaoyang1']}/enable").status_code == 200
    assert login(client, "inst.chaoyang1").status_code == 302


def test_disabling_from_the_account_list_page(client: FlaskClient, demo: Demo,
                                              database: Database) -> None:
    logged_in(client, "bj.chaoyang.wjw")
    token = csrf(client, "/accounts/")
    response = client.post(f"/accounts/{demo.account['inst.chaoyang2']}/enabled",
                           data={"enabled": "0", "csrf_token": token})
    assert response.status_code == 303
    assert database.scalar(select(Account.is_enabled)
                           .where(Account.username == "inst.chaoyang2")) is False


def test_an_administration_cannot_disable_itself(api: Callable[..., ApiClient],
                                                 demo: Demo) -> None:
    caller = api("bj.chaoyang.wjw")
    response = caller.post(f"{ACCOUNTS}/{demo.account['bj.chaoyang.wjw']}/disable")
    assert response.status_code == 409
    assert caller.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(("actor", "target", "status"), [
    ("bj.chaoyang.wjw", "inst.jiangbei1", 404),     # another province: not even visible
    ("bj.chaoyang.wjw", "bj.wjw", 404),             # the level above
    ("bj.chaoyang.clerk", "inst.chaoyang1", 404),   # no account-management role
    ("inst.chaoyang1", "inst.chaoyang1", 403),      # sees itself, manages nothing
])
def test_accounts_outside_ones_management_cannot_be_reset(
        api: Callable[..., ApiClient], demo: Demo, database: Database, actor: str,
        target: str, status: int) -> None:
    epoch = database.scalar(select(Account.session_epoch).where(Account.username == target))
    response = api(actor).post(f"{ACCOUNTS}/{demo.account[target]}/reset-password")
    assert response.status_code == status
    assert database.scalar(select(Account.session_epoch)
                           .where(Account.username == target)) == epoch


# --- the list of managed accounts ------------------------------------------------------------

def _listed(caller: ApiClient, limit: int = 200) -> list[str]:
    names, cursor = [], None
    for _ in range(100):
        response = caller.get(f"{ACCOUNTS}?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200
        body = response.get_json()
        names += [a["username"] for a in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return names
    raise AssertionError("the cursor never ended")


def test_chaoyang_lists_exactly_the_accounts_it_manages(
        api: Callable[..., ApiClient], demo: Demo, database: Database) -> None:
    chaoyang_admin = demo.administration["bj.chaoyang.wjw"]
    issued = select(Institution.id).where(Institution.issuing_authority_id == chaoyang_admin)
    expected = set(database.scalars(select(Account.username).where(or_(
        Account.administration_id == chaoyang_admin, Account.institution_id.in_(issued)))))
    listed = _listed(api("bj.chaoyang.wjw"))
    assert set(listed) == expected and len(listed) == len(expected)
    assert {"bj.chaoyang.wjw", "bj.chaoyang.clerk", "inst.chaoyang1", "inst.chaoyang2"} <= expected
    assert not {"inst.jiangbei1", "bj.wjw", "doctor.demo", "admin"} & expected
    assert _listed(api("bj.chaoyang.wjw"), limit=1) == listed


def test_the_municipal_commission_lists_beijing_administrations_not_their_institutions(
        api: Callable[..., ApiClient]) -> None:
    listed = set(_listed(api("bj.wjw")))
    assert {"bj.wjw", "bj.chaoyang.wjw", "bj.chaoyang.clerk"} <= listed
    assert not {"cq.jiangbei.wjw", "cq.wjw", "inst.chaoyang1", "inst.jiangbei1"} & listed


def test_an_institution_manages_no_accounts(api: Callable[..., ApiClient]) -> None:
    assert _listed(api("inst.chaoyang1")) == []


def test_listed_phone_numbers_are_masked(api: Callable[..., ApiClient]) -> None:
    items = api("bj.chaoyang.wjw").get(ACCOUNTS).get_json()["items"]
    assert items and all(re.fullmatch(r"1\d{2}\*{4}\d{4}", a["phone"]) for a in items if a["phone"])
