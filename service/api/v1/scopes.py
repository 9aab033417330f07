"""Scopes: what each REST route needs, declared per route in one table.

A login token (a person's) carries no scopes of its own: it may use every route its roles
allow, except that an auditor's is read-only (``AUDITOR_SCOPES``). An API client's token
(``POST /api/v1/clients``) carries the scopes it was granted and reaches only routes that
need one of them. A route missing here is refused with 403 to everyone but persons, and
``tests/test_scopes.py`` walks the URL map and fails on it.
"""
from __future__ import annotations

# Scopes an API client may be granted (api.md), with what they open.
GRANTABLE = {
    "cases:read": "读取业务、事件与待办",
    "cases:write": "发起业务、办理待办、上传材料",
    "messages:send": "发送外部回调消息",
    "registry:read": "读取机构、医师、护士等登记信息",
}
PUBLIC = "public"  # no token at all
SELF = "self"  # the caller's own account: any live token
# Routes no API client may use: the platform's and administrations' own work.
ADMIN = "admin"
AUDIT = "audit:read"
AUDITOR_SCOPES = frozenset({SELF, "cases:read", "registry:read", AUDIT})

ROUTE_SCOPES: dict[str, str] = {
    # the shell
    "api_v1.token": PUBLIC,
    "api_v1.openapi": PUBLIC,
    "api_v1.me": SELF,
    "api_v1.change_password": SELF,
    "api_v1.accounts": ADMIN,
    "api_v1.issue": ADMIN,
    "api_v1.disable": ADMIN,
    "api_v1.enable": ADMIN,
    "api_v1.reset": ADMIN,
    "api_v1.reset_second_factor": ADMIN,
    # sign-up, activation and recovery of persons' accounts
    "api_v1.signup": PUBLIC,
    "api_v1.applicant_signup": PUBLIC,
    "api_v1.applicant_signup_check": PUBLIC,
    "api_v1.applicant_signup_codes": PUBLIC,
    "api_v1.signup_check": PUBLIC,
    "api_v1.signup_codes": PUBLIC,
    "api_v1.nurse_signup": PUBLIC,
    "api_v1.nurse_signup_check": PUBLIC,
    "api_v1.nurse_signup_codes": PUBLIC,
    "api_v1.recover": PUBLIC,
    "api_v1.recovery_code": PUBLIC,
    "api_v1.activate": SELF,
    "api_v1.activation_state": SELF,
    "api_v1.verify_api": PUBLIC,
    "api_v1.supervision_signup": PUBLIC,
    # cases and work items
    "api_v1.processes": "cases:read",
    "api_v1.cases": "cases:read",
    "api_v1.case": "cases:read",
    "api_v1.case_events": "cases:read",
    "api_v1.case_replay": "cases:read",
    "api_v1.application_pdf_api": "cases:read",
    "api_v1.work_items": "cases:read",
    "api_v1.work_item": "cases:read",
    "api_v1.physician_cases": "cases:read",
    "api_v1.start_case": "cases:write",
    "api_v1.withdraw": "cases:write",
    "api_v1.claim": "cases:write",
    "api_v1.release": "cases:write",
    "api_v1.complete": "cases:write",
    "api_v1.draft": "cases:write",
    "api_v1.revoke_confirmation": "cases:write",
    "api_v1.upload_document": "cases:write",
    "api_v1.document": "cases:read",
    "api_v1.document_content": "cases:read",
    "api_v1.document_page": "cases:read",
    "api_v1.message": "messages:send",
    # the registry
    "api_v1.institutions": "registry:read",
    "api_v1.institution": "registry:read",
    "api_v1.institution_history": "registry:read",
    "api_v1.licence_pdf_api": "registry:read",
    "api_v1.departments": "registry:read",
    "api_v1.approval_authorities": "registry:read",
    "api_v1.roster": "registry:read",
    "api_v1.other_provinces_api": "registry:read",
    "api_v1.physician": "registry:read",
    "api_v1.physician_certificate": "registry:read",
    "api_v1.nurse": "registry:read",
    "api_v1.nurse_certificate": "registry:read",
    "api_v1.qualification_lookup": "registry:read",
    "api_v1.registration_lookup": "registry:read",
    "api_v1.supervision_signups": "registry:read",
    "api_v1.supervision_signup_detail": "registry:read",
    "api_v1.backfill": ADMIN,
    "api_v1.add_department": ADMIN,
    "api_v1.update_department": ADMIN,
    "api_v1.assign_department": ADMIN,
    "api_v1.set_approval_authority": ADMIN,
    "api_v1.activation_codes": ADMIN,
    "api_v1.generate_activation_code": ADMIN,
    "api_v1.revoke_activation_code": ADMIN,
    "api_v1.revoke_physician_account": ADMIN,
    "api_v1.supervision_review": ADMIN,
    "api_v1.institution_standards": "registry:read",
    "api_v1.institution_contact": ADMIN,
    "api_v1.physician_assessments": "registry:read",
    "api_v1.template_api": "registry:read",
    "api_v1.import_api": ADMIN,
    "api_v1.nurse_activation_codes": ADMIN,
    "api_v1.generate_nurse_activation_code": ADMIN,
    "api_v1.revoke_nurse_account": ADMIN,
    "api_v1.reminders": "registry:read",
    "api_v1.institution_statistics": "registry:read",
    # the legacy import: an administration's own work
    "api_v1.create_import": ADMIN,
    "api_v1.import_template": ADMIN,
    "api_v1.get_import": ADMIN,
    "api_v1.import_report": ADMIN,
    "api_v1.run_import": ADMIN,
    "api_v1.import_placements": ADMIN,
    "api_v1.link_placement": ADMIN,
    # self-inspection and demerit scoring (seed 004): records behind cases
    "api_v1.supervision_checklist": "registry:read",
    "api_v1.demerit_rules": "registry:read",
    "api_v1.inspection_list": "cases:read",
    "api_v1.inspection_detail": "cases:read",
    "api_v1.inspection_create": "cases:write",
    "api_v1.inspection_save": "cases:write",
    "api_v1.inspection_submit": "cases:write",
    "api_v1.inspection_delete": "cases:write",
    "api_v1.rectification_list": "cases:read",
    "api_v1.rectification_update": "cases:write",
    "api_v1.person_search": "registry:read",
    "api_v1.person_points": "registry:read",
    "api_v1.person_create": "cases:write",
    "api_v1.person_update": "cases:write",
    "api_v1.demerit_list": "cases:read",
    "api_v1.demerit_detail": "cases:read",
    "api_v1.demerit_create": "cases:write",
    "api_v1.demerit_save": "cases:write",
    "api_v1.demerit_submit": "cases:write",
    "api_v1.demerit_delete": "cases:write",
    "api_v1.threshold_list": "cases:read",
    # in-app messages: the caller's own
    "api_v1.notifications": SELF,
    "api_v1.notification_read": SELF,
    # the platform: designers, auditors and other systems
    "api_v1.deploy_process": ADMIN,
    "api_v1.migrate": ADMIN,
    "api_v1.process_versions": AUDIT,
    "api_v1.process_version": AUDIT,
    "api_v1.process_diff": AUDIT,
    "api_v1.chain_runs": AUDIT,
    "api_v1.start_chain_run": AUDIT,
    "api_v1.chain_run": AUDIT,
    "api_v1.audit_bundle": AUDIT,
    "api_v1.reveal_events": AUDIT,
    "api_v1.access_log_list": AUDIT,
    "api_v1.clients_list": ADMIN,
    "api_v1.create_client": ADMIN,
    "api_v1.revoke_client": ADMIN,
    "api_v1.webhooks_list": ADMIN,
    "api_v1.create_webhook": ADMIN,
    "api_v1.webhook_deliveries": ADMIN,
    "api_v1.replay_delivery": ADMIN,
}


def required(endpoint: str | None) -> str | None:
    return ROUTE_SCOPES.get(endpoint or "")


def allowed(endpoint: str | None, token_scopes: list[str], *, client: bool, auditor: bool) -> bool:
    """Whether a token may call the route: a client needs the route's scope among its own,
    an auditor's login a read scope; other logins pass (their roles decide in the view)."""
    need = required(endpoint)
    if need in (PUBLIC, SELF):
        return True
    if client:
        return need is not None and need in token_scopes
    if auditor:
        return need in AUDITOR_SCOPES
    return True
