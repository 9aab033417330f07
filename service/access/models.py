"""Login accounts and API tokens."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import UTCDateTime, db
from service.core.times import utcnow

# Roles per the process catalogue. An account's kind says what it belongs to; its roles say what
# it may do there.
ROLES = {
    "sysadmin": "系统管理员",
    "designer": "流程设计员",
    "auditor": "审计员",
    "support": "客服人员",
    "api_client": "外部系统",
    "bureau_clerk": "受理审核员",
    "bureau_head": "审批负责人",
    "bureau_accounts": "账户管理员",
    "bureau_supervision": "监督员",
    "inst_admin": "机构管理员",
    "inst_clerk": "机构经办人",
    "inst_inspector": "自查员",
    "inst_scorer": "记分员",
    "physician": "医师",
    "nurse": "护士",
    "supervision": "自查与记分机构",
    "applicant": "申请人",
}
KINDS = {
    "staff": "平台",
    "administration": "卫生行政部门",
    "institution": "医疗机构",
    "physician": "医师",
    "nurse": "护士",
    "applicant": "申请人",  # applies online for an institution not yet registered
}
ADMINISTRATION_ROLES = ("bureau_clerk", "bureau_head", "bureau_accounts", "bureau_supervision")
INSTITUTION_ROLES = ("inst_admin", "inst_clerk", "inst_inspector", "inst_scorer")


class Account(UserMixin, db.Model):
    """A login. Belongs to an administration, an institution, a person, or the platform."""

    __tablename__ = "account"
    # A verified phone or e-mail identifies one account (password recovery finds the account by
    # it), so two accounts may hold the same one only while neither has verified it.
    __table_args__ = (
        Index("ux_account_verified_phone", "phone", unique=True,
              postgresql_where=text("phone_verified_at IS NOT NULL"),
              sqlite_where=text("phone_verified_at IS NOT NULL")),
        Index("ux_account_verified_email", "email", unique=True,
              postgresql_where=text("email_verified_at IS NOT NULL"),
              sqlite_where=text("email_verified_at IS NOT NULL")),
        # user names are compared without case (find_by_username): an index on lower(username)
        # keeps that one row away with a million institution accounts
        Index("ix_account_username_lower", func.lower(text("username"))),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    # The password before the current one the holder chose (not an issued initial one): a new
    # password may not go back to it.
    previous_password_hash: Mapped[str | None] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    roles: Mapped[list] = mapped_column(db.JSON, default=list)
    administration_id: Mapped[int | None] = mapped_column(
        ForeignKey("administration.id"), index=True
    )
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("physician.id"), index=True)
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("nurse.id"), index=True)
    division_code: Mapped[str | None] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_epoch: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The login before the current one: what the holder checks for logins that were not hers.
    previous_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the holder proved she receives messages there (a code sent to it came back).
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Physician and nurse accounts sign up first and are activated later (seed 003 ch.2 §1.3).
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    administration = relationship("Administration")
    institution = relationship("Institution")
    physician = relationship("Physician")
    nurse = relationship("Nurse")

    def get_id(self) -> str:
        # The epoch makes every session of an account void when its password changes.
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_enabled

    def has_role(self, *roles: str) -> bool:
        return any(r in (self.roles or []) for r in roles)

    @property
    def organisation(self):
        return self.administration or self.institution

    @property
    def inbox_key(self) -> tuple[str, int | None]:
        """Whose tasks this account works: (kind, id) of its organisation or person."""
        return {
            "administration": ("administration", self.administration_id),
            "institution": ("institution", self.institution_id),
            "physician": ("physician", self.physician_id),
            "nurse": ("nurse", self.nurse_id),
            "applicant": ("applicant", self.id),  # the applicant works her own tasks
        }.get(self.kind, (self.kind, None))

    @property
    def organisation_name(self) -> str:
        """The account's own organisation; a physician or nurse has none of her own here."""
        org = self.organisation
        if org:
            return org.name
        return "" if self.kind in ("physician", "nurse", "applicant") else "医政管理平台"

    @property
    def name_with_organisation(self) -> str:
        """"王审核（北京市朝阳区卫生健康委员会）"; the name alone where the two are the same."""
        org = self.organisation_name
        return f"{self.display_name}（{org}）" if org and org != self.display_name else self.display_name

    @property
    def role_names(self) -> list[str]:
        return [ROLES.get(r, r) for r in self.roles or []]


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_hash", "token_hash", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(60), default="login")
    scopes: Mapped[list] = mapped_column(db.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The account's session epoch when issued: a password change or reset ends the token too.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    account: Mapped[Account] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Throttle(db.Model):
    """Failed attempts at something guessable (an activation code, recovery by personal data)
    and the lockout they earned; one row per (purpose, subject)."""

    __tablename__ = "access_throttle"
    __table_args__ = (UniqueConstraint("purpose", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VerificationCode(db.Model):
    """A one-time code sent by SMS or e-mail (sign-up, password recovery); only its hash is kept."""

    __tablename__ = "verification_code"
    __table_args__ = (Index("ix_verification_code_address", "purpose", "address", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(120))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginSession(db.Model):
    """One page login (one browser): the session cookie carries a random key whose SHA-256 is
    stored here, so logging out ends this login server-side and a copied cookie stops working."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_key", "key_hash", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class SecondFactor(db.Model):
    """An account's authenticator app (TOTP, RFC 6238): the seed's 电子钥匙. The secret is kept
    encrypted with a key from the environment; ``confirmed_at`` is set by the first right code."""

    __tablename__ = "second_factor"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    # the last time step a code was accepted for: a code works once
    last_step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator; only a keyed hash is kept."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
