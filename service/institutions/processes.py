"""What the pages say about the institution processes: their purpose and outcomes."""
from __future__ import annotations

from service.engine import plugins

plugins.process_info(
    "institution_verification",
    help=("按《医疗机构管理条例实施细则》办理年度校验：在线填写校验申请书和人员名录、上传材料，"
          "由发证机关网上审核；材料审核通过后打印网上审核指导服务完成通知单，携许可证副本原件到窗口办理。"
          "审核退回时可按意见修改后再次提交。"),
    outcomes={"approved": "校验合格", "refused": "不予校验",
              "licence_to_be_cancelled": "拟注销执业许可证"},
    intro="institutions.verification_notice",
)

plugins.process_info(
    "institution_registration",
    help=("按《医疗机构管理条例》办理医疗机构执业登记：窗口录入申请及材料，材料不齐全的在 5 个工作日内"
          "一次性告知补正（补正期间不计时），受理后 45 日内审核（可现场核查）并由审批人作出决定；"
          "准予登记的，生成登记号，核发《医疗机构执业许可证》正本、副本（含二维码，可扫码核验），"
          "并开通机构账户。同一人不得既审核又审批。"),
    outcomes={"approved": "准予登记", "refused": "不予登记"},
)

for _pid, _help, _outcomes in (
    ("institution_change", "变更登记事项（可同时变更多项）：名称、地址、法定代表人、主要负责人、所有制形式、床位、诊疗科目等；"
     "许可证载明事项变更的重新换发许可证。超出发证机关权限或跨行政区划迁址的，由有权机关审批。",
     {"approved": "准予变更", "refused": "不予变更"}),
    ("institution_suspension", "因迁址、改扩建、装修或受处罚等原因暂停执业；停业满一年（改扩建除外）的由发证机关按歇业处理。",
     {"approved": "准予停业", "refused": "不予停业", "cancelled": "停业满一年，已注销"}),
    ("institution_resumption", "停业的医疗机构符合重新开业条件时解除停业。", {"approved": "准予解除停业", "refused": "不予解除停业"}),
    ("institution_cancellation", "依申请或依职权注销执业登记（吊销、暂缓校验后仍不合格、有效期届满未延续、停业满一年等）；"
     "注销后的机构信息永久保存，其执业人员列出并通知办理注册备案或变更。", {"approved": "准予注销", "refused": "不予注销"}),
    ("subject_cancellation", "注销部分诊疗科目，重新换发许可证。", {"approved": "准予注销诊疗科目", "refused": "不予注销"}),
    ("licence_renewal", "许可证有效期届满 30 日前申请延续；其他登记事项不变。", {"approved": "准予延续", "refused": "不予延续"}),
    ("licence_replacement", "许可证遗失或损毁的补（换）发；新证使用新的二维码，原证核验显示作废。",
     {"approved": "准予补发", "refused": "不予补发"}),
    ("institution_transfer", "发证机关变更时由原发证机关提出移交，接收机关同意接收后由其管理；原发证机关不再查询到该机构。",
     {"accepted": "已接收", "declined": "拒绝接收", "refused": "不予移交"}),
    ("institution_rollback", "将医疗机构信息回退到上次业务前的状态，须说明理由并经审批；回退作为新的记录保存，历史不删除。",
     {"approved": "已回退", "refused": "不予回退"}),
):
    plugins.process_info(_pid, help=_help, outcomes=_outcomes)

plugins.process_info(
    "institution_setup",
    help=("设置医疗机构的审批：窗口录入设置申请，材料不齐全的 5 个工作日内一次性告知补正，受理后 30 日内审核、"
          "审批，准予设置的出具《设置医疗机构批准书》，不予设置的书面说明理由。"),
    outcomes={"approved": "准予设置", "refused": "不予设置"},
)
plugins.process_info(
    "clinic_filing",
    help="诊所备案：录入备案信息即完成备案，出具备案凭证并开通机构账户；备案诊所不参加校验。",
    outcomes={"approved": "已备案"},
)
