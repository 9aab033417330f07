"""Reading a legacy file row by row in constant memory: CSV (UTF-8, or GB18030 as the old
stand-alone system wrote it) and XLSX (openpyxl's read-only mode streams the sheet)."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from service.imports.kinds import Row, RowKind, header_map

BAD_XLSX = (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, InvalidFileException)
MAX_CELL = 1000  # characters kept of one cell; longer text fails its column's length check


class FileProblem(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


def file_format(name: str, head: bytes) -> str | None:
    """``xlsx`` (a zip), ``csv`` (by name), or None."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".csv", ".txt")):
        return "csv"
    return None


def _encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end is not an error
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (value.date() if value.time() == time.min else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()[:MAX_CELL]


def _raw_rows(path: Path, fmt: str) -> Iterator[list[str]]:
    if fmt == "csv":
        try:
            with path.open(encoding=_encoding(path), newline="", errors="strict") as fh:
                for cells in csv.reader(fh):
                    yield [c.strip()[:MAX_CELL] for c in cells]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileProblem("文件编码或 CSV 格式不正确，请另存为 UTF-8 编码的 CSV 后重新上传") from exc
        return
    with path.open("rb") as fh:
        try:
            book = _open_xlsx(fh)
        except BAD_XLSX as exc:
            raise FileProblem("无法读取该 XLSX 文件，请用 Excel 或 WPS 另存为 .xlsx 后重新上传") from exc
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                yield [_text(v) for v in values]
        finally:
            book.close()


def _open_xlsx(fh):
    # a file object: the stored upload has no name ending, which openpyxl would ask of a path
    return load_workbook(fh, read_only=True, data_only=True)


def count_rows(path: Path, fmt: str) -> int | None:
    """The data rows of the file (the header excluded), where the file says so cheaply: every
    CSV line is read; an XLSX tells its sheet's dimension (None when it does not)."""
    if fmt == "xlsx":
        with path.open("rb") as fh:
            try:
                book = _open_xlsx(fh)
                rows = book.worksheets[0].max_row
                book.close()
            except BAD_XLSX:
                return None
        return max(rows - 1, 0) if rows else None
    try:
        return max(sum(1 for _ in _raw_rows(path, fmt)) - 1, 0)
    except FileProblem:
        return None


def read_rows(path: Path, fmt: str, kind: RowKind) -> Iterator[Row]:
    """The data rows as :class:`Row` keyed by column; a bad header raises :class:`FileProblem`."""
    raw = _raw_rows(path, fmt)
    header = next(raw, None)
    if header is None:
        raise FileProblem("文件为空")
    keys = _header(header, kind)
    for number, cells in enumerate(raw, start=2):
        if not any(cells):
            continue
        values = {key: cells[i] if i < len(cells) else "" for i, key in keys.items()}
        yield Row(number, values)


def _header(header: list[str], kind: RowKind) -> dict[int, str]:
    names = header_map(kind)
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    keys: dict[int, str] = {}
    unknown, seen = [], set()
    for i, cell in enumerate(header):
        if not cell:
            continue
        key = names.get(cell) or names.get(cell.lower())
        if key is None:
            unknown.append(cell)
        elif key in seen:
            raise FileProblem(f"表头中的列「{cell}」重复")
        else:
            keys[i] = key
            seen.add(key)
    problems = []
    if unknown:
        problems.append("表头中有无法识别的列：" + "、".join(unknown[:10]))
    missing = [c.label for c in kind.columns if c.required and c.key not in seen]
    if missing:
        problems.append("缺少必填列：" + "、".join(missing))
    if problems:
        raise FileProblem("；".join(problems) + "（请使用本系统提供的模板）")
    return keys


def template_csv(kind: RowKind) -> str:
    """The template: the header row with the columns' field names and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in kind.columns])
    writer.writerow([c.example for c in kind.columns])
    return "\ufeff" + out.getvalue()
