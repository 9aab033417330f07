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


INSPECTOR, SCORER = "13800000001", "13800000002"  # inst.jiangbei1's demo staff


def send(api, method: str, path: str, json=None):
    """A bearer request of any method (the ApiClient has GET and POST)."""
    return api.client.open(path, method=method, json=json, headers=api._headers(None))


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def upload(api, kind: str = "材料") -> int:
    import io

    response = api.post("/api/v1/documents", data={"file": (io.BytesIO(png_bytes()), "photo.png"),
                                                   "kind": kind}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def item_codes(api) -> list[str]:
    checklist = api.get("/api/v1/supervision/checklist").get_json()
    return [i["code"] for a in checklist["areas"] for g in a["groups"] for s in g["sections"]
            for i in s["items"]]
