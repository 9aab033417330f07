"""Statistics of the registry (统计分析): institutions and beds by ownership nature (经营性质),
level, affiliation, category or division, optionally crossed with a second of them, within the
caller's jurisdiction, drilled down from province to city to county.

One GROUP BY over the institution table, narrowed by the same read scope as every list; the
division dimension groups by the level below the division being looked at.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from service.access import policy
from service.access.models import Account
from service.access.policy import READ, division_level, scope
from service.core.extensions import db
from service.core.paging import QueryError
from service.institutions.models import Institution
from service.institutions.queries import IN_REGISTER, QUERY_STATUSES, status_condition
from service.registry import codes
from service.registry.reference import Division

# dimension -> (label, code table of its values; None for divisions)
DIMENSIONS = {
    "ownership": ("经营性质", "management_class"),
    "level": ("机构级别", "level"),
    "affiliation": ("隶属关系", "affiliation"),
    "category": ("机构类别", "institution_category"),
    "division": ("行政区划", None),
}
# the combined query's filter that selects one value of a dimension (links from the cells)
QUERY_FILTER = {"ownership": "management_class", "level": "level", "affiliation": "affiliation",
                "category": "category", "division": "division"}
STATUSES = {**QUERY_STATUSES, "all": "全部"}
UNKNOWN = "未填写"


@dataclass
class Cell:
    key: str | None
    label: str
    count: int = 0
    beds: int = 0


@dataclass
class Row(Cell):
    cells: dict[str | None, Cell] = field(default_factory=dict)


@dataclass
class Table:
    by: str
    cross: str | None
    division: Division | None  # what is looked at (None: the whole country)
    status: str
    rows: list[Row]
    columns: list[Cell]  # the crossed dimension's values, with their totals
    total: Cell
    trail: list[Division]  # province → city → county down to ``division``, for the drill-down

    @property
    def drills(self) -> bool:
        """Whether a division row opens the level below (not below a county)."""
        return self.by == "division" and (self.division is None
                                          or division_level(self.division.code) != "county")


def root(actor: Account) -> str | None:
    """The division the actor's statistics cover (None: the whole country); 404 for accounts
    without statistics (institutions, persons)."""
    if actor.kind == "administration" or policy.platform_wide(actor):
        code = policy.actor_division(actor)
        if code is None and not policy.reads_everything(actor):
            raise NotFound()
        return code
    raise NotFound()


def _within(code: str, top: str | None) -> bool:
    if top is None:
        return True
    width = {"province": 2, "city": 4, "county": 6}[division_level(top)]
    return code[:width] == top[:width]


def read_args(args) -> tuple[str, str | None, str | None, str]:
    """(by, cross, division, status) from request arguments; Chinese field errors."""
    errors: dict[str, list[str]] = {}
    by = (args.get("by") or "ownership").strip()
    cross = (args.get("cross") or "").strip() or None
    division = (args.get("division") or "").strip() or None
    status = (args.get("status") or IN_REGISTER).strip()
    names = "、".join(label for label, _ in DIMENSIONS.values())
    if by not in DIMENSIONS:
        errors["by"] = [f"统计维度须为{names}之一"]
    if cross is not None and cross not in DIMENSIONS:
        errors["cross"] = [f"交叉维度须为{names}之一"]
    elif cross is not None and cross == by:
        errors["cross"] = ["交叉维度不能与统计维度相同"]
    if division is not None and not (len(division) == 6 and division.isascii() and division.isdigit()):
        errors["division"] = ["行政区划代码须为 6 位数字"]
    if status not in STATUSES:
        errors["status"] = ["状态不正确"]
    if errors:
        raise QueryError(errors)
    return by, cross, division, status


def _group_column(dimension: str, division: str | None):
    if dimension == "division":
        if division is None:
            return Institution.province_code
        return Institution.city_code if division_level(division) == "province" \
            else Institution.division_code
    return {"ownership": Institution.management_class, "level": Institution.level_code,
            "affiliation": Institution.affiliation_code,
            "category": Institution.category_code}[dimension]


def _division_names(keys) -> dict[str, str]:
    wanted = [k for k in keys if k]
    found = {d.code: d for d in db.session.scalars(select(Division).where(Division.code.in_(wanted)))}
    out = {}
    for code in wanted:
        d = found.get(code)
        # GB/T 2260's 市辖区 / 县 under a municipality read as the municipality itself
        out[code] = (d.full_name if d.name in ("市辖区", "县") else d.name) if d else code
    return out


def _labels(dimension: str, keys) -> dict[str | None, str]:
    if dimension == "division":
        labels: dict[str | None, str] = dict(_division_names(keys))
    else:
        labels = {k: codes.name(k, DIMENSIONS[dimension][1]) for k in keys if k}
    labels.update({k: UNKNOWN for k in keys if not k})
    return labels


def _trail(division: Division | None, top: str | None) -> list[Division]:
    out, node = [], division
    while node is not None and (top is None or _within(node.code, top)):
        if node.name not in ("市辖区", "县"):
            out.append(node)
        node = node.parent
    return out[::-1]


def statistics(actor: Account, by: str, cross: str | None = None, division: str | None = None,
               status: str = IN_REGISTER) -> Table:
    """The table for the actor; 404 when ``division`` lies outside its jurisdiction."""
    top = root(actor)
    code = division or top
    place = None
    if code is not None:
        place = db.session.get(Division, code)
        if place is None or not _within(code, top):
            raise NotFound()
    first = _group_column(by, code)
    second = _group_column(cross, code) if cross else None
    columns = [first] + ([second] if second is not None else [])
    stmt = select(*columns, func.count(), func.coalesce(func.sum(Institution.beds), 0)) \
        .where(scope(actor, READ, Institution)).group_by(*columns)
    if code is not None:
        stmt = stmt.where(policy.in_division(code, Institution.province_code,
                                             Institution.city_code, Institution.division_code))
    if status != "all":
        stmt = stmt.where(status_condition(status))
    result = db.session.execute(stmt).all()
    rows: dict[str | None, Row] = {}
    crossed: dict[str | None, Cell] = {}
    total = Cell(None, "合计")
    for record in result:
        key = record[0]
        count, beds = int(record[-2]), int(record[-1])
        row = rows.setdefault(key, Row(key, ""))
        row.count += count
        row.beds += beds
        total.count += count
        total.beds += beds
        if second is not None:
            other = record[1]
            row.cells[other] = Cell(other, "", count, beds)
            column = crossed.setdefault(other, Cell(other, ""))
            column.count += count
            column.beds += beds
    labels = _labels(by, rows)
    for key, row in rows.items():
        row.label = labels[key]
    if second is not None:
        column_labels = _labels(cross, crossed)
        for key, column in crossed.items():
            column.label = column_labels[key]
            for row in rows.values():
                if key in row.cells:
                    row.cells[key].label = column.label

    def order(cell: Cell) -> tuple[bool, str]:
        return cell.key is None or cell.key == "", cell.key or ""

    return Table(by, cross, place, status, sorted(rows.values(), key=order),
                 sorted(crossed.values(), key=order), total, _trail(place, top))


def query_args(table: Table, row: Cell, column: Cell | None = None) -> dict | None:
    """The combined query's filters listing the institutions counted in a cell (None when a
    value is unknown, which the query cannot select)."""
    args: dict = {}
    if table.division is not None:
        args["division"] = table.division.code
    if table.status != "all":
        args["status"] = table.status
    for dimension, cell in ((table.by, row), (table.cross, column)):
        if dimension is None or cell is None:
            continue
        if not cell.key:
            return None
        args[QUERY_FILTER[dimension]] = cell.key
    return args
