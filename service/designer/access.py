"""Who designs: the ``designer`` role deploys and migrates; auditors and platform
administrators may read the versions too."""
from __future__ import annotations

from service.core.errors import ApiError

READERS = ("designer", "auditor", "sysadmin")


def may_design(actor) -> bool:
    return actor.is_authenticated and actor.kind == "staff" and actor.has_role("designer")


def may_read_versions(actor) -> bool:
    return actor.is_authenticated and actor.kind == "staff" and actor.has_role(*READERS)


def require_designer(actor) -> None:
    if not may_design(actor):
        raise ApiError(403, "只有流程设计员可以部署流程或迁移业务")


def require_version_reader(actor) -> None:
    if not may_read_versions(actor):
        raise ApiError(403, "只有流程设计员、审计员和平台管理员可以查看流程版本")
