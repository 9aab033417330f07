"""Helpers that walk the physician processes (P1–P9) through the REST API: the physician (or
her institution) applies, the institution confirms, the approving authority decides."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from national_flow import acknowledged
from sqlalchemy import func, select
from verification_flow import complete, open_item

ApiClient = Any  # the conftest client: get/post with a bearer token


def today_beijing() -> date:
    """The engine computes deadlines from the step's date in Beijing."""
    from service.core.times import SHANGHAI

    return datetime.now(UTC).astimezone(SHANGHAI).date()


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def item_of(api: ApiClient, case_id: int, task: str | None = None) -> dict:
    """The case's single open work item (:func:`verification_flow.open_item`), at ``task``."""
    item = open_item(api, case_id)
    if task is not None:
        assert item["task"] == task, item
    return item


def start(api: ApiClient, process: str, institution_id: int, physician_id: int | None = None,
          status: int = 201) -> dict:
    subject: dict = {"institution_id": institution_id}
    if physician_id is not None:
        subject["physician_id"] = physician_id
    response = api.post("/api/v1/cases", json={"process": process, "subject": subject})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def versions(database) -> int:
    from service.registry.versioning import RecordVersion

    return database.scalar(select(func.count()).select_from(RecordVersion))


@dataclass
class PhysicianCase:
    """One case of a physician process: who applies, which institution, which authority."""

    applicant: ApiClient
    institution: ApiClient
    authority: ApiClient
    process: str
    case_id: int = 0
    submitted: list[dict] = field(default_factory=list)

    def start(self, institution_id: int, physician_id: int | None = None,
              status: int = 201) -> dict:
        body = start(self.applicant, self.process, institution_id, physician_id, status)
        self.case_id = body.get("id", 0)
        return body

    def form(self, task: str = "apply") -> tuple[int, dict]:
        item = item_of(self.applicant, self.case_id, task)
        data = self.applicant.get(f"/api/v1/work-items/{item['id']}").get_json()["data"]
        return item["id"], data

    def apply(self, status: int = 200, task: str = "apply", **changes) -> dict:
        item_id, data = self.form(task)
        data.update(changes)
        self.submitted.append(data)
        return complete(self.applicant, item_id, data, status)

    def confirm(self, decision: str = "agree", comment: str = "", status: int = 200) -> dict:
        item = item_of(self.institution, self.case_id, "confirm")
        return complete(self.institution, item["id"], {"decision": decision, "comment": comment},
                        status)

    def approval_item(self) -> dict:
        return item_of(self.authority, self.case_id, "approve")

    def decide(self, decision: str = "approve", comment: str = "", status: int = 200,
               **extra) -> dict:
        item = self.approval_item()
        case = complete(self.authority, item["id"],
                        {"decision": decision, "comment": comment, **extra}, status)
        if self.process == "physician_registration" and decision == "approve" and status == 200:
            return acknowledged(self.authority, case)
        return case

    def case(self) -> dict:
        return self.authority.get(f"/api/v1/cases/{self.case_id}").get_json()

    def replay(self) -> dict:
        response = self.applicant.post(f"/api/v1/cases/{self.case_id}/replay")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def withdraw(self, status: int = 200, by: ApiClient | None = None) -> dict:
        response = (by or self.applicant).post(f"/api/v1/cases/{self.case_id}/withdraw",
                                               json={"reason": "不再办理"})
        assert response.status_code == status, response.get_json()
        return response.get_json()
