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
subjects.person_kind("nurse", Nurse, "护士")
