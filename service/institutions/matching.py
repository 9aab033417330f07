"""Institutions by name, for persons imported with the name of their institution: the exact
standard name (执业地点是否与本机构的标准名称一致), and similar names to suggest when it is not."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from service.core.extensions import db
from service.institutions.models import Institution
from service.registry.reference import Administration, Division

# words that tell little apart: left out when names are compared
_NOISE = re.compile(r"[\s()（）\[\]【】·.,，、\-—_]")
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|省|市|区|县|旗|盟)$")
MIN_SCORE = 0.6


@dataclass(frozen=True)
class Suggestion:
    institution_id: int
    name: str
    division_code: str
    score: float  # 0..1, the similarity of the names


def normalise(name: str) -> str:
    """A name for comparison: full-width forms folded (NFKC), spaces and brackets dropped."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name or ""))


def region_words(county: str) -> list[str]:
    """The names of a county and the divisions above it, with and without their suffix
    (北京市 / 北京, 朝阳区 / 朝阳), longest first: the part of a name that tells nothing apart
    within one county."""
    words: set[str] = set()
    node = db.session.get(Division, county)
    while node is not None:
        if node.name not in ("市辖区", "县"):
            words.add(node.name)
            short = _SUFFIX.sub("", node.name)
            if len(short) >= 2:
                words.add(short)
        node = node.parent
    return sorted(words, key=len, reverse=True)


def _core(name: str, words: list[str]) -> str:
    for word in words:
        name = name.replace(word, "")
    return name


def _in_scope(admin: Administration):
    code = admin.division_code
    if admin.level == "province":
        return Institution.province_code == code
    if admin.level == "city":
        return Institution.city_code == code
    return Institution.division_code == code


def institutions_named(names: set[str], admin: Administration) -> dict[str, list[tuple[int, str]]]:
    """Standard name -> [(id, county code)] of the institutions in the jurisdiction bearing
    exactly that name (cancelled ones excluded)."""
    found: dict[str, list[tuple[int, str]]] = {}
    if not names:
        return found
    for inst_id, name, county in db.session.execute(
            select(Institution.id, Institution.name, Institution.division_code).where(
                Institution.name.in_(sorted(names)), Institution.status != "cancelled",
                _in_scope(admin)).order_by(Institution.id)):
        found.setdefault(name, []).append((inst_id, county))
    return found


def in_jurisdiction(institution_id: int, admin: Administration) -> bool:
    """Whether the institution lies in the administration's jurisdiction and is not cancelled."""
    return db.session.scalar(select(Institution.id).where(
        Institution.id == institution_id, Institution.status != "cancelled",
        _in_scope(admin))) is not None


def pick(candidates: list[tuple[int, str]], county: str) -> int | None:
    """The one institution a name means: the only one, or the only one in the row's county."""
    if len(candidates) == 1:
        return candidates[0][0]
    here = [i for i, c in candidates if c == county]
    return here[0] if len(here) == 1 else None


def _ratio(matcher: difflib.SequenceMatcher) -> float:
    if matcher.real_quick_ratio() < MIN_SCORE or matcher.quick_ratio() < MIN_SCORE:
        return 0.0  # cheap upper bounds first: most names are far apart
    return matcher.ratio()


def similar_institutions(name: str, county: str, admin: Administration,
                         limit: int = 3) -> list[Suggestion]:
    """The institutions of the jurisdiction whose names are most like ``name``, the row's county
    first, then the rest. The score is the Ratcliff / Obershelp similarity of the normalised
    names, or of what is left of them without the region's names (朝阳区康泰医院 is 北京市朝阳区
    康泰医院), whichever is higher."""
    wanted = normalise(name)
    if not wanted:
        return []
    words = region_words(county)
    core = _core(wanted, words)
    scored: list[Suggestion] = []
    for near in (True, False):
        stmt = select(Institution.id, Institution.name, Institution.division_code).where(
            _in_scope(admin), Institution.status != "cancelled")
        stmt = stmt.where(Institution.division_code == county) if near else \
            stmt.where(Institution.division_code != county)
        whole, part = difflib.SequenceMatcher(autojunk=False), difflib.SequenceMatcher(autojunk=False)
        whole.set_seq2(wanted)
        part.set_seq2(core)
        for inst_id, inst_name, inst_county in db.session.execute(stmt.execution_options(yield_per=2000)):
            theirs = normalise(inst_name)
            whole.set_seq1(theirs)
            part.set_seq1(_core(theirs, words))
            score = max(_ratio(whole), _ratio(part) if core else 0.0)
            if score >= MIN_SCORE:
                scored.append(Suggestion(inst_id, inst_name, inst_county, round(score, 2)))
        if scored:
            break
    scored.sort(key=lambda s: (-s.score, s.name))
    return scored[:limit]
