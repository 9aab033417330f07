"""Helpers that walk annual verification (I4) through the REST API, as another system would."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from reportlab.pdfgen import canvas

ApiClient = Any  # the conftest client: get/post with a bearer token




def pdf_bytes(pages: int = 2, text: str = "material") -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    for n in range(1, pages + 1):
        c.drawString(100, 750, f"{text} page {n}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def upload(api: ApiClient, case_id: int, kind: str, pages: int = 2) -> int:
    response = api.post("/api/v1/documents", data={
        "file": (io.BytesIO(pdf_bytes(pages, kind)), f"{kind}.pdf"),
        "case_id": str(case_id), "kind": kind,
    }, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def open_item(api: ApiClient, case_id: int) -> dict:
    """The case's single open work item, as the caller's inbox lists it."""
    items = [i for i in api.get("/api/v1/work-items?scope=org&limit=200").get_json()["items"]
             if i["case_id"] == case_id]
    assert len(items) == 1, items
    return items[0]


def complete(api: ApiClient, item_id: int, data: dict, status: int = 200, **kwargs) -> dict:
    response = api.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data}, **kwargs)
    assert response.status_code == status, response.get_json()
    return response.get_json()


@dataclass
class Verification:
    """One verification case between an institution and its issuing authority."""

    institution: ApiClient
    bureau: ApiClient
    case_id: int = 0

    def start(self, institution_id: int) -> dict:
        response = self.institution.post("/api/v1/cases", json={
            "process": "institution_verification", "subject": {"institution_id": institution_id}})
        assert response.status_code == 201, response.get_json()
        self.case_id = response.get_json()["id"]
        return response.get_json()

    def application(self, **changes) -> tuple[int, dict]:
        item = open_item(self.institution, self.case_id)
        data = self.institution.get(f"/api/v1/work-items/{item['id']}").get_json()["data"]
        if not data.get("application_form"):
            data.update(
                application_form=[upload(self.institution, self.case_id, "application_form")],
                licence_copy=[upload(self.institution, self.case_id, "licence_copy", 1)],
                work_summary=[upload(self.institution, self.case_id, "work_summary", 3)],
            )
        data.update(contact_phone="010-65990001", self_inspection="依法执业，各项制度落实。")
        data.update(changes)
        return item["id"], data

    def submit(self, **changes) -> dict:
        item_id, data = self.application(**changes)
        return complete(self.institution, item_id, data)

    def review(self, decision: str, comment: str = "", **extra) -> dict:
        item = open_item(self.bureau, self.case_id)
        assert item["task"] == "material_review", item
        return complete(self.bureau, item["id"], {"decision": decision, "comment": comment, **extra})

    def counter(self) -> dict:
        item = open_item(self.bureau, self.case_id)
        assert item["task"] == "counter_confirmation", item
        return complete(self.bureau, item["id"], {"originals_checked": True})

    def conclude(self, decision: str = "approve", **extra) -> dict:
        item = open_item(self.bureau, self.case_id)
        assert item["task"] == "conclusion", item
        return complete(self.bureau, item["id"], {"decision": decision, **extra})

    def replay(self) -> dict:
        response = self.bureau.post(f"/api/v1/cases/{self.case_id}/replay")
        assert response.status_code == 200, response.get_json()
        return response.get_json()
