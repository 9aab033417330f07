"""What the pages say about the physician processes: their purpose, their outcomes (P1–P9
share outcome codes; "approved" reads as the business's own decision) and which an
institution starts for one of its physicians (seed 003 ch.3 §8.2–8.3)."""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.core.masking import mask_id
from service.engine import plugins
from service.physicians.models import Physician, PracticeRegistration

APPROVED = {
    "physician_registration": "准予注册", "physician_change": "准予变更",
    "physician_upgrade": "准予升级", "physician_multi_site_filing": "准予备案",
    "physician_multi_site_cancel": "已取消备案", "physician_legacy_cancel": "已取消多地点",
    "physician_military_in": "准予变更入", "physician_to_military": "准予变更到军队",
    "physician_cancellation": "准予注销", "physician_certificate_replacement": "准予补办",
}
REFUSED = "不予批准"
HELP = {
    "physician_filing": (
        "本院医师调离、退休、退职、被辞退或被开除的，应自情形发生之日起 30 日内为其办理注册备案，"
        "由审批机关审核；备案满两年仍未重新执业的，审批机关将拟注销其注册。"
    ),
    "physician_cancellation": (
        "本院医师有死亡或者被宣告失踪、受刑事处罚、受吊销《医师执业证书》行政处罚、定期考核"
        "不合格等应当注销注册情形的，应在 30 日内为其申请注销注册，由审批机关审批。"
    ),
}
EXTRA_OUTCOMES = {
    "physician_filing": {"filed": "保留备案", "practice_resumed": "已重新执业", "cancelled": "已注销"},
}
# Started by the institution for one of its physicians: the start card asks which one.
FOR_PHYSICIAN = ("physician_filing", "physician_cancellation")

for _process, _approved in APPROVED.items():
    plugins.process_info(
        _process, help=HELP.get(_process),
        outcomes={"approved": _approved, "refused": REFUSED, **EXTRA_OUTCOMES.get(_process, {})},
        for_person="physician" if _process in FOR_PHYSICIAN else None)
plugins.process_info("physician_filing", help=HELP["physician_filing"],
                     outcomes={"refused": REFUSED, **EXTRA_OUTCOMES["physician_filing"]},
                     for_person="physician")
plugins.process_info("physician_info_change",
                     outcomes={"info_changed": "信息已变更", "info_not_agreed": "机构不同意"})


@plugins.persons_at("physician")
def practising_at(institution_id: int) -> list[tuple[int, str, str]]:
    """(id, name, masked ID number) of the physicians practising at the institution."""
    rows = db.session.execute(select(Physician.id, Physician.name, Physician.id_number).where(
        Physician.id.in_(select(PracticeRegistration.physician_id).where(
            PracticeRegistration.institution_id == institution_id,
            PracticeRegistration.status == "active"))).order_by(Physician.name, Physician.id))
    return [(pid, name, mask_id(number)) for pid, name, number in rows]
