"""考核信息 (issue 16 item 7, seed 003 ch.2 §2.1): a physician's periodic assessments (医师定期考核),
one record per cycle of three years and attempt (the regular assessment, and the re-assessment
after a failure and the suspension that follows it), with the result and the assessing body.

Administrations import the records (CSV or XLSX, all rows or none); the physician and her
institutions read them; the rules read them as grounds: failing the re-assessment as well, or
missing two cycles in a row, is a cancellation ground (《医师法》第十七条), and a second failure
within a year bars registration like a cancellation for it (《医师法》第十六条).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.access.models import Account
from service.access.policy import READ, scope
from service.core.extensions import UTCDateTime, db
from service.core.times import shanghai_today, utcnow
from service.physicians.models import Physician
from service.registry.validation import normalise_id
from service.registry.versioning import Versioned, change_context

CYCLE_YEARS = 3
RESULTS = {"passed": "合格", "failed": "不合格", "missed": "未参加"}
ATTEMPTS = {1: "首次考核", 2: "再次考核"}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# the columns of an import file: the field names, or their Chinese labels as headers
COLUMNS = {"id_number": "身份证号", "name": "姓名", "cycle": "考核周期", "attempt": "考核次数",
           "result": "考核结果", "assessing_body": "考核机构", "assessed_on": "考核日期"}
REQUIRED = ("id_number", "name", "cycle", "result", "assessing_body")
_CYCLE = re.compile(r"^\s*(\d{4})\s*[-—–~至到]\s*(\d{4})\s*(年)?\s*$")


class PhysicianAssessment(Versioned, db.Model):
    """One periodic assessment of a physician: a cycle, an attempt, its result."""

    __tablename__ = "physician_assessment"
    __table_args__ = (UniqueConstraint("physician_id", "cycle_start", "attempt"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    physician_id: Mapped[int] = mapped_column(ForeignKey("physician.id"), index=True)
    cycle_start: Mapped[int]
    cycle_end: Mapped[int]
    attempt: Mapped[int] = mapped_column(default=1)
    result: Mapped[str] = mapped_column(String(8))
    assessing_body: Mapped[str] = mapped_column(String(80))
    assessed_on: Mapped[date | None]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    physician: Mapped[Physician] = relationship()

    @property
    def cycle(self) -> str:
        return f"{self.cycle_start}—{self.cycle_end}"

    @property
    def result_name(self) -> str:
        return RESULTS.get(self.result, self.result)

    @property
    def attempt_name(self) -> str:
        return ATTEMPTS.get(self.attempt, str(self.attempt))


def records_of(physician_id: int) -> list[PhysicianAssessment]:
    """Her assessments, newest cycle first, the re-assessment before the first attempt."""
    return list(db.session.scalars(select(PhysicianAssessment).where(
        PhysicianAssessment.physician_id == physician_id).order_by(
        PhysicianAssessment.cycle_start.desc(), PhysicianAssessment.attempt.desc())))


# --- the grounds the rules read ---------------------------------------------------------------

def failed_twice(records: list[PhysicianAssessment]) -> PhysicianAssessment | None:
    """The re-assessment that failed after a failed assessment of the same cycle, if any."""
    failed = {(r.cycle_start, r.attempt) for r in records if r.result == "failed"}
    return next((r for r in records if r.attempt == 2 and r.result == "failed"
                 and (r.cycle_start, 1) in failed), None)


def missed_two_cycles(records: list[PhysicianAssessment]) -> tuple[int, int] | None:
    """The two consecutive latest cycles she did not take part in, if so."""
    latest = {}
    for r in records:  # newest cycle first: the cycle's last word is its highest attempt
        latest.setdefault(r.cycle_start, r)
    cycles = sorted(latest, reverse=True)[:2]
    if len(cycles) == 2 and cycles[0] - cycles[1] == CYCLE_YEARS and all(
            latest[c].result == "missed" for c in cycles):
        return cycles[1], cycles[0]
    return None


def grounds(records: list[PhysicianAssessment]) -> list[str]:
    """The cancellation grounds her records make, in the words of 《医师法》第十七条."""
    out = []
    if (second := failed_twice(records)) is not None:
        out.append(f"{second.cycle} 周期定期考核不合格，再次考核仍不合格：应当注销注册（《医师法》第十七条）")
    if (missed := missed_two_cycles(records)) is not None:
        out.append(f"连续两个考核周期（{missed[0]} 年起、{missed[1]} 年起）未参加定期考核：应当注销注册"
                   "（《医师法》第十七条）")
    return out


# --- import ------------------------------------------------------------------------------------

class ImportRefused(Exception):
    """The file as a whole cannot be read, or some rows are wrong: nothing was imported."""

    def __init__(self, message: str, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message, self.errors = message, errors or []


@dataclass
class ImportResult:
    rows: int
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)


def _table(filename: str, content: bytes) -> list[list[str]]:
    """The file's rows as text cells (CSV in UTF-8 with or without BOM, or GB18030; XLSX)."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(f"文件不能超过 {MAX_BYTES // (1024 * 1024)} MB")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
            data = sheet.to_python(skip_empty_area=True)
        except Exception:  # noqa: BLE001  (any unreadable workbook is the same refusal)
            raise ImportRefused("无法读取该 Excel 文件，请按模板另存为 .xlsx 后重新上传") from None
        return [[_cell(v) for v in row] for row in data]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRefused("无法识别 CSV 文件的编码，请保存为 UTF-8 编码")
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise ImportRefused("请上传 .csv 或 .xlsx 文件")


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _header(row: list[str]) -> dict[str, int]:
    by_label = {label: key for key, label in COLUMNS.items()}
    found = {}
    for index, cell in enumerate(row):
        key = cell if cell in COLUMNS else by_label.get(cell)
        if key:
            found[key] = index
    missing = [COLUMNS[k] for k in REQUIRED if k not in found]
    if missing:
        raise ImportRefused("表头缺少列：" + "、".join(missing) + "（请使用导入模板）")
    return found


def _parse_row(values: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    out: dict = {"id_number": normalise_id(values.get("id_number", "")),
                 "name": values.get("name", "")}
    match = _CYCLE.match(values.get("cycle", ""))
    if not match or int(match[2]) - int(match[1]) != CYCLE_YEARS - 1:
        problems.append(("cycle", "考核周期应为连续三年，如 2021-2023"))
    else:
        out["cycle_start"], out["cycle_end"] = int(match[1]), int(match[2])
    attempt = values.get("attempt", "") or "1"
    out["attempt"] = {"1": 1, "首次": 1, "首次考核": 1, "2": 2, "再次": 2, "再次考核": 2}.get(attempt)
    if out["attempt"] is None:
        problems.append(("attempt", "考核次数应为“首次考核”或“再次考核”"))
    result = values.get("result", "")
    out["result"] = result if result in RESULTS else {v: k for k, v in RESULTS.items()}.get(result)
    if out["result"] is None:
        problems.append(("result", "考核结果应为合格、不合格或未参加"))
    out["assessing_body"] = values.get("assessing_body", "")
    if not out["assessing_body"] or len(out["assessing_body"]) > 80:
        problems.append(("assessing_body", "请填写考核机构（不超过 80 个字）"))
    raw = values.get("assessed_on", "")
    out["assessed_on"] = None
    if raw:
        try:
            out["assessed_on"] = date.fromisoformat(raw.replace("/", "-")[:10])
        except ValueError:
            problems.append(("assessed_on", "考核日期应为 YYYY-MM-DD"))
    elif out["result"] in ("passed", "failed"):
        problems.append(("assessed_on", "合格或不合格的记录请填写考核日期"))
    if out["assessed_on"] and out["assessed_on"] > shanghai_today():
        problems.append(("assessed_on", "考核日期不能晚于今天"))
    return out, problems


def import_assessments(actor: Account, filename: str, content: bytes,
                       dry_run: bool = False) -> ImportResult:
    """Check every row, then write all of them (a new record, or a new version of the one of
    the same cycle and attempt), or none: ImportRefused lists every row's problems. Rows name
    physicians the actor reads (her administration's area); the caller commits."""
    table = [row for row in _table(filename, content) if any(row)]
    if not table:
        raise ImportRefused("文件没有内容")
    header = _header(table[0])
    body = table[1:]
    if not body:
        raise ImportRefused("文件只有表头，没有考核记录")
    if len(body) > MAX_ROWS:
        raise ImportRefused(f"一次最多导入 {MAX_ROWS} 条记录，请分批导入")
    parsed, errors, seen = [], [], {}
    readable = scope(actor, READ, Physician)
    for number, row in enumerate(body, start=2):
        values = {k: (row[i] if i < len(row) else "") for k, i in header.items()}
        out, problems = _parse_row(values)
        physician = db.session.scalars(select(Physician).where(
            Physician.id_number == out["id_number"], readable)).first() if out["id_number"] else None
        if physician is None:
            problems.append(("id_number", "未找到该身份证号的医师，或该医师不在本辖区"))
        elif physician.name != out["name"]:
            problems.append(("name", "姓名与该身份证号的医师不一致"))
        key = (out["id_number"], out.get("cycle_start"), out.get("attempt"))
        if key in seen and not problems:
            problems.append(("cycle", f"与第 {seen[key]} 行是同一医师、同一周期和考核次数"))
        seen.setdefault(key, number)
        errors += [{"row": number, "field": f, "message": m} for f, m in problems]
        parsed.append((physician, out))
    if errors:
        raise ImportRefused(f"有 {len({e['row'] for e in errors})} 行需要修改，未导入任何记录", errors)
    result = ImportResult(len(parsed))
    with change_context(actor.id, "定期考核信息导入"):
        for physician, out in parsed:
            record = db.session.scalars(select(PhysicianAssessment).where(
                PhysicianAssessment.physician_id == physician.id,
                PhysicianAssessment.cycle_start == out["cycle_start"],
                PhysicianAssessment.attempt == out["attempt"])).first()
            result.created += record is None
            result.updated += record is not None
            if dry_run:
                continue
            if record is None:
                record = PhysicianAssessment(physician_id=physician.id)
                db.session.add(record)
            record.cycle_start, record.cycle_end = out["cycle_start"], out["cycle_end"]
            record.attempt, record.result = out["attempt"], out["result"]
            record.assessing_body, record.assessed_on = out["assessing_body"], out["assessed_on"]
            record.imported_by_id, record.imported_at = actor.id, utcnow()
        db.session.flush()
    return result


def template_csv() -> str:
    """The import template: the Chinese header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS.values())
    writer.writerow(["110105198001010011", "张三", "2021-2023", "首次考核", "合格",
                     "北京市朝阳区医师定期考核委员会", "2023-11-20"])
    return "\ufeff" + out.getvalue()
