"""What the pages say about the nurse processes: their purpose and outcomes."""
from __future__ import annotations

from service.engine import plugins

plugins.process_info("nurse_registration", help=(
    "通过护士执业资格考试之日起 3 年内提出执业注册申请；超过 3 年的，须提交在教学、综合医院接受"
    " 3 个月临床护理培训并考核合格的证明。拟执业机构确认后，由其发证机关在 20 个工作日内审批；"
    "注册有效期 5 年。"), outcomes={"approved": "准予注册", "refused": "不予注册"})
