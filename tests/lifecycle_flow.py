"""Helpers that walk an existing institution's businesses (I3, I5–I9, I11) through the REST
API: an application online or at the counter, the clerk's review, the approver's decision."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from verification_flow import ApiClient, complete, open_item

from service.access.models import Account
from service.access.passwords import hash_password


def institution_api(api, database, institution_id: int) -> ApiClient:
    """The new institution's own account (issued at approval), with a password of its own."""
    account = database.scalar(select(Account).where(Account.institution_id == institution_id))
    with database.session() as session:
        row = session.get(Account, account.id)
        row.password_hash, row.must_change_password = hash_password("Inst12345"), False
        session.commit()
    return api(account.username, "Inst12345")


@dataclass
class Business:
    """One business of ``process`` about one institution."""

    process: str
    applicant: ApiClient
    clerk: ApiClient
    approver: ApiClient
    case_id: int = 0

    def start(self, institution_id: int, status: int = 201) -> dict:
        response = self.applicant.post("/api/v1/cases", json={
            "process": self.process, "subject": {"institution_id": institution_id}})
        assert response.status_code == status, response.get_json()
        if status == 201:
            self.case_id = response.get_json()["id"]
        return response.get_json()

    def submit(self, data: dict, status: int = 200) -> dict:
        item = open_item(self.applicant, self.case_id)
        return complete(self.applicant, item["id"], data, status)

    def review(self, decision: str = "approve", status: int = 200, **extra) -> dict:
        item = open_item(self.clerk, self.case_id)
        return complete(self.clerk, item["id"], {"decision": decision, **extra}, status)

    def approve(self, decision: str = "approve", status: int = 200, **extra) -> dict:
        item = open_item(self.approver, self.case_id)
        return complete(self.approver, item["id"], {"decision": decision, **extra}, status)

    def through(self, institution_id: int, data: dict) -> dict:
        self.start(institution_id)
        self.submit(data)
        self.review()
        return self.approve()

    def replay_ok(self) -> bool:
        return self.clerk.post(f"/api/v1/cases/{self.case_id}/replay").get_json()["ok"]
