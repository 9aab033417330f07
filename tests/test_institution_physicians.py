"""The institution's physician functions (seed 003 ch.3): approving administrations per
category, activation codes, revoking a wrongly created account, who may do what.

Departments are in ``test_institution_departments.py``; the physician lists, verification by
ID and the applications in ``test_institution_physician_lists.py``.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from conftest import ApiClient, Database, Demo, csrf, error_of, logged_in, login
from flask.testing import FlaskClient
from institution_helpers import ZOU_LEI, physician_id, send
from sqlalchemy import select

from service.access.models import Account, ApiToken
from service.notify.models import Notification
from service.persons.activation_codes import ALPHABET, redeemable
from service.persons.models import AccountRevocation, ActivationCode
from service.physicians.accounts import PHYSICIAN
from service.physicians.admin_models import ApprovalAuthoritySetting
from service.physicians.models import Physician
from service.registry.versioning import RecordVersion


@pytest.fixture
def cy1(demo: Demo) -> int:
    return demo.institution["inst.chaoyang1"]


# --- approving administrations --------------------------------------------------------------

def test_each_category_defaults_to_the_issuing_authority_and_offers_the_chain(
        api: Callable[..., ApiClient], demo: Demo, cy1: int) -> None:
    response = api("inst.chaoyang1").get(f"/api/v1/institutions/{cy1}/approval-authorities")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["category"] for i in items] == ["1", "2", "3", "4"]
    chaoyang, beijing = demo.administration["bj.chaoyang.wjw"], demo.administration["bj.wjw"]
    for item in items:
        assert item["administration"]["id"] == chaoyang and item["is_default"]
        # Chaoyang (110105) → Beijing (110000): the placeholder 110100 has no administration
        assert [c["id"] for c in item["choices"]] == [chaoyang, beijing]


def test_a_setting_is_saved_as_versions_and_routes_the_approval(
        app, api: Callable[..., ApiClient], demo: Demo, database: Database, cy1: int) -> None:
    from service.physicians.routes import approving_authority

    inst = api("inst.chaoyang1")
    path = f"/api/v1/institutions/{cy1}/approval-authorities/1"
    beijing, chaoyang = demo.administration["bj.wjw"], demo.administration["bj.chaoyang.wjw"]
    first = send(inst, "put", path, {"administration_id": beijing})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["administration"]["id"] == beijing
    assert (first.get_json()["version"], first.get_json()["is_default"]) == (1, False)
    second = send(inst, "put", path, {"administration_id": chaoyang})
    assert second.get_json()["version"] == 2
    setting_id = database.scalar(select(ApprovalAuthoritySetting.id).where(
        ApprovalAuthoritySetting.institution_id == cy1, ApprovalAuthoritySetting.category == "1"))
    versions = database.rows(select(RecordVersion.version, RecordVersion.data).where(
        RecordVersion.entity == "approval_authority_setting", RecordVersion.entity_id == setting_id)
        .order_by(RecordVersion.version))
    assert [(v, d["administration_id"]) for v, d in versions] == [(1, beijing), (2, chaoyang)]

    send(inst, "put", path, {"administration_id": beijing})
    with database.session() as s:
        clinical = s.get(Physician, physician_id(database, ZOU_LEI))
        dental = s.scalars(select(Physician).where(Physician.name == "冉玉梅")).one()
        institution = clinical.registrations[0].institution
        fake = SimpleNamespace(subject_institution_id=cy1, subject_institution=institution,
                               subject_physician=clinical)
        assert approving_authority(fake).id == beijing
        fake.subject_physician = dental  # category 2 was never set: the issuing authority
        assert approving_authority(fake).id == chaoyang


@pytest.mark.parametrize("who", ["cq.jiangbei.wjw", "yn.wjw"])
def test_only_the_issuing_authority_and_those_above_it_may_approve(
        api: Callable[..., ApiClient], demo: Demo, database: Database, cy1: int, who: str) -> None:
    from service.registry.reference import Administration

    other = database.scalar(select(Administration.id).where(
        Administration.name == {"cq.jiangbei.wjw": "重庆市江北区卫生健康委员会",
                                "yn.wjw": "云南省卫生健康委员会"}[who]))
    response = send(api("inst.chaoyang1"), "put",
                    f"/api/v1/institutions/{cy1}/approval-authorities/4",
                    {"administration_id": other})
    assert response.status_code == 422
    assert "发证机关或其上级" in error_of(response)["fields"]["administration_id"][0]
    assert database.count(select(ApprovalAuthoritySetting).where(
        ApprovalAuthoritySetting.institution_id == cy1)) == 0


def test_others_may_read_but_not_change_the_setting(
        api: Callable[..., ApiClient], demo: Demo, cy1: int) -> None:
    path = f"/api/v1/institutions/{cy1}/approval-authorities"
    body = {"administration_id": demo.administration["bj.wjw"]}
    assert api("bj.chaoyang.wjw").get(path).status_code == 200
    assert send(api("bj.chaoyang.wjw"), "put", path + "/1", body).status_code == 403
    assert api("inst.jiangbei1").get(path).status_code == 404
    assert send(api("inst.jiangbei1"), "put", path + "/1", body).status_code == 404
    assert send(api("inst.chaoyang1"), "put", path + "/9", body).status_code == 404
    bad = send(api("inst.chaoyang1"), "put", path + "/1", {"administration_id": "x"})
    assert bad.status_code == 422


def test_the_settings_page_saves_a_choice(client: FlaskClient, demo: Demo, database: Database,
                                          cy1: int) -> None:
    logged_in(client, "inst.chaoyang1")
    page = client.get("/institution/approval-authorities").get_data(as_text=True)
    for text in ("临床类别", "口腔类别", "公共卫生类别", "中医类别", "北京市朝阳区卫生健康委员会",
                 "北京市卫生健康委员会（省级）"):
        assert text in page
    token = csrf(client, "/institution/approval-authorities")
    response = client.post("/institution/approval-authorities", data={
        "csrf_token": token, "category": "2", "administration_id": demo.administration["bj.wjw"]},
        follow_redirects=True)
    assert "口腔类别医师的审批机关已设置为北京市卫生健康委员会" in response.get_data(as_text=True)
    assert database.scalar(select(ApprovalAuthoritySetting.administration_id).where(
        ApprovalAuthoritySetting.institution_id == cy1,
        ApprovalAuthoritySetting.category == "2")) == demo.administration["bj.wjw"]


# --- activation codes -------------------------------------------------------------------------

def test_a_code_goes_out_through_the_outbox_and_voids_the_previous_one(
        api: Callable[..., ApiClient], database: Database, cy1: int) -> None:
    zou = physician_id(database, ZOU_LEI)
    path = f"/api/v1/institutions/{cy1}/activation-codes"
    first = api("inst.chaoyang1").post(path, json={"physician_id": zou})
    assert first.status_code == 201, first.get_json()
    code = first.get_json()["code"]
    assert len(code) == 8 and set(code) <= set(ALPHABET)
    assert first.get_json()["status"] == "sent"
    assert first.get_json()["sent_phone"] == "130****4505"
    messages = database.rows(select(Notification.channel, Notification.address, Notification.body)
                             .where(Notification.body.contains(code)))
    assert sorted((c, a) for c, a, _ in messages) == [("email", "zoulei@example.cn"),
                                                     ("sms", "13030624505")]

    second = api("inst.chaoyang1").post(path, json={"physician_id": zou}).get_json()
    assert second["code"] != code
    statuses = dict(database.rows(select(ActivationCode.code, ActivationCode.status)
                                  .where(ActivationCode.physician_id == zou)))
    assert statuses == {code: "revoked", second["code"]: "sent"}
    listed = api("inst.chaoyang1").get(path).get_json()["items"]
    assert [(i["status"], i["code"]) for i in listed[:2]] == [
        ("sent", second["code"]), ("revoked", code[:2] + "******")]
    with database.session():
        assert redeemable(PHYSICIAN, second["code"].lower(), zou).code == second["code"]
        assert redeemable(PHYSICIAN, code, zou) is None


def test_no_code_for_an_activated_account_or_someone_elses_physician(
        api: Callable[..., ApiClient], demo: Demo, database: Database, cy1: int) -> None:
    path = f"/api/v1/institutions/{cy1}/activation-codes"
    inst = api("inst.chaoyang1")
    activated = inst.post(path, json={"physician_id": demo.physician["doctor.demo"]})
    assert activated.status_code == 409 and "已激活" in error_of(activated)["message"]
    chaoyang2_physician = physician_id(database, "赵建英")
    assert inst.post(path, json={"physician_id": chaoyang2_physician}).status_code == 404
    assert inst.post(path, json={}).status_code == 422
    assert api("bj.chaoyang.wjw").post(path, json={"physician_id": 1}).status_code == 403


def test_the_activation_page_generates_revokes_and_shows_masked_contacts(
        client: FlaskClient, database: Database) -> None:
    logged_in(client, "inst.chaoyang1")
    page = client.get("/institution/activation-codes")
    assert page.status_code == 200 and "尚未生成" in page.get_data(as_text=True)
    token = csrf(client, "/institution/activation-codes")
    zou = physician_id(database, ZOU_LEI)
    done = client.post("/institution/activation-codes", data={
        "csrf_token": token, "physician_id": str(zou)}, follow_redirects=True)
    text = html.unescape(done.get_data(as_text=True))
    code = database.scalar(select(ActivationCode.code).where(ActivationCode.physician_id == zou))
    assert f"已为{ZOU_LEI}生成激活码 {code}，已发送至手机 130****4505、邮箱 z***@example.cn" in text
    assert "13030624505" not in text and "zoulei@example.cn" not in text
    record = database.scalar(select(ActivationCode.id).where(ActivationCode.code == code))
    client.post(f"/institution/activation-codes/{record}/revoke", data={"csrf_token": token})
    assert database.scalar(select(ActivationCode.status).where(ActivationCode.id == record)) \
        == "revoked"


# --- revoking a wrongly created account -------------------------------------------------------

def test_revoking_an_account_disables_login_and_ends_its_sessions(
        client: FlaskClient, new_client, api: Callable[..., ApiClient], demo: Demo,
        database: Database) -> None:
    doctor = api("doctor.demo")
    assert doctor.me()["username"] == "doctor.demo"
    session = logged_in(new_client(), "doctor.demo")
    assert session.get("/password").status_code == 200
    account_id, pid = demo.account["doctor.demo"], demo.physician["doctor.demo"]

    logged_in(client, "inst.chaoyang1")
    token = csrf(client, f"/institution/physicians/{pid}")
    refused = client.post(f"/institution/physicians/{pid}/accounts/{account_id}/revoke",
                          data={"csrf_token": token, "reason": " "}, follow_redirects=True)
    assert "请填写撤销原因" in refused.get_data(as_text=True)
    done = client.post(f"/institution/physicians/{pid}/accounts/{account_id}/revoke", data={
        "csrf_token": token, "reason": "医师本人确认该账户不是本人注册"}, follow_redirects=True)
    assert "账户 doctor.demo 已撤销" in done.get_data(as_text=True)

    assert doctor.get("/api/v1/me").status_code == 401
    assert session.get("/password").status_code == 302  # back to the login page
    assert "该账户已停用" in login(new_client(), "doctor.demo").get_data(as_text=True)
    enabled, linked = database.rows(select(Account.is_enabled, Account.physician_id)
                                    .where(Account.id == account_id))[0]
    assert (enabled, linked) == (False, None)  # she may sign up again
    assert database.scalar(select(AccountRevocation.reason).where(
        AccountRevocation.account_id == account_id)) == "医师本人确认该账户不是本人注册"
    assert database.count(select(ApiToken).where(
        ApiToken.account_id == account_id, ApiToken.revoked_at.is_(None))) == 0
    listed = client.get("/institution/activation-codes").get_data(as_text=True)
    assert "医师本人确认该账户不是本人注册" in listed


def test_only_the_main_institution_revokes_and_only_accounts_of_that_physician(
        api: Callable[..., ApiClient], demo: Demo, database: Database, cy1: int) -> None:
    pid, account_id = demo.physician["doctor.demo"], demo.account["doctor.demo"]
    body = {"reason": "非本人注册"}
    cy2 = demo.institution["inst.chaoyang2"]
    assert api("inst.chaoyang2").post(
        f"/api/v1/institutions/{cy2}/physicians/{pid}/accounts/{account_id}/revoke",
        json=body).status_code == 404
    other = demo.account["doctor.new"]
    assert api("inst.chaoyang1").post(
        f"/api/v1/institutions/{cy1}/physicians/{pid}/accounts/{other}/revoke",
        json=body).status_code == 404
    done = api("inst.chaoyang1").post(
        f"/api/v1/institutions/{cy1}/physicians/{pid}/accounts/{account_id}/revoke", json=body)
    assert done.status_code == 201 and done.get_json()["username"] == "doctor.demo"


# --- the menu ---------------------------------------------------------------------------------

def test_institution_accounts_get_the_physician_menu(client: FlaskClient) -> None:
    page = logged_in(client, "inst.chaoyang1").get("/").get_data(as_text=True)
    for label in ("医师管理", "审批机关设置", "科室设置", "本院医师", "医师账户激活", "医师验证",
                  "医师业务办理"):
        assert label in page
    admin = logged_in(client, "bj.chaoyang.wjw").get("/").get_data(as_text=True)
    assert "医师账户激活" not in admin
    assert client.get("/institution/physicians").status_code == 404


def _institution_account(database: Database, cy1: int, username: str, roles: list[str]) -> str:
    from service.access.passwords import hash_password

    with database.session() as s:
        s.add(Account(username=username, display_name="本院工作人员", kind="institution",
                      roles=roles, institution_id=cy1, phone="13900000000",
                      password_hash=hash_password("Staff12345")))
        s.commit()
    return username


def test_a_clerk_does_the_daily_work_and_the_administrator_the_settings(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo, database: Database,
        cy1: int) -> None:
    clerk = api(_institution_account(database, cy1, "cy1.clerk", ["inst_clerk"]), "Staff12345")
    base = f"/api/v1/institutions/{cy1}"
    code = clerk.post(f"{base}/activation-codes",
                      json={"physician_id": physician_id(database, ZOU_LEI)})
    assert code.status_code == 201
    assert send(clerk, "put", f"{base}/approval-authorities/1",
                {"administration_id": demo.administration["bj.wjw"]}).status_code == 403
    assert clerk.post(f"{base}/departments", json={
        "code": "X1", "name": "X", "subjects": ["03"]}).status_code == 403
    inspector = _institution_account(database, cy1, "cy1.inspector", ["inst_inspector"])
    logged_in(client, inspector, "Staff12345")
    assert "医师管理" not in client.get("/password").get_data(as_text=True)
    assert client.get("/institution/physicians").status_code == 403
