"""Identifier and registered-item checks with Chinese field messages (python-stdnum)."""
from __future__ import annotations

from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)


def resident_id_problem(value: str) -> str | None:
    """Why a resident ID (GB 11643) is not valid, or None."""
    if not value:
        return "请填写公民身份号码"
    try:
        ric.validate(value)
    except InvalidLength:
        return "公民身份号码应为 18 位"
    except InvalidFormat:
        return "公民身份号码格式不正确（前 17 位为数字，末位为数字或 X）"
    except InvalidComponent:
        return "公民身份号码中的地区码或出生日期无效"
    except InvalidChecksum:
        return "公民身份号码校验位不正确，请核对"
    except ValidationError:
        return "公民身份号码无效"
    return None


def uscc_problem(value: str) -> str | None:
    """Why a unified social credit code (GB 32100) is not valid, or None."""
    if not value:
        return "请填写统一社会信用代码"
    try:
        uscc.validate(value)
    except InvalidLength:
        return "统一社会信用代码应为 18 位"
    except InvalidFormat:
        return "统一社会信用代码含有无效字符"
    except InvalidComponent:
        return "统一社会信用代码中的机构代码或行政区划部分无效"
    except InvalidChecksum:
        return "统一社会信用代码校验位不正确，请核对"
    except ValidationError:
        return "统一社会信用代码无效"
    return None


def normalise_id(value: str) -> str:
    return ric.compact(value or "").upper()


def normalise_certificate(value: str | None) -> str:
    """A qualification certificate number as entered: whitespace dropped, upper case."""
    return "".join((value or "").split()).upper()


def certificate_matches(entered: str | None, recorded: str | None) -> bool:
    """Whether an entered certificate number is the recorded one (spacing and case ignored)."""
    return normalise_certificate(entered) == (recorded or "").upper()


def normalise_uscc(value: str) -> str:
    return uscc.compact(value or "").upper()


def date_field(data: dict, key: str, errors: dict[str, list[str]]) -> date | None:
    """``data[key]`` as a ``YYYY-MM-DD`` date (None when empty); a Chinese reason otherwise."""
    raw = data.get(key)
    raw = "" if raw is None else str(raw).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else date.fromisoformat("")
    except ValueError:
        errors.setdefault(key, []).append("日期格式应为 YYYY-MM-DD")
        return None


def county_problem(division, covers) -> str | None:
    """Why a division (or None when its code is unknown) cannot take a registration:
    not county-level, or outside the jurisdiction (``covers(code)``)."""
    if division is None or division.level != "county":
        return "请选择县（区）级行政区划"
    if not covers(division.code):
        return "该行政区划不在本机关辖区内"
    return None
