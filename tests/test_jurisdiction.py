"""Who reads what: every demo organisation against every demo institution, through the API and
the pages; who may change an institution; who reads which physician."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import ApiClient, Database, Demo, csrf, error_of, logged_in
from flask.testing import FlaskClient
from sqlalchemy import select

from service.institutions.face import Institution
from service.physicians.models import Physician

ORGANISATIONS = ("bj.wjw", "bj.chaoyang.wjw", "cq.jiangbei.wjw",
                 "inst.chaoyang1", "inst.chaoyang2", "inst.jiangbei1")
TARGETS = ("inst.chaoyang1", "inst.chaoyang2", "inst.jiangbei1")
# The expectation table: which demo institutions each organisation may read.
READS: dict[str, set[str]] = {
    "bj.wjw": {"inst.chaoyang1", "inst.chaoyang2"},           # Beijing municipal: all of Beijing
    "bj.chaoyang.wjw": {"inst.chaoyang1", "inst.chaoyang2"},  # Chaoyang district
    "cq.jiangbei.wjw": {"inst.jiangbei1"},                    # Chongqing Jiangbei district
    "inst.chaoyang1": {"inst.chaoyang1"},                     # an institution: itself only
    "inst.chaoyang2": {"inst.chaoyang2"},
    "inst.jiangbei1": {"inst.jiangbei1"},
}
MASKED_ID = re.compile(r"^\d{6}\*{8}[0-9X]{4}$")
PAIRS = [(actor, target, 200 if target in READS[actor] else 404)
         for actor in ORGANISATIONS for target in TARGETS]


@pytest.mark.parametrize(("actor", "target", "expected"), PAIRS)
def test_institution_read_scope_is_the_same_for_api_and_pages(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo, database: Database,
        actor: str, target: str, expected: int) -> None:
    inst_id = demo.institution[target]
    name = database.scalar(select(Institution.name).where(Institution.id == inst_id))
    caller = api(actor)

    answer = caller.get(f"/api/v1/institutions/{inst_id}")
    assert answer.status_code == expected
    history = caller.get(f"/api/v1/institutions/{inst_id}/history")
    assert history.status_code == expected
    page = logged_in(client, actor).get(f"/institutions/{inst_id}")
    assert page.status_code == expected
    if expected == 200:
        assert answer.get_json()["id"] == inst_id and name in page.get_data(as_text=True)
    else:  # not found, and nothing about the institution leaks out
        assert error_of(answer)["code"] == "not_found"
        assert name not in answer.get_data(as_text=True)
        assert name not in page.get_data(as_text=True)


def test_a_chaoyang_administration_cannot_read_a_jiangbei_institution(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo) -> None:
    jiangbei = demo.institution["inst.jiangbei1"]
    assert api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{jiangbei}").status_code == 404
    assert logged_in(client, "bj.chaoyang.wjw").get(f"/institutions/{jiangbei}").status_code == 404


def _post_contact(client: FlaskClient, inst_id: int, phone: str):
    token = csrf(client, f"/institutions/{inst_id}")
    return client.post(f"/institutions/{inst_id}/contact",
                       data={"phone": phone, "reason": "电话号码变更", "csrf_token": token})


def _phone(database: Database, inst_id: int) -> str | None:
    return database.scalar(select(Institution.phone).where(Institution.id == inst_id))


def test_the_municipal_commission_reads_chaoyang_institutions_but_cannot_change_them(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    for target in ("inst.chaoyang1", "inst.chaoyang2"):
        assert api("bj.wjw").get(f"/api/v1/institutions/{demo.institution[target]}").status_code == 200
    chaoyang1 = demo.institution["inst.chaoyang1"]
    before = _phone(database, chaoyang1)
    response = _post_contact(logged_in(client, "bj.wjw"), chaoyang1, "010-11112222")
    assert response.status_code == 403
    assert _phone(database, chaoyang1) == before
    versions = api("bj.wjw").get(f"/api/v1/institutions/{chaoyang1}/history").get_json()["items"]
    assert [v["version"] for v in versions] == [1]


def test_the_issuing_authority_changes_its_institution_and_a_version_is_added(
        api: Callable[..., ApiClient], client: FlaskClient, demo: Demo,
        database: Database) -> None:
    chaoyang1 = demo.institution["inst.chaoyang1"]
    response = _post_contact(logged_in(client, "bj.chaoyang.wjw"), chaoyang1, "010-11112222")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/institutions/{chaoyang1}"
    assert _phone(database, chaoyang1) == "010-11112222"
    versions = api("bj.wjw").get(f"/api/v1/institutions/{chaoyang1}/history").get_json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[-1]["actor"] == "bj.chaoyang.wjw" and "phone" in versions[-1]["changed"]


def test_only_the_issuing_authority_acts_even_on_institutions_inside_a_district(
        client: FlaskClient, new_client, database: Database) -> None:
    # 北京安华医院 lies in Chaoyang but was licensed by the municipal commission
    anhua = database.scalar(select(Institution.id).where(Institution.name == "北京安华医院"))
    assert _post_contact(logged_in(client, "bj.chaoyang.wjw"), anhua, "010-1").status_code == 403
    assert _post_contact(logged_in(new_client(), "bj.wjw"), anhua, "010-2").status_code == 303
    assert _phone(database, anhua) == "010-2"


def test_an_institution_administrator_keeps_its_own_contact_details_only(
        client: FlaskClient, demo: Demo, database: Database) -> None:
    own, other = demo.institution["inst.chaoyang1"], demo.institution["inst.chaoyang2"]
    logged_in(client, "inst.chaoyang1")
    assert _post_contact(client, own, "010-33334444").status_code == 303
    assert _phone(database, own) == "010-33334444"
    token = csrf(client, f"/institutions/{own}")
    response = client.post(f"/institutions/{other}/contact",
                           data={"phone": "010-5", "csrf_token": token})
    assert response.status_code == 404
    assert _phone(database, other) != "010-5"


def _all_items(caller: ApiClient, query: str = "") -> list[dict]:
    items, cursor = [], None
    while True:
        url = f"/api/v1/institutions?limit=200{query}" + (f"&cursor={cursor}" if cursor else "")
        response = caller.get(url)
        assert response.status_code == 200
        body = response.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_jiangbei_sees_only_jiangbei_in_the_institution_list(
        api: Callable[..., ApiClient], demo: Demo, database: Database) -> None:
    items = _all_items(api("cq.jiangbei.wjw"))
    assert items and all(i["division_code"].startswith("500105") for i in items)
    ids = {i["id"] for i in items}
    assert demo.institution["inst.chaoyang1"] not in ids
    assert demo.institution["inst.chaoyang2"] not in ids
    expected = set(database.scalars(
        select(Institution.id).where(Institution.division_code == "500105")))
    assert ids == expected


def test_the_municipal_commission_lists_all_of_beijing_and_nothing_else(
        api: Callable[..., ApiClient], database: Database) -> None:
    ids = {i["id"] for i in _all_items(api("bj.wjw"))}
    assert ids == set(database.scalars(
        select(Institution.id).where(Institution.province_code == "110000")))


@pytest.mark.parametrize("username", ["inst.chaoyang1", "inst.chaoyang2", "inst.jiangbei1"])
def test_an_institution_lists_only_itself(api: Callable[..., ApiClient], demo: Demo,
                                          username: str) -> None:
    assert [i["id"] for i in _all_items(api(username))] == [demo.institution[username]]


def test_a_physician_reads_herself_with_the_id_number_masked(
        api: Callable[..., ApiClient], database: Database) -> None:
    doctor = api("doctor.demo")
    person = doctor.me()["person"]
    assert person["kind"] == "physician"
    response = doctor.get(f"/api/v1/physicians/{person['id']}")
    assert response.status_code == 200
    body = response.get_json()
    full = database.scalar(select(Physician.id_number).where(Physician.id == person["id"]))
    assert MASKED_ID.match(body["id_number"])
    assert body["id_number"] == full[:6] + "*" * 8 + full[-4:]
    assert full not in response.get_data(as_text=True)
    assert body["registrations"] and body["registrations"][0]["kind"] == "main"


def test_a_physician_cannot_read_other_physicians(
        api: Callable[..., ApiClient], demo: Demo, database: Database) -> None:
    doctor = api("doctor.demo")
    own = demo.physician["doctor.demo"]
    others = database.scalars(select(Physician.id).where(Physician.id != own)
                              .order_by(Physician.id).limit(5))
    assert len(others) == 5
    for other in {*others, demo.physician["doctor.new"]}:
        response = doctor.get(f"/api/v1/physicians/{other}")
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_physician_reads_the_institution_she_practises_at(
        api: Callable[..., ApiClient], demo: Demo) -> None:
    doctor = api("doctor.demo")
    assert doctor.get(f"/api/v1/institutions/{demo.institution['inst.chaoyang1']}").status_code == 200
    assert doctor.get(f"/api/v1/institutions/{demo.institution['inst.chaoyang2']}").status_code == 404


def test_jiangbei_cannot_read_a_chaoyang_physician_but_chaoyang_can(
        api: Callable[..., ApiClient], demo: Demo) -> None:
    doctor = demo.physician["doctor.demo"]
    assert api("cq.jiangbei.wjw").get(f"/api/v1/physicians/{doctor}").status_code == 404
    assert api("bj.chaoyang.wjw").get(f"/api/v1/physicians/{doctor}").status_code == 200
    assert api("inst.chaoyang1").get(f"/api/v1/physicians/{doctor}").status_code == 200
    assert api("inst.chaoyang2").get(f"/api/v1/physicians/{doctor}").status_code == 404


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_auditor_and_administrator_read_everything(
        api: Callable[..., ApiClient], demo: Demo, database: Database, username: str) -> None:
    caller = api(username)
    ids = {i["id"] for i in _all_items(caller)}
    assert ids == set(database.scalars(select(Institution.id)))
    for target in TARGETS:
        assert caller.get(f"/api/v1/institutions/{demo.institution[target]}").status_code == 200
    for person in ("doctor.demo", "doctor.new"):
        assert caller.get(f"/api/v1/physicians/{demo.physician[person]}").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/institutions/0", "/api/v1/institutions/99999999999",
                                  "/api/v1/physicians/2147483648", "/institutions/0"])
def test_ids_out_of_range_are_plain_not_found(api: Callable[..., ApiClient], client: FlaskClient,
                                              path: str) -> None:
    if path.startswith("/api/"):
        assert api("admin").get(path).status_code == 404
    else:
        assert logged_in(client, "admin").get(path).status_code == 404
