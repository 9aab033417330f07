"""CSV and XLSX downloads streamed row by row (the combined institution query, the physician
lists, the statistics).

XLSX is written by openpyxl in write-only mode: each row goes straight to a temporary file
(never a workbook in memory), the finished file is streamed in chunks and removed, so memory
stays flat for any number of rows.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from service.core.times import SHANGHAI

Column = tuple[str, Callable[[object], object]]
FLUSH_AT = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """``value`` safe for a spreadsheet: text a spreadsheet would run as a formula is quoted
    with a leading apostrophe (openpyxl too would store ``=…`` as a formula); numbers stay
    numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(name: str, columns: Sequence[Column], rows: Callable[[], Iterable]) -> Response:
    """A streamed ``<name>-<yyyymmddHHMM>.csv`` attachment with a heading row and a row per item.

    ``rows`` is called while streaming, after the view's session closed: it loads what it needs
    (the actor, the institution) again in the streaming one.
    """

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        out = csv.writer(buffer)
        buffer.write("\ufeff")  # Excel needs the BOM to read UTF-8
        out.writerow([cell(title) for title, _ in columns])
        for item in rows():
            out.writerow([cell(value(item)) for _, value in columns])
            if buffer.tell() > FLUSH_AT:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    # the rows are read while streaming: keep the request (and its database session) open
    return Response(
        stream_with_context(generate()), content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={_stamped(name)}.csv"},
    )


def _stamped(name: str) -> str:
    return f"{name}-{datetime.now(SHANGHAI):%Y%m%d%H%M}"


def write_xlsx(out, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> None:
    """Write sheets of (title, heading, rows) to the file object ``out``, row by row."""
    book = Workbook(write_only=True)
    for title, heading, rows in sheets:
        sheet = book.create_sheet(title[:31])
        bold = []
        for text in heading:
            head = WriteOnlyCell(sheet, value=cell(text))
            head.font = Font(bold=True)
            bold.append(head)
        sheet.append(bold)
        for row in rows:
            sheet.append([cell(value) for value in row])
    book.save(out)


def xlsx_response(name: str, sheets: Callable[[], Iterable[tuple[str, Sequence[str],
                                                                  Iterable[Sequence[object]]]]]
                  ) -> Response:
    """A ``<name>-<yyyymmddHHMM>.xlsx`` attachment of the ``sheets()``, written to a temporary
    file and streamed from it; ``sheets`` is called while streaming, as ``rows`` of
    :func:`csv_response` is."""

    def generate() -> Iterator[bytes]:
        handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
        try:
            with os.fdopen(handle, "w+b") as out:
                write_xlsx(out, sheets())
                out.seek(0)
                while chunk := out.read(FLUSH_AT):
                    yield chunk
        finally:
            os.unlink(path)

    return Response(
        stream_with_context(generate()), content_type=XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename={_stamped(name)}.xlsx"},
    )


def column_rows(columns: Sequence[Column], items: Iterable) -> tuple[list[str], Iterator[list]]:
    """The heading and the rows of ``items`` under ``columns`` (for one XLSX sheet)."""
    return [title for title, _ in columns], ([value(item) for _, value in columns] for item in items)
