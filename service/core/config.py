"""Configuration from environment variables only.

The embedded default (no DATABASE_URL, no BROKER_URL) runs on a SQLite file, an in-process
dramatiq broker and worker, and local file storage under ``instance/``.
"""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]


def _bool_value(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass
class Settings:
    """Typed view of the environment, read once by ``create_app``."""

    instance_dir: Path
    database_url: str
    broker_url: str | None
    storage_dir: Path
    secret_key: str
    embedded: bool
    demo_data: bool
    ratelimit_storage_uri: str
    session_cookie_secure: bool
    notify_gateway: str
    token_ttl_hours: int
    trusted_proxies: int = 0
    require_second_factor: bool = False
    second_factor_key: str | None = None
    signing: dict = field(default_factory=dict)
    hsts_max_age: int = 0
    event_chain_key: str = ""
    event_chain_old_keys: tuple[str, ...] = ()
    login_rate_limit: str = "20/minute"

    @classmethod
    def from_env(cls, overrides: dict | None = None) -> Settings:
        env = dict(os.environ)
        env.update({k: str(v) for k, v in (overrides or {}).items() if v is not None})
        instance_dir = Path(env.get("INSTANCE_DIR") or ROOT / "instance").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'yizheng.sqlite3'}"
        broker_url = env.get("BROKER_URL") or None
        embedded = database_url.startswith("sqlite") and broker_url is None
        secret = env.get("SECRET_KEY") or _instance_secret(instance_dir, embedded)
        return cls(
            instance_dir=instance_dir,
            database_url=normalise_database_url(database_url),
            broker_url=broker_url,
            storage_dir=Path(env.get("STORAGE_DIR") or instance_dir / "storage").resolve(),
            secret_key=secret,
            embedded=embedded,
            demo_data=_bool_value(env["DEMO_DATA"]) if env.get("DEMO_DATA") else embedded,
            login_rate_limit=env.get("LOGIN_RATE_LIMIT") or "20/minute",
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI")
            or (broker_url if broker_url and broker_url.startswith("redis") else "memory://"),
            session_cookie_secure=_bool_value(env.get("SESSION_COOKIE_SECURE") or str(not embedded)),
            notify_gateway=env.get("NOTIFY_GATEWAY", "log"),
            token_ttl_hours=int(env.get("TOKEN_TTL_HOURS", "12")),
            trusted_proxies=_count(env.get("TRUSTED_PROXIES") or "0", "TRUSTED_PROXIES"),
            require_second_factor=_bool_value(env.get("REQUIRE_SECOND_FACTOR") or str(not embedded)),
            second_factor_key=env.get("SECOND_FACTOR_KEY") or None,
            # e-licence keys: the embedded default makes a local CA; production names key files
            signing={"SIGNING_MODE": env.get("SIGNING_MODE") or ("local" if embedded else "files"),
                     "SIGNING_CA_DIR": env.get("SIGNING_CA_DIR") or str(instance_dir / "pki"),
                     "SIGNING_KEYS_DIR": env.get("SIGNING_KEYS_DIR"),
                     "SIGNING_CHAIN_FILE": env.get("SIGNING_CHAIN_FILE"),
                     "SIGNING_KEY_PASSPHRASE": env.get("SIGNING_KEY_PASSPHRASE")},
            # browsers keep to HTTPS for a year once told; the embedded default serves plain HTTP
            hsts_max_age=int(env.get("HSTS_MAX_AGE") or (0 if embedded else 365 * 24 * 3600)),
            event_chain_key=env.get("EVENT_CHAIN_KEY")
            or _instance_secret(instance_dir, embedded, "EVENT_CHAIN_KEY", "event_chain_key"),
            event_chain_old_keys=tuple(
                k.strip() for k in env.get("EVENT_CHAIN_OLD_KEYS", "").split(",") if k.strip()),
        )

    def flask_config(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(self.database_url),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "SESSION_COOKIE_NAME": "yizheng_session",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.session_cookie_secure,
            "PERMANENT_SESSION_LIFETIME": 8 * 3600,
            "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
            "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": 8 * 3600,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_HEADERS_ENABLED": True,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "JSON_AS_ASCII": False,
            **self.signing,
            "HSTS_MAX_AGE": self.hsts_max_age,
            "EVENT_CHAIN_KEY": self.event_chain_key,
            "EVENT_CHAIN_OLD_KEYS": self.event_chain_old_keys,
        }


def _count(raw: str, name: str) -> int:
    if not raw.strip().isascii() or not raw.strip().isdigit() or int(raw) > 10:
        raise RuntimeError(f"{name} must be a whole number from 0 to 10, not {raw!r}")
    return int(raw)


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    # no ping on every checkout: database.py pings connections that sat idle (see there)
    return {"pool_size": 10, "max_overflow": 10}


def _instance_secret(instance_dir: Path, embedded: bool, name: str = "SECRET_KEY",
                     file_name: str = "secret_key") -> str:
    """The embedded default keeps a generated key in the instance folder; production must set one."""
    if not embedded:
        raise RuntimeError(f"{name} must be set when DATABASE_URL or BROKER_URL is configured")
    path = instance_dir / file_name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    log.warning("%s not set: generated one for the embedded default in %s", name, path)
    return key
