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
)
