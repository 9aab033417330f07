"""Helpers that walk practice registration (I2) through the REST API: a walk-in application
entered at the Chaoyang counter, accepted, reviewed by a clerk and approved by an approver."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from national_flow import acknowledged
from stdnum.cn import uscc as uscc_number
from verification_flow import ApiClient, complete, open_item, upload

_serial = itertools.count(1)


def new_uscc(serial: int | None = None) -> str:
    """A valid unified social credit code (GB 32100) for a new non-profit institution."""
    n = next(_serial) if serial is None else serial
    base = f"12110105{4 * 10**7 + n:09d}"
    return base + uscc_number.calc_check_digit(base + "0")


def application(api: ApiClient, case_id: int, **changes) -> dict:
    data = {
        "name": f"北京朝阳和睦康复医院{next(_serial)}", "uscc": new_uscc(),
        "category_code": "A527", "economic_type_code": "17", "management_class": "2",
        "level_code": "9", "address": "北京市朝阳区望京街道阜通东大街6号", "postal_code": "100102",
        "phone": "010-64701234", "legal_representative": "赵明远",
        "legal_representative_id_number": "11010519800101001X"[:17], "principal": "钱晓岚",
        "contact_phone": "13911112222", "registered_capital": 3000, "service_mode": "门诊、住院",
        "beds": 120, "dental_chairs": 0, "floor_area": 8600.5, "staff_count": 140,
        "subjects": ["03", "03.01", "04", "21", "30", "32"],
    }
    from stdnum.cn import ric
    base = data["legal_representative_id_number"]
    data["legal_representative_id_number"] = base + ric.calc_check_digit(base + "0")
    for field in ("application_form", "premises_proof", "setup_approval", "staff_list"):
        data[field] = [upload(api, case_id, field, 1)]
    data.update(changes)
    return data


@dataclass
class Registration:
    """One registration case at the Chaoyang counter: a clerk and an approver."""

    clerk: ApiClient
    approver: ApiClient
    case_id: int = 0

    def start(self, division_code: str = "110105", status: int = 201) -> dict:
        response = self.clerk.post("/api/v1/cases", json={
            "process": "institution_registration", "subject": {"division_code": division_code}})
        assert response.status_code == status, response.get_json()
        if status == 201:
            self.case_id = response.get_json()["id"]
        return response.get_json()

    def item(self, api: ApiClient | None = None) -> dict:
        return open_item(api or self.clerk, self.case_id)

    def enter(self, status: int = 200, **changes) -> dict:
        item = self.item()
        data = application(self.clerk, self.case_id, **changes)
        return complete(self.clerk, item["id"], data, status)

    def accept(self, decision: str = "accept", status: int = 200, **extra) -> dict:
        return complete(self.clerk, self.item()["id"], {"decision": decision, **extra}, status)

    def review(self, decision: str = "approve", status: int = 200, api: ApiClient | None = None,
               **extra) -> dict:
        data = {"decision": decision, "inspection": "done",
                "inspection_record": "现场核查：床位、设备与申请一致。", **extra}
        return complete(api or self.clerk, self.item(api)["id"], data, status)

    def approve(self, decision: str = "approve", status: int = 200, api: ApiClient | None = None,
                **extra) -> dict:
        api = api or self.approver
        case = complete(api, self.item(api)["id"], {"decision": decision, **extra}, status)
        return acknowledged(api, case) if decision == "approve" and status == 200 else case

    def through(self, **changes) -> dict:
        self.start()
        self.enter(**changes)
        self.accept()
        self.review()
        return self.approve()
