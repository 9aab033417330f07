"""Form checks and pre-fillers of an existing institution's businesses: the submitted items
are checked at once (and again when a reviewer passes them), in Chinese."""
from __future__ import annotations

from service.engine.plugins import CheckContext, check, prefill
from service.institutions.lifecycle import changed_items
from service.institutions.lifecycle_rules import county
from service.institutions.registration_rules import CODE_TABLES, last_application
from service.registry import codes

PROCESSES = ("institution_change", "institution_suspension", "institution_resumption",
             "institution_cancellation", "subject_cancellation", "licence_renewal",
             "licence_replacement", "institution_rollback")


def change_problems(inst, form: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not changed_items(inst, form):
        errors["_schema"] = ["请至少填写一项与现登记不同的变更事项"]
    for key, table in CODE_TABLES:
        if form.get(key) and not codes.valid(form[key], table):
            errors[key] = ["代码不在代码表中"]
    bad = [s for s in form.get("subjects") or [] if not codes.valid(str(s), "subject")]
    if bad:
        errors["subjects"] = [f"诊疗科目 {'、'.join(bad)} 不在诊疗科目名录中"]
    if form.get("to_division_code") and county(form["to_division_code"]) is None:
        errors["to_division_code"] = ["请填写县（区）级行政区划代码"]
    return errors


def subject_problems(inst, form: dict) -> dict[str, list[str]]:
    removing = set(form.get("subjects") or [])
    unknown = sorted(removing - set(inst.subject_codes))
    if unknown:
        return {"subjects": [f"诊疗科目 {'、'.join(unknown)} 不是该机构的登记科目"]}
    if removing >= set(inst.subject_codes):
        return {"subjects": ["不能注销全部诊疗科目，请办理机构注销"]}
    return {}


def suspension_problems(inst, form: dict) -> dict[str, list[str]]:
    if form.get("period_from") and form.get("period_to") and form["period_to"] <= form["period_from"]:
        return {"period_to": ["预计恢复执业日期须晚于停业起始日期"]}
    return {}


PROBLEMS = {"institution_change": change_problems, "subject_cancellation": subject_problems,
            "institution_suspension": suspension_problems}


def _register(pid: str) -> None:
    problems = PROBLEMS.get(pid, lambda inst, form: {})

    @check(f"{pid}_application")
    def application(ctx: CheckContext) -> dict[str, list[str]]:
        return problems(ctx.institution, ctx.data)

    @check(f"{pid}_review")
    def review(ctx: CheckContext) -> dict[str, list[str]]:
        if ctx.data.get("decision") != "approve":
            return {}
        return problems(ctx.institution, last_application(ctx.case, "submit_application"))

    if pid != "institution_cancellation":  # its own pre-filler: cancellation_start.py
        @prefill(f"{pid}_application")
        def fill(case, last: dict | None) -> dict:
            return last or {}


for _pid in PROCESSES:
    _register(_pid)
