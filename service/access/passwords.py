"""Password rules and hashing."""
from __future__ import annotations

import re
import secrets
import string

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 64
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")


def password_problem(password: str) -> str | None:
    """The Chinese reason a password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位"
    if not (_LETTER.search(password) and _DIGIT.search(password)):
        return "密码须同时包含字母和数字"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


# A fixed hash to compare against when the user name is unknown, so that the answer takes as
# long as for a known user and does not reveal which user names exist.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def burn_time(password: str) -> None:
    check_password_hash(_DUMMY_HASH, password)


def initial_password() -> str:
    """A random password that satisfies the rules (letters and digits, 12 characters)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12))
        if password_problem(candidate) is None:
            return candidate
