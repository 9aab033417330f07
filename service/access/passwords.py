"""Password rules and hashing.

A new password must have letters and digits (8–64 characters), must not be one of the common
passwords in ``seed/common_passwords.txt`` or the holder's own names, phone or e-mail with a few
characters added, must not be her current or previous password, and must reach zxcvbn score 2
(about a million guesses). Why 2: logins are rate-limited and paused per account and address,
so an online guesser gets a few hundred tries a day, and the stored scrypt hashes make an
offline attack slow; 3 would refuse every random 8-character password (zxcvbn rates those 10^8).
"""
from __future__ import annotations

import functools
import re
import secrets
import string
from collections.abc import Iterable

from pypinyin import lazy_pinyin
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from service.core.config import ROOT

MIN_LENGTH = 8
MAX_LENGTH = 64
MIN_SCORE = 2
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_DECORATION = re.compile(r"^[\d\W_]+|[\d\W_]+$")  # digits and signs added around a word
# Words of this service a guesser tries first, next to the holder's own names.
SERVICE_WORDS = ("yizheng", "weijianwei", "weishengju", "wjw", "wsj", "yiyuan", "yisheng",
                 "hushi", "zhensuo", "weisheng", "jiankang")
COMMON = "该密码过于常见，容易被猜中，请换一个"
OWN_NAME = "密码不能使用您的用户名、姓名、手机号或邮箱（前后加数字也不行）"
WEAK = "密码太容易被猜中，请使用更长、更不规则的字母和数字组合"
REUSED = "新密码不能与当前或上一次使用的密码相同"


def password_problem(password: str, names: Iterable[str | None] = (),
                     used_hashes: Iterable[str | None] = ()) -> str | None:
    """The Chinese reason a password is not acceptable, or None. ``names`` are the holder's
    user name, name, phone and e-mail; ``used_hashes`` her current and previous password hashes."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位"
    if not (_LETTER.search(password) and _DIGIT.search(password)):
        return "密码须同时包含字母和数字"
    if password.lower() in common_passwords():
        return COMMON
    words = own_words(names)
    if _uses_own_word(password, words):
        return OWN_NAME
    if zxcvbn(password, user_inputs=[*words, *SERVICE_WORDS])["score"] < MIN_SCORE:
        return WEAK
    if any(h and check_password_hash(h, password) for h in used_hashes):
        return REUSED
    return None


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common-password list (lower case), data in ``seed/``."""
    path = ROOT / "seed" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def own_words(names: Iterable[str | None]) -> list[str]:
    """The holder's names as a guesser would type them: lower case, split at signs, Chinese
    names in pinyin (full and initials), the e-mail's local part."""
    words: set[str] = set()
    for name in filter(None, (n.strip() for n in names if n)):
        name = name.split("@")[0].lower()
        words.update({name, re.sub(r"[\W_]+", "", name)})
        words.update(p for p in re.split(r"[\W_]+", name) if len(p) >= 3)
        if re.search(r"[\u4e00-\u9fff]", name):
            syllables = lazy_pinyin(name)
            words.update({"".join(syllables), "".join(s[0] for s in syllables if s)})
    return sorted(w for w in words if len(w) >= 3)


def _uses_own_word(password: str, words: list[str]) -> bool:
    lowered = password.lower()
    core = _DECORATION.sub("", lowered)
    return any(core == w or (len(w) >= 4 and w in lowered) for w in words)


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
