"""Where nurse tasks go and who starts them: the nurse herself (lane ``nurse_applicant``); the
institution and its issuing administration act on the shared ``institution`` and ``bureau``
lanes. A nurse is a person kind of ``service.persons``: the applicant of her cases."""
from __future__ import annotations

from service.access.targets import Target
from service.core.errors import ApiError
from service.engine import plugins
from service.nurses.models import Nurse
from service.persons import subjects

# She may apply for her first registration before her account is activated; the approval
# activates it, as for physicians (seed 003 ch.4).
ALLOWED_BEFORE_ACTIVATION = {"nurse_registration"}
LANE = "nurse_applicant"


@plugins.route(LANE)
def applicant_nurse(case) -> Target:
    """The nurse the case is about (she applies, corrects, withdraws)."""
    if case.subject_nurse_id is None:
        raise ApiError(422, "该业务没有申请护士")
    return Target("nurse", case.subject_nurse_id)


plugins.lane(LANE, ("nurse",), "护士", "nurse",
             may_start=subjects.may_start("nurse", ALLOWED_BEFORE_ACTIVATION))
def identity(nurse: Nurse) -> list[tuple[str, str]]:
    """How a reviewer and a printed application identify a nurse (issue 17 item 7)."""
    q = nurse.qualification
    current = (f"{nurse.institution.name}（注册有效期至 {nurse.valid_until}，{nurse.status_name}）"
               if nurse.institution is not None else "无")
    return [*subjects.basic_identity(nurse),
            ("护士执业资格考试合格证明编号", q.certificate_number if q else "未查询到"),
            ("考试日期", q.exam_date.isoformat() if q else ""),
            ("学历", (q.education if q else "") or ""), ("毕业院校", (q.school if q else "") or ""),
            ("护士执业证书编号", nurse.certificate_number or "尚未注册"),
            ("专业技术职务", nurse.title or ""), ("现执业机构", current)]


subjects.person_kind("nurse", Nurse, "护士", identity)
