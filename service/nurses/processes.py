"""What the pages say about the nurse processes: their purpose and outcomes."""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.core.masking import mask_id
from service.engine import plugins
from service.nurses.models import Nurse

plugins.process_info("nurse_registration", help=(
    "通过护士执业资格考试之日起 3 年内提出执业注册申请；超过 3 年的，须提交在教学、综合医院接受"
    " 3 个月临床护理培训并考核合格的证明。拟执业机构确认后，由其发证机关在 20 个工作日内审批；"
    "注册有效期 5 年。"), outcomes={"approved": "准予注册", "refused": "不予注册"})
plugins.process_info("nurse_change", help=(
    "护士在执业注册有效期内变更执业机构的，向拟执业机构提出申请；拟执业机构确认后，由其发证机关在 7 个"
    "工作日内办理。变更后注册有效期不变，原执业机构将收到通知；跨省变更的，同时通报原执业地卫生健康"
    "行政部门。"), outcomes={"approved": "准予变更", "refused": "不予变更"})
plugins.process_info("nurse_renewal", help=(
    "注册有效期届满需要继续执业的，应在届满前 30 日申请延续注册（届满前 90 日起可申请）；所在机构"
    "确认后，由发证机关在 20 个工作日内审核，延续注册有效期 5 年。逾期申请须说明原因；注册已届满的，"
    "按本省规定重新申请执业注册。"), outcomes={"approved": "准予延续", "refused": "不予延续"})
plugins.process_info("nurse_cancellation", help=(
    "护士死亡、丧失民事行为能力、被吊销《护士执业证书》或注册有效期届满未延续注册的，应当注销其执业"
    "注册；护士本人申请的由所在机构确认，机构为本院护士申请的直接报发证机关审批。"),
    outcomes={"approved": "准予注销", "refused": "不予批准"}, for_person="nurse")


@plugins.persons_at("nurse")
def registered_at(institution_id: int) -> list[tuple[int, str, str]]:
    """(id, name, masked ID number) of the nurses registered at the institution."""
    rows = db.session.execute(select(Nurse.id, Nurse.name, Nurse.id_number).where(
        Nurse.institution_id == institution_id, Nurse.status.in_(("active", "expired")))
        .order_by(Nurse.name, Nurse.id))
    return [(nid, name, mask_id(number)) for nid, name, number in rows]
