"""Files an import hands out: the row report and the templates, as XLSX written row by row
(openpyxl's write-only mode keeps memory flat however many errors)."""
from __future__ import annotations

import tempfile
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from service.imports import kinds
from service.imports.models import ImportJob
from service.imports.runner import MAX_STORED_ERRORS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _save(book: Workbook) -> tempfile.SpooledTemporaryFile:
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115  (sent, then closed by Flask)
    book.save(out)
    out.seek(0)
    return out


def row_report(job: ImportJob, errors: Iterable, label) -> tempfile.SpooledTemporaryFile:
    """One line per refused field: 行号, 列, 列名, 原因 (the file's own problem first)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("检查结果")
    sheet.append(["行号", "列", "列名", "原因"])
    if job.message:
        sheet.append(["", "_file", "文件", job.message])
    for error in errors:
        sheet.append([error.row, error.field, label(job, error.field), error.message])
    if job.error_count > MAX_STORED_ERRORS:  # more than were kept: say so
        sheet.append(["", "", "", f"共 {job.error_count} 处错误，仅列出前 {MAX_STORED_ERRORS} 处"])
    return _save(book)


def template_xlsx(kind: kinds.RowKind) -> tempfile.SpooledTemporaryFile:
    """The template: Chinese headers, one example row, every cell formatted as text (so that
    Excel keeps the leading zeros and all 18 digits of an ID)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind.label)
    header, example = [], []
    for col in kind.columns:
        cell = WriteOnlyCell(sheet, value=col.label)
        header.append(cell)
        value = WriteOnlyCell(sheet, value=col.example)
        value.number_format = "@"
        example.append(value)
    sheet.append(header)
    sheet.append(example)
    return _save(book)
