"""医师在外省注册情况 (seed 003 ch.3): the institution sees its physicians' registrations in
other provinces, and nothing of physicians who are not its own."""
from __future__ import annotations

from conftest import login
from physician_setup import add_registration


def test_the_institution_sees_its_physicians_registrations_elsewhere(app, api, database, demo):
    doctor = demo.physician["doctor.demo"]
    jiangbei = demo.institution["inst.jiangbei1"]
    add_registration(database, doctor, jiangbei, location="500000")
    inst = demo.institution["inst.chaoyang1"]
    body = api("inst.chaoyang1").get(f"/api/v1/institutions/{inst}/physicians/other-provinces")
    assert body.status_code == 200
    items = body.get_json()["items"]
    assert [(i["physician_id"], i["location_code"]) for i in items] == [(doctor, "500000")]
    assert items[0]["institution"] == "重庆市江北区鸿恩中医医院" and "*" in items[0]["id_number"]

    client = app.test_client()
    login(client, "inst.chaoyang1")
    page = client.get("/institution/other-provinces").get_data(as_text=True)
    assert "重庆市江北区鸿恩中医医院" in page and "主要执业机构" in page
    assert "医师在外省注册情况" in client.get("/institution/physicians").get_data(as_text=True)

    # for Jiangbei she is its own physician too, registered elsewhere in Beijing
    other = api("inst.jiangbei1").get(f"/api/v1/institutions/{jiangbei}/physicians/other-provinces")
    mine = [i for i in other.get_json()["items"] if i["physician_id"] == doctor]
    assert [i["location_code"] for i in mine] == ["110000"]
    hidden = api("inst.jiangbei1").get(f"/api/v1/institutions/{inst}/physicians/other-provinces")
    assert hidden.status_code == 404


def test_none_elsewhere_says_so(app):
    client = app.test_client()
    login(client, "inst.chaoyang2")
    assert "在外省没有执业注册" in client.get("/institution/other-provinces").get_data(as_text=True)
