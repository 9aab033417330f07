"""Collecting the reasons a person's business is refused, as every persons' domain's checks
do: where a reason shows depends on the stage."""
from __future__ import annotations

from service.engine.plugins import CheckContext


class Reasons(dict):
    """Field -> reasons. At start there is no form yet (``_form``); an applicant sees a reason
    beside her field; a reviewer beside the decision."""

    applicant_tasks: tuple[str, ...] = ("apply",)

    def __init__(self, ctx: CheckContext) -> None:
        super().__init__()
        self.stage = ctx.stage

    def add(self, field: str, message: str) -> None:
        if self.stage == "start":
            field = "_form"
        elif self.stage not in self.applicant_tasks:
            field = "decision"
        self.setdefault(field, [])
        if message not in self[field]:
            self[field].append(message)
