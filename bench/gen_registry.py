"""Rows of the bulk registry: institutions (with subjects, accounts, versions) and physicians.

Institutions are spread over the county-level divisions of ``seed/divisions.csv``, weighted
towards city districts and capitals; most are issued by their county administration, hospitals
more often by the city or province. Every bulk record is version 1 with its ``record_version``
snapshot, as the versioning hook would have written it (reason ``BULK_REASON``).
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from stdnum.cn import ric, uscc

from service.signing import new_verify_code

BULK_REASON = "基准测试批量数据"
BUSIEST_DIVISION = "110105"  # 北京市朝阳区: its county administration gets the busiest inbox
CAPITALS = ("1101", "5001", "5301")
NOW = datetime(2025, 6, 30, 8, 0, tzinfo=UTC)

# category: (name suffix, weight in city districts, weight in counties, physician weight)
CATEGORIES: dict[str, tuple[str, float, float, float]] = {
    "A100": ("医院", 3.0, 2.0, 40), "A210": ("中医医院", 0.8, 0.6, 30),
    "A512": ("眼科医院", 0.3, 0.05, 12), "A518": ("妇产医院", 0.3, 0.05, 15),
    "A527": ("康复医院", 0.3, 0.1, 10), "A710": ("护理院", 0.3, 0.1, 3),
    "B100": ("社区卫生服务中心", 2.0, 0.6, 8), "B200": ("社区卫生服务站", 5.0, 1.0, 2),
    "C210": ("中心卫生院", 0.1, 1.5, 6), "C220": ("乡卫生院", 0.1, 3.0, 4),
    "D110": ("综合门诊部", 3.0, 0.8, 5), "D152": ("口腔门诊部", 2.0, 0.4, 4),
    "D154": ("医疗美容门诊部", 0.8, 0.1, 3), "D211": ("诊所", 25.0, 12.0, 1.2),
    "D212": ("中医诊所", 6.0, 4.0, 1.1), "D215": ("口腔诊所", 8.0, 3.0, 1.3),
    "D300": ("卫生所", 2.0, 2.0, 1), "D400": ("医务室", 4.0, 2.0, 1),
    "D600": ("村卫生室", 6.0, 60.0, 1), "G100": ("妇幼保健院", 0.2, 0.3, 15),
    "P310": ("医学检验实验室", 0.4, 0.05, 3),
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


HOSPITALS = {"A100", "A210", "A512", "A518", "A527", "G100"}
PUBLIC = {"B100", "B200", "C210", "C220", "D600", "G100"}
CLINICS = {"D211", "D212", "D215"}
BRANDS = _words("康宁 仁和 济民 华康 博爱 协和 同济 安康 惠民 德仁 瑞康 益民 泰和 广济 普仁 和平 新华 "
          "永安 福康 长青 启明 怡康 健民 明德 丰泽 嘉禾 众康 正心 佳美 乐善 恒安 润泽 博仁 "
          "慈航 万家 百草 青松 杏林 天和 明仁 鸿福 卓越 美好 济世 宏达 君安 睿思 同心")
ROADS = _words("人民路 解放路 建设路 中山路 和平路 新华路 胜利路 文化路 民主路 光明路 团结路 "
         "长安街 花园路 兴业路 春晖路 滨河路 学府路 工农路")
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
                "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华文慧建国志红玉晨宇浩然思雨欣怡"
             "子轩梓涵博文海燕晓东立新佳琪雅婷俊杰")
SCHOOLS = _words("首都医科大学 北京大学医学部 重庆医科大学 昆明医科大学 四川大学华西医学院 "
           "云南中医药大学 复旦大学上海医学院 中山大学中山医学院")
EDUCATION = ("本科", "本科", "本科", "硕士研究生", "大专", "博士研究生")
TITLES = ("住院医师", "住院医师", "主治医师", "主治医师", "副主任医师", "主任医师")
LEVELS = ("3A", "3B", "2A", "2A", "2B", "1A", "9")

INSTITUTION_COLUMNS = (
    "id", "name", "uscc", "registration_number", "category_code", "economic_type_code",
    "management_class", "level_code", "affiliation_code", "address", "postal_code", "phone",
    "fax", "legal_representative", "principal", "registered_capital", "service_mode", "beds",
    "dental_chairs", "floor_area", "staff_count", "service_population", "division_code",
    "city_code", "province_code", "issuing_authority_id", "licence_valid_from",
    "licence_valid_to", "is_filed_clinic", "status", "verification_due", "created_at", "version",
)
SUBJECT_COLUMNS = ("institution_id", "subject_code")
ACCOUNT_COLUMNS = (
    "id", "username", "password_hash", "display_name", "kind", "roles", "administration_id",
    "institution_id", "physician_id", "nurse_id", "division_code", "phone", "email",
    "is_enabled", "must_change_password", "failed_logins", "locked_until", "session_epoch",
    "last_login_at", "created_by_id", "created_at",
)
LICENCE_COLUMNS = ("id", "institution_id", "case_id", "verify_code", "valid_from", "valid_to",
                   "issued_at", "issued_by_id", "reason", "status", "voided_at")
VERSION_COLUMNS = ("id", "entity", "entity_id", "version", "valid_from", "data", "changed",
                   "actor_id", "reason", "case_id")
QUALIFICATION_COLUMNS = ("id", "name", "gender", "birth_date", "id_number", "certificate_number",
                         "category", "level", "year", "school", "education")
PHYSICIAN_COLUMNS = ("id", "qualification_id", "name", "id_number", "gender", "birth_date",
                     "certificate_number", "phone", "email", "education", "school", "title",
                     "created_at", "version")
REGISTRATION_COLUMNS = ("id", "physician_id", "kind", "institution_id", "category", "level",
                        "scope", "location_code", "certificate_number", "status", "valid_from",
                        "valid_to", "version")


@dataclass
class Places:
    """Counties with their weights and the administrations that may issue there."""

    counties: list[tuple[str, str]]  # (code, name)
    weights: list[float]
    names: dict[str, str]
    admin_by_division: dict[str, int]

    @classmethod
    def load(cls, divisions: list[tuple[str, str, str]], admins: list[tuple[int, str]]) -> Places:
        counties = sorted((code, name) for code, name, level in divisions if level == "county")
        weights = []
        for code, name in counties:
            w = 3.0 if name.endswith("区") else 2.0 if name.endswith("市") else 1.0
            w *= 2.0 if code[:4] in CAPITALS else 1.0
            # counties differ in size: a fixed factor per county between 0.5 and 1.5
            w *= 1.5 if code == BUSIEST_DIVISION else 0.5 + random.Random(code).random()
            weights.append(w)
        return cls(counties, weights, {code: name for code, name, _ in divisions},
                   {division: admin_id for admin_id, division in admins})

    def issuer(self, rnd: random.Random, county: str, hospital: bool) -> int:
        roll = rnd.random()
        county_share, city_share = (0.4, 0.4) if hospital else (0.92, 0.06)
        city = self.admin_by_division.get(county[:4] + "00")
        province = self.admin_by_division[county[:2] + "0000"]
        if roll < county_share and county in self.admin_by_division:
            return self.admin_by_division[county]
        if roll < county_share + city_share and city is not None:
            return city
        return province


@dataclass
class Registry:
    """What later phases need to know about the bulk institutions (index i = id - base)."""

    base: int
    account_base: int
    issuer: list[int] = field(default_factory=list)
    county: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    physician_weight: list[float] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)  # indices issued by the busiest administration

    def __len__(self) -> int:
        return len(self.issuer)


def person_name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))


def _org_code(n: int) -> str:
    """A 9-character organisation code (GB 11714): 8 digits and the check character."""
    body = f"{n % 100_000_000:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _uscc(prefix: str, county: str, n: int) -> str:
    body = prefix + county + _org_code(n)
    return body + uscc.calc_check_digit(body)


def snapshot(columns: tuple[str, ...], row: tuple, **extra: object) -> dict:
    """The ``record_version`` data of a row, as ``column_snapshot`` writes it."""
    data = {}
    for key, value in zip(columns, row, strict=True):
        if key in ("version", "created_at"):
            continue
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[key] = value
    data.update(extra)
    return data


def institutions(rnd: random.Random, places: Places, reg: Registry, n: int,
                 subject_codes: list[str]) -> Iterator[tuple[tuple, list[str]]]:
    """(institution row, subject codes) for ``n`` institutions; fills ``reg`` as it goes."""
    urban = list(accumulate(CATEGORIES[c][1] for c in CATEGORIES))
    rural = list(accumulate(CATEGORIES[c][2] for c in CATEGORIES))
    places_cum = list(accumulate(places.weights))
    codes = list(CATEGORIES)
    busiest = places.admin_by_division[BUSIEST_DIVISION]
    for i in range(n):
        ident = reg.base + i
        county, county_name = rnd.choices(places.counties, cum_weights=places_cum)[0]
        is_urban = county_name.endswith("区")
        category = rnd.choices(codes, cum_weights=urban if is_urban else rural)[0]
        suffix, _, _, doctors = CATEGORIES[category]
        hospital = category in HOSPITALS
        public = category in PUBLIC or (hospital and rnd.random() < 0.6)
        issuer = places.issuer(rnd, county, hospital)
        place = county_name[:-1] if len(county_name) > 2 else county_name
        name = f"{place}{rnd.choice(BRANDS)}{suffix}"
        if category == "D600":
            name = f"{place}{rnd.choice(BRANDS)}村卫生室"
        org = _uscc("12" if public else rnd.choice(("91", "92", "52")), county, ident)
        economic = "11" if public else rnd.choice(("17", "15", "17", "17"))
        management = "1" if public else "2"
        registration = f"{org[8:17]}{county}{economic}{category}{management}"
        beds = rnd.randint(50, 1200) if hospital else rnd.randint(20, 120) if category in (
            "C210", "C220", "A710") else rnd.choice((0, 0, 20, 40)) if category == "B100" else 0
        chairs = rnd.randint(2, 30) if category in ("D152", "D215") else 0
        valid_from = date(2015, 1, 1) + timedelta(days=rnd.randint(0, 3650))
        valid_to = valid_from + timedelta(days=(15 if hospital else 5) * 365 - 1)
        due = date(2025, 1, 1) + timedelta(days=rnd.randint(0, 1095))
        legal = person_name(rnd)
        status = rnd.choices(("active", "deferred", "suspended", "cancelled"), (97, 1, 1, 1))[0]
        row = (
            ident, name, org, registration, category, economic, management,
            rnd.choice(LEVELS) if hospital else "9", "50" if public else "90",
            f"{places.names.get(county[:2] + '0000', '')}{county_name}{rnd.choice(ROADS)}"
            f"{rnd.randint(1, 999)}号", f"{county[:4]}00",
            f"0{rnd.randint(10, 999)}-{rnd.randint(2000000, 89999999)}", None, legal,
            legal if rnd.random() < 0.6 else person_name(rnd),
            Decimal(rnd.randint(10, 50000)), "门诊、住院" if beds else "门诊", beds, chairs,
            Decimal(rnd.randint(40, 60000)), rnd.randint(2, 3000) if hospital else rnd.randint(1, 30),
            None, county, county[:4] + "00", county[:2] + "0000", issuer, valid_from, valid_to,
            category in CLINICS and rnd.random() < 0.3, status, due,
            NOW - timedelta(days=rnd.randint(30, 3650)), 1,
        )
        subjects = sorted(set(rnd.sample(subject_codes, rnd.randint(2, 12 if hospital else 4))))
        reg.issuer.append(issuer)
        reg.county.append(county)
        reg.name.append(name)
        reg.physician_weight.append(doctors)
        if issuer == busiest:
            reg.busy.append(i)
        yield row, subjects


def institution_account(reg: Registry, i: int, password_hash: str) -> tuple:
    ident = reg.base + i
    return (reg.account_base + i, f"bench.i{ident}", password_hash, reg.name[i], "institution",
            ["inst_admin", "inst_clerk"], None, ident, None, None, None, None, None, True, False,
            0, None, 0, None, None, NOW)


def administration_account(account_id: int, admin_id: int, name: str, password_hash: str) -> tuple:
    return (account_id, f"bench.a{admin_id}", password_hash, name, "administration",
            ["bureau_clerk", "bureau_head"], admin_id, None, None, None, None, None, None, True,
            False, 0, None, 0, None, None, NOW)


def licence_row(ident: int, row: tuple) -> tuple:
    """The institution's current licence (its QR code's verify code), issued with the record."""
    columns = dict(zip(INSTITUTION_COLUMNS, row, strict=True))
    return (ident, columns["id"], None, new_verify_code(), columns["licence_valid_from"],
            columns["licence_valid_to"], columns["created_at"], columns["issuing_authority_id"],
            BULK_REASON, "valid", None)


def version_row(ident: int, entity: str, entity_id: int, data: dict, at: datetime) -> tuple:
    return (ident, entity, entity_id, 1, at, data, [], None, BULK_REASON, None)


def _id_number(county: str, birth: date, seq: int, taken: set[str]) -> str:
    """An 18-digit resident identity number with its check digit, not one already taken."""
    for place in (county, "110101", "500103", "530102"):
        body = f"{place}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body)
        if number not in taken:
            return number
    raise ValueError(f"no free identity number for {birth} #{seq}")


def physicians(rnd: random.Random, reg: Registry, n: int, base: int, registration_base: int,
               scopes: dict[str, list[str]], taken: set[str]
               ) -> Iterator[tuple[tuple, tuple, list[tuple]]]:
    """(qualification, physician, [registrations]) for ``n`` physicians (ids from ``base``)."""
    cum = list(accumulate(reg.physician_weight))
    registration_id = registration_base - 1
    for k in range(n):
        ident = base + k
        # (birth day, sequence) is unique per id: 7919 is coprime to the 16,000-day span
        birth = date(1955, 1, 1) + timedelta(days=(ident * 7919) % 16000)
        county = reg.county[(ident * 31) % len(reg)]
        id_number = _id_number(county, birth, (ident // 16000) % 1000, taken)
        gender = "M" if int(id_number[16]) % 2 else "F"
        name = person_name(rnd)
        category = rnd.choices(("1", "2", "3", "4"), (70, 8, 4, 18))[0]
        level = "physician" if rnd.random() < 0.8 else "assistant"
        year = min(2024, birth.year + rnd.randint(24, 30))
        school, education = rnd.choice(SCHOOLS), rnd.choice(EDUCATION)
        qualification = (ident, name, gender, birth, id_number,
                         f"{year}{category}{ident:016d}", category, level, year, school, education)
        certificate = f"{ident:015d}"
        physician = (ident, ident, name, id_number, gender, birth, certificate,
                     f"1{rnd.randint(3, 9)}{rnd.randint(100000000, 999999999)}", None, education,
                     school, rnd.choice(TITLES), NOW - timedelta(days=rnd.randint(30, 3000)), 1)
        main = rnd.choices(range(len(reg)), cum_weights=cum)[0]
        places = [("main", main)]
        if rnd.random() < 0.1:
            places.append(("multi_site", rnd.choices(range(len(reg)), cum_weights=cum)[0]))
        registrations = []
        for kind, i in places:
            registration_id += 1
            county = reg.county[i]
            status = "active" if kind == "multi_site" or rnd.random() < 0.95 else "ended"
            start = birth.replace(day=1) + timedelta(days=365 * 26 + rnd.randint(0, 3000))
            registrations.append((
                registration_id, ident, kind, reg.base + i, category, level,
                rnd.choice(scopes.get(category) or ["内科专业"]), county[:2] + "0000",
                certificate, status, min(start, date(2025, 1, 1)),
                None if status == "active" else date(2024, 12, 31), 1))
        yield qualification, physician, registrations
