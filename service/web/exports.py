"""CSV downloads streamed row by row (the combined institution query, the physician lists)."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from flask import Response, stream_with_context

from service.core.times import SHANGHAI

Column = tuple[str, Callable[[object], object]]
FLUSH_AT = 64 * 1024
# A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """``value`` safe for a spreadsheet: text a spreadsheet would run as a formula is quoted
    with a leading apostrophe; numbers stay numbers."""
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

    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d%H%M")
    # the rows are read while streaming: keep the request (and its database session) open
    return Response(
        stream_with_context(generate()), content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={name}-{stamp}.csv"},
    )
