"""Valid identifiers and a complete sign-up of seed 004's 注册页面 1–2."""
from __future__ import annotations

from stdnum.cn import ric, uscc


def resident_id(serial: int, birth: str = "19900101", area: str = "110105") -> str:
    body = f"{area}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(serial: int) -> str:
    body = f"12500105MB{serial:07d}"
    return body + uscc.calc_check_digit(body)


def signup_body(serial: int = 1, **overrides) -> dict:
    body = {
        "name": f"江北测试诊所{serial}", "uscc": credit_code(serial), "division_code": "500105",
        "address": "重庆市江北区观音桥街道1号", "level_code": "9", "subject_codes": ["03", "12"],
        "nature": "2", "legal_representative": "刘法人", "legal_representative_id": resident_id(serial),
        "contact": "张联系", "contact_phone": f"1390000{serial:04d}", "scope": ["A", "B01"],
        "admin_name": "小燕", "admin_id_number": resident_id(500 + serial, "19941106"),
        "admin_phone": f"1370000{serial:04d}", "password": "Guanyin2026q", "password_confirm": "Guanyin2026q",
    }
    body.update(overrides)
    return body


def active_unit(client, api, serial: int = 1, **overrides) -> dict:
    """A sign-up passed by the Jiangbei administration; returns its JSON."""
    response = client.post("/api/v1/supervision/signups", json=signup_body(serial, **overrides))
    unit = response.get_json()
    assert response.status_code == 201, unit
    passed = api("cq.jiangbei.wjw").post(f"/api/v1/supervision/signups/{unit['id']}/review",
                                         json={"decision": "pass"})
    assert passed.status_code == 200, passed.get_json()
    return passed.get_json()
