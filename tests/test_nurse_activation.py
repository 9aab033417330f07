"""Nurse accounts (issue 13 item 1), on the shared person account services: an institution
revokes an account its nurse says is not hers, she signs up again and activates with the code
the institution generates; a nurse without a registration activates with her exam record's
number; recovery by personal data works for nurses; pages for both sides."""
from __future__ import annotations

from conftest import csrf, logged_in
from nurse_flow import DEMO, NEW, nurse_of, nurse_signup
from physician_accounts_flow import PASSWORD
from sqlalchemy import select

EXAM_NUMBER = {"nurse.new": "202611000417", "nurse.demo": "201211465800"}


def _accounts(database, nurse_id: int) -> list[tuple[str, bool]]:
    from service.access.models import Account

    return [(a.username, a.is_enabled) for a in database.scalars(
        select(Account).where(Account.nurse_id == nurse_id).order_by(Account.id))]


def test_revoke_sign_up_again_and_activate_with_the_institutions_code(api, database, demo,
                                                                     client):
    from service.access.models import Account
    from service.persons.models import AccountRevocation

    inst, inst_id = api("inst.chaoyang1"), demo.institution["inst.chaoyang1"]
    nurse = nurse_of(database, "nurse.demo")
    account_id = database.scalar(select(Account.id).where(Account.username == "nurse.demo"))
    base = f"/api/v1/institutions/{inst_id}/nurses/{nurse['id']}/accounts/{account_id}/revoke"
    assert inst.post(base, json={}).status_code == 422  # a reason is required
    revoked = inst.post(base, json={"reason": "护士本人确认该账户不是本人注册"})
    assert revoked.status_code == 201, revoked.get_json()
    assert revoked.get_json()["nurse_id"] == nurse["id"]
    assert database.scalar(select(AccountRevocation.nurse_id).where(
        AccountRevocation.account_id == account_id)) == nurse["id"]
    assert _accounts(database, nurse["id"]) == []  # detached from her record

    body = nurse_signup(client, database, DEMO, "liwei2026", phone="13800001111",
                        email="liwei2026@example.cn")
    assert body["activation"] == "institution_code" and body["institution"] == "北京市朝阳区康泰医院"
    me = api("liwei2026", PASSWORD)
    assert me.get("/api/v1/me/activation").get_json()["method"] == "code"
    other = api("inst.chaoyang2").post(
        f"/api/v1/institutions/{demo.institution['inst.chaoyang2']}/nurse-activation-codes",
        json={"nurse_id": nurse["id"]})
    assert other.status_code == 404  # not registered there
    made = inst.post(f"/api/v1/institutions/{inst_id}/nurse-activation-codes",
                     json={"nurse_id": nurse["id"]})
    assert made.status_code == 201, made.get_json()
    code = made.get_json()["code"]
    assert made.get_json()["person_name"] == "李薇" and made.get_json()["physician_id"] is None
    listed = inst.get(f"/api/v1/institutions/{inst_id}/nurse-activation-codes").get_json()
    assert [c["code"] for c in listed["items"]] == [code]
    physicians = inst.get(f"/api/v1/institutions/{inst_id}/activation-codes").get_json()
    assert code not in [c["code"] for c in physicians["items"]]  # the physicians' list
    wrong = me.post("/api/v1/me/activation", json={"code": "ABCDEFGH"})
    assert wrong.status_code == 422 and "还可尝试" in wrong.get_json()["error"]["message"]
    done = me.post("/api/v1/me/activation", json={"code": code.lower()})
    assert done.status_code == 200 and done.get_json()["activated"] is True
    again = inst.post(f"/api/v1/institutions/{inst_id}/nurse-activation-codes",
                      json={"nurse_id": nurse["id"]})
    assert again.status_code == 409


def test_an_unregistered_nurse_activates_with_her_exam_number(api):
    me = api("nurse.new")
    state = me.get("/api/v1/me/activation").get_json()
    assert state["method"] == "certificate" and state["activated"] is False
    wrong = me.post("/api/v1/me/activation", json={"certificate_number": "202611000418"})
    assert wrong.status_code == 422
    assert "护士执业资格考试合格证明编号不正确" in wrong.get_json()["error"]["message"]
    done = me.post("/api/v1/me/activation", json={"certificate_number": EXAM_NUMBER["nurse.new"]})
    assert done.status_code == 200 and done.get_json()["activated"] is True


def test_a_nurse_recovers_her_password_by_personal_data(client):
    body = {"name": NEW.name, "id_number": NEW.id_number, "new_password": "Lotus7Harbor2"}
    wrong = client.post("/api/v1/password/recovery", json={**body, "certificate_number": "1"})
    assert wrong.status_code == 422 and "不一致" in wrong.get_json()["error"]["message"]
    done = client.post("/api/v1/password/recovery", json={
        **body, "certificate_number": EXAM_NUMBER["nurse.new"]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["username"] == "nu...new"


def test_the_pages_activate_and_give_codes(new_client, database, demo):
    nurse_page = logged_in(new_client(), "nurse.new")
    assert "护士执业资格考试合格证明编号" in nurse_page.get("/nurse/activate").get_data(as_text=True)
    token = csrf(nurse_page, "/nurse/activate")
    wrong = nurse_page.post("/nurse/activate", data={"csrf_token": token,
                                                     "certificate_number": "999"})
    assert wrong.status_code == 422 and "不正确" in wrong.get_data(as_text=True)
    token = csrf(nurse_page, "/nurse/activate")
    ok = nurse_page.post("/nurse/activate", data={"csrf_token": token,
                                                  "certificate_number": EXAM_NUMBER["nurse.new"]})
    assert ok.status_code == 303

    inst = logged_in(new_client(), "inst.chaoyang1")
    nurse_id = nurse_of(database, "nurse.demo")["id"]
    page = inst.get(f"/institution/nurses/{nurse_id}").get_data(as_text=True)
    assert "nurse.demo" in page and "生成激活码并发送" in page and "11010519921105170X" not in page
    token = csrf(inst, f"/institution/nurses/{nurse_id}")
    refused = inst.post(f"/institution/nurses/{nurse_id}/activation-code",
                        data={"csrf_token": token}, follow_redirects=True)
    assert "该护士账户已激活" in refused.get_data(as_text=True)  # nurse.demo is active
    outside = logged_in(new_client(), "inst.chaoyang2")
    assert outside.get(f"/institution/nurses/{nurse_id}").status_code == 404


def test_a_bad_nurse_id_is_not_found_and_only_the_institution_writes(api, demo):
    inst_id = demo.institution["inst.chaoyang1"]
    url = f"/api/v1/institutions/{inst_id}/nurse-activation-codes"
    for bad in ("abc", True, -1, 2**40, None):
        response = api("inst.chaoyang1").post(url, json={"nurse_id": bad})
        assert response.status_code == 404, (bad, response.get_json())
    assert api("bj.chaoyang.wjw").post(url, json={"nurse_id": 1}).status_code == 403
    assert api("nurse.demo").get(url).status_code == 403  # she reads her institution, no more
