"""Backfill (数据补录) of institutions licensed before the system, and the qualification lookup."""
from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import ApiClient, Database, Demo, chinese, error_of, resident_id
from sqlalchemy import func, select
from stdnum.cn import uscc

from service.institutions.face import Institution
from service.physicians.models import Physician, Qualification
from service.registry.versioning import RecordVersion

BACKFILL = "/api/v1/institutions"
ORG_CODE = "MA01QK7P3"


def _uscc(prefix: str = "91110105", org: str = ORG_CODE) -> str:
    base = prefix + org
    return base + uscc.calc_check_digit(base)


def _payload(**changes: object) -> dict:
    data: dict = {
        "name": "北京朝阳补录测试诊所", "uscc": _uscc(), "category_code": "D211",
        "economic_type_code": "17", "management_class": "2",
        "address": "北京市朝阳区测试路1号", "legal_representative": "张测试",
        "division_code": "110105", "beds": 0, "subjects": ["03", "03.01"],
        "licence_valid_from": "2020-01-01", "licence_valid_to": "2030-12-31",
        "phone": "010-12345678",
    }
    data.update(changes)
    return data


def _counts(database: Database) -> tuple[int, int]:
    return (database.scalar(select(func.count()).select_from(Institution)),
            database.scalar(select(func.count()).select_from(RecordVersion)))


def test_the_district_authority_backfills_an_institution_as_version_1(
        api: Callable[..., ApiClient], database: Database) -> None:
    before = _counts(database)
    chaoyang = api("bj.chaoyang.wjw")
    response = chaoyang.post(BACKFILL, json=_payload())
    assert response.status_code == 201
    body = response.get_json()
    assert body["version"] == 1 and body["status"] == "active"
    assert body["registration_number"] == f"{ORG_CODE}110105" "17" "D211" "2"
    assert len(body["registration_number"]) == 22
    assert body["subjects"] == ["03", "03.01"]
    assert body["issuing_authority"]["name"] == "北京市朝阳区卫生健康委员会"
    assert _counts(database) == (before[0] + 1, before[1] + 1)

    history = chaoyang.get(f"{BACKFILL}/{body['id']}/history").get_json()["items"]
    assert [(v["version"], v["reason"], v["actor"]) for v in history] == [
        (1, "数据补录", "bj.chaoyang.wjw")]
    assert history[0]["data"]["uscc"] == _uscc()
    assert api("cq.jiangbei.wjw").get(f"{BACKFILL}/{body['id']}").status_code == 404


def test_an_existing_licence_number_is_kept_when_given(api: Callable[..., ApiClient]) -> None:
    number = "PDY00001X110105" "17" "D211" "2"
    response = api("bj.chaoyang.wjw").post(BACKFILL, json=_payload(registration_number=number))
    assert response.status_code == 201 and response.get_json()["registration_number"] == number


def test_the_municipal_commission_backfills_anywhere_in_beijing_only(
        api: Callable[..., ApiClient]) -> None:
    municipal = api("bj.wjw")
    haidian = _payload(division_code="110108", uscc=_uscc("91110108"))
    assert municipal.post(BACKFILL, json=haidian).status_code == 201
    jiangbei = _payload(division_code="500105", uscc=_uscc("91500105"))
    response = municipal.post(BACKFILL, json=jiangbei)
    assert response.status_code == 422
    assert error_of(response)["fields"]["division_code"] == ["该行政区划不在本机关辖区内"]


@pytest.mark.parametrize(("code", "message"), [
    (_uscc()[:-1] + ("0" if _uscc()[-1] != "0" else "1"), "统一社会信用代码校验位不正确，请核对"),
    (_uscc()[:17], "统一社会信用代码应为 18 位"),
    (_uscc() + "1", "统一社会信用代码应为 18 位"),
    ("91110105MA01QKIP3X", "统一社会信用代码含有无效字符"),
    ("9111A105MA01QK7P3X", "统一社会信用代码含有无效字符"),
    ("12110105400824594H", "该统一社会信用代码已登记"),
], ids=["check-character", "17-chars", "19-chars", "letter-I", "letter-in-division", "duplicate"])
def test_an_unusable_credit_code_is_422_in_chinese_and_writes_nothing(
        api: Callable[..., ApiClient], database: Database, code: str, message: str) -> None:
    before = _counts(database)
    response = api("bj.chaoyang.wjw").post(BACKFILL, json=_payload(uscc=code))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"]["uscc"] == [message]
    assert _counts(database) == before


def test_a_credit_code_with_spaces_and_lowercase_is_normalised(
        api: Callable[..., ApiClient]) -> None:
    spaced = " ".join([_uscc()[:8], _uscc()[8:].lower()])
    response = api("bj.chaoyang.wjw").post(BACKFILL, json=_payload(uscc=spaced))
    assert response.status_code == 201 and response.get_json()["uscc"] == _uscc()


@pytest.mark.parametrize(("division", "message"), [
    ("110108", "该行政区划不在本机关辖区内"),
    ("500105", "该行政区划不在本机关辖区内"),
    ("110000", "请选择县（区）级行政区划"),
    ("999999", "请选择县（区）级行政区划"),
])
def test_a_division_outside_chaoyang_is_422(api: Callable[..., ApiClient], database: Database,
                                            division: str, message: str) -> None:
    before = _counts(database)
    response = api("bj.chaoyang.wjw").post(BACKFILL, json=_payload(division_code=division))
    assert response.status_code == 422
    assert error_of(response)["fields"]["division_code"] == [message]
    assert _counts(database) == before


def test_missing_items_are_each_named_in_chinese(api: Callable[..., ApiClient]) -> None:
    response = api("bj.chaoyang.wjw").post(BACKFILL, json={})
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    for key in ("name", "uscc", "category_code", "economic_type_code", "management_class",
                "address", "legal_representative", "division_code"):
        assert fields[key] and fields[key][0].startswith("请填写"), key


@pytest.mark.parametrize(("changes", "field"), [
    ({"category_code": "ZZZZ"}, "category_code"),
    ({"economic_type_code": "99"}, "economic_type_code"),
    ({"subjects": ["03", "99.99"]}, "subjects"),
    ({"beds": "many"}, "beds"),
    ({"licence_valid_to": "2019-01-01"}, "licence_valid_to"),
    ({"licence_valid_from": "2020-13-01"}, "licence_valid_from"),
    ({"name": "长" * 121}, "name"),
    ({"registration_number": "TOO-SHORT"}, "registration_number"),
])
def test_unusable_registered_items_are_422_per_field(
        api: Callable[..., ApiClient], database: Database, changes: dict, field: str) -> None:
    before = _counts(database)
    response = api("bj.chaoyang.wjw").post(BACKFILL, json=_payload(**changes))
    assert response.status_code == 422
    messages = error_of(response)["fields"][field]
    assert messages and all(chinese(m) for m in messages)
    assert _counts(database) == before


@pytest.mark.parametrize("username", ["inst.chaoyang1", "doctor.demo", "auditor"])
def test_only_an_administration_may_backfill(api: Callable[..., ApiClient], database: Database,
                                             username: str) -> None:
    before = _counts(database)
    response = api(username).post(BACKFILL, json=_payload())
    # an auditor's login is read-only before any rule is asked (api/v1/scopes.py)
    code = "insufficient_scope" if username == "auditor" else "forbidden"
    assert response.status_code == 403 and error_of(response)["code"] == code
    assert _counts(database) == before


def test_malformed_json_is_400(api: Callable[..., ApiClient]) -> None:
    response = api("bj.chaoyang.wjw").post(BACKFILL, data='{"name": "x",',
                                            content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "bad_request"


def test_a_json_array_is_400(api: Callable[..., ApiClient]) -> None:
    response = api("bj.chaoyang.wjw").post(BACKFILL, json=[_payload()])
    assert response.status_code == 400 and error_of(response)["code"] == "bad_request"


def test_a_form_body_is_415(api: Callable[..., ApiClient]) -> None:
    response = api("bj.chaoyang.wjw").post(BACKFILL, data={"name": "x"})
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_a_body_over_256_kib_is_413(api: Callable[..., ApiClient], database: Database) -> None:
    before = _counts(database)
    body = json.dumps(_payload(address="长" * 100_000))  # 300 KB of UTF-8
    assert len(body.encode()) > 256 * 1024
    response = api("bj.chaoyang.wjw").post(BACKFILL, data=body, content_type="application/json")
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"
    assert _counts(database) == before


def test_backfill_needs_a_token(client) -> None:
    response = client.post(BACKFILL, json=_payload())
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"


# --- qualification lookup --------------------------------------------------------------------

LOOKUP = "/api/v1/qualifications?id_number="


def test_an_institution_looks_up_a_qualification_by_id_number_masked(
        api: Callable[..., ApiClient], demo: Demo, database: Database) -> None:
    number, name = database.rows(  # doctor.new: qualified, not yet registered anywhere
        select(Qualification.id_number, Qualification.name)
        .join(Physician, Physician.qualification_id == Qualification.id)
        .where(Physician.id == demo.physician["doctor.new"]))[0]
    response = api("inst.chaoyang1").get(LOOKUP + number)
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == name
    assert body["id_number"] == number[:6] + "********" + number[-4:]
    assert number not in response.get_data(as_text=True)


def test_a_lowercase_x_still_finds_the_qualification(api: Callable[..., ApiClient],
                                                     database: Database) -> None:
    number = database.scalar(select(Qualification.id_number)
                             .where(Qualification.id_number.like("%X")).limit(1))
    response = api("inst.chaoyang1").get(LOOKUP + number.lower())
    assert response.status_code == 200 and response.get_json()["id_number"].endswith("X")


@pytest.mark.parametrize(("number", "message"), [
    ("110105199706082883", "公民身份号码校验位不正确，请核对"),
    ("11010519970608288", "公民身份号码应为 18 位"),
    ("1101051997060828AX", "公民身份号码格式不正确（前 17 位为数字，末位为数字或 X）"),
    (resident_id("11010519971308288"), "公民身份号码中的地区码或出生日期无效"),
    ("", "请填写公民身份号码"),
])
def test_an_invalid_id_number_is_422_in_chinese(api: Callable[..., ApiClient], number: str,
                                                message: str) -> None:
    response = api("inst.chaoyang1").get(LOOKUP + number)
    assert response.status_code == 422
    assert error_of(response)["fields"]["id_number"] == [message]


def test_an_unknown_valid_id_number_is_404(api: Callable[..., ApiClient],
                                           database: Database) -> None:
    number = resident_id("11010519900101123")
    assert not database.scalar(select(Qualification.id).where(Qualification.id_number == number))
    response = api("inst.chaoyang1").get(LOOKUP + number)
    assert response.status_code == 404
    assert "医师资格" in error_of(response)["message"]


@pytest.mark.parametrize("username", ["doctor.demo", "auditor"])
def test_persons_and_platform_staff_cannot_look_up_qualifications(
        api: Callable[..., ApiClient], username: str) -> None:
    response = api(username).get(LOOKUP + "110105199706082882")
    assert response.status_code == 403
