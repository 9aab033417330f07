"""The institution edition's extras (issue 12 item 7, seed 000 机构版, I13): its physicians and
nurses linked from its home and its own page, its phone and fax changed by itself with a
reason (a version without a case), and all its applications with their progress in the
online service's words on one page."""
from __future__ import annotations

from conftest import csrf, error_of, logged_in
from sqlalchemy import select
from verification_flow import Verification

INST = "inst.chaoyang1"


def _history(api, inst_id: int) -> list[dict]:
    return api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{inst_id}/history").get_json()["items"]


def test_the_institution_finds_its_physicians_and_nurses_from_home_and_its_page(new_client, demo):
    client = logged_in(new_client(), INST)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/institution/physicians"' in home and 'href="/institution/nurses"' in home
    assert 'href="/institutions/mine/applications"' in home
    own = client.get(f"/institutions/{demo.institution[INST]}").get_data(as_text=True)
    assert 'href="/institution/nurses"' in own and 'href="/institution/physicians"' in own
    assert "李薇" in client.get("/institution/nurses").get_data(as_text=True)
    # an administration reading the institution's page gets no such links
    admin = logged_in(new_client(), "bj.chaoyang.wjw").get(f"/institutions/{demo.institution[INST]}")
    assert 'id="own-links"' not in admin.get_data(as_text=True)


def test_the_institution_changes_its_phone_and_fax_with_a_reason(new_client, api, demo):
    inst_id = demo.institution[INST]
    client = logged_in(new_client(), INST)
    url = f"/institutions/{inst_id}/contact"
    token = csrf(client, f"/institutions/{inst_id}")
    missing = client.post(url, data={"phone": "010-61112222", "fax": "010-61113333", "reason": "",
                                     "csrf_token": token}, follow_redirects=True)
    assert "请填写修改原因" in missing.get_data(as_text=True)
    assert len(_history(api, inst_id)) == 1  # nothing written
    saved = client.post(url, data={"phone": "010-61112222", "fax": "010-61113333", "postal_code": "100020",
                                   "reason": "更换总机号码", "csrf_token": token}, follow_redirects=True)
    assert "联系方式已保存" in saved.get_data(as_text=True)
    last = _history(api, inst_id)[-1]
    assert last["reason"] == "修改联系方式：更换总机号码" and last["actor"] == INST
    assert set(last["changed"]) == {"phone", "fax"} and last["case_id"] is None
    assert last["data"]["fax"] == "010-61113333"


def test_the_contact_api_needs_a_reason_and_good_numbers(api, demo):
    inst_id = demo.institution[INST]
    path = f"/api/v1/institutions/{inst_id}/contact"
    mine = api(INST)
    no_reason = mine.client.patch(path, headers=mine._headers(None), json={"fax": "010-61113333"})
    assert no_reason.status_code == 422 and "reason" in error_of(no_reason)["fields"]
    bad = mine.client.patch(path, headers=mine._headers(None), json={"fax": "传真号", "reason": "x"})
    assert bad.status_code == 422 and "fax" in error_of(bad)["fields"]
    wrong_type = mine.client.patch(path, headers=mine._headers(None), json={"phone": 5, "reason": "x"})
    assert wrong_type.status_code == 422 and "phone" in error_of(wrong_type)["fields"]
    assert len(_history(api, inst_id)) == 1
    ok = mine.client.patch(path, headers=mine._headers(None), json={"fax": "010-61114444", "reason": "新传真"})
    assert ok.status_code == 200 and ok.get_json()["fax"] == "010-61114444"
    assert _history(api, inst_id)[-1]["reason"] == "修改联系方式：新传真"
    jiangbei = api("cq.jiangbei.wjw")
    outside = jiangbei.client.patch(path, headers=jiangbei._headers(None), json={"fax": "1", "reason": "x"})
    assert outside.status_code == 404
    other = api("inst.chaoyang2")
    assert other.client.patch(path, headers=other._headers(None),
                              json={"fax": "1", "reason": "x"}).status_code == 404


def _progress(client, case_id: int) -> str:
    page = client.get("/institutions/mine/applications").get_data(as_text=True)
    row = page[page.index(f'/cases/{case_id}"'):]
    row = row[:row.index("</tr>")]
    return row[row.index('class="progress">') + len('class="progress">'):].split("</td>")[0]


def test_the_applications_page_shows_each_state_in_the_seed_words(new_client, api, demo, database):
    from service.engine.models import Case

    client = logged_in(new_client(), INST)
    flow = Verification(api(INST), api("bj.chaoyang.wjw"))
    flow.start(demo.institution[INST])
    assert _progress(client, flow.case_id) == "网上服务申请待提交"
    item_id, data = flow.application()
    api(INST).post(f"/api/v1/work-items/{item_id}/draft", json={"data": data})
    assert _progress(client, flow.case_id) == "网上服务申请已保存，待提交"
    flow.submit()
    assert _progress(client, flow.case_id) == "网上服务申请已提交，待审核"
    flow.review("return", comment="材料上传不全")
    assert _progress(client, flow.case_id) == "网上服务申请材料修正中，待提交"
    flow.submit()
    flow.review("approve")
    assert _progress(client, flow.case_id) == "网上服务材料审核通过，请打印网上服务通知书到窗口办理"
    flow.counter()
    assert _progress(client, flow.case_id) == "审核通过，待审批"
    flow.conclude("approve")
    assert _progress(client, flow.case_id) == "已办结：校验合格"
    # only the institution's own businesses, each once
    page = client.get("/institutions/mine/applications").get_data(as_text=True)
    own = database.scalars(select(Case.id).where(
        Case.subject_institution_id == demo.institution[INST], Case.subject_physician_id.is_(None),
        Case.subject_nurse_id.is_(None)))
    assert page.count('class="progress"') == len(own)


def test_only_an_institution_has_the_applications_page(new_client):
    assert logged_in(new_client(), "bj.chaoyang.wjw").get("/institutions/mine/applications").status_code == 404
    assert logged_in(new_client(), INST).get("/institutions/mine/applications?before=x").status_code == 400
