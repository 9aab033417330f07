"""What the pages say about the institution processes: their purpose and outcomes."""
from __future__ import annotations

from service.engine import plugins

plugins.process_info(
    "institution_verification",
    help=("按《医疗机构管理条例实施细则》办理年度校验：在线填写校验申请书和人员名录、上传材料，"
          "由发证机关网上审核；材料审核通过后打印网上服务通知书，携许可证副本原件到窗口办理。"
          "审核退回时可按意见修改后再次提交。"),
    outcomes={"approved": "校验合格", "refused": "不予校验",
              "licence_to_be_cancelled": "拟注销执业许可证"},
)

plugins.process_info(
    "institution_registration",
    help=("按《医疗机构管理条例》办理医疗机构执业登记：窗口录入申请及材料，材料不齐全的在 5 个工作日内"
          "一次性告知补正（补正期间不计时），受理后 45 日内审核（可现场核查）并由审批人作出决定；"
          "准予登记的，生成登记号，核发《医疗机构执业许可证》正本、副本（含二维码，可扫码核验），"
          "并开通机构账户。同一人不得既审核又审批。"),
    outcomes={"approved": "准予登记", "refused": "不予登记"},
)
