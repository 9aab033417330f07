"""Print templates (``templates/print/``) rendered to A4 PDF by xhtml2pdf with a CJK font.

xhtml2pdf draws Chinese only with a font registered through ReportLab (see design.md,
"Printing with Chinese text"): a TrueType CJK font is embedded when one is installed, and
ReportLab's built-in CID font ``STSong-Light`` is the fallback, so a machine without the font
file still prints extractable Chinese. Templates name the family ``cjk`` in their CSS.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from datetime import date, datetime
from pathlib import Path

from flask import Response, current_app, render_template
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from xhtml2pdf import default as pisa_default
from xhtml2pdf import pisa

from service.core.times import SHANGHAI

log = logging.getLogger(__name__)

DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
CID_FONT = "STSong-Light"
FAMILY = "cjk"

# Fonts are process-wide ReportLab state: registration happens once per font, under a lock.
_register_lock = threading.Lock()
_registered: dict[str, str | None] = {}  # font file path (or CID name) -> ReportLab font name
# The "cjk" entry of xhtml2pdf's font table is global too; it is set and read (when a document
# copies the table) under one lock, so two renders with different fonts never mix them.
# xhtml2pdf renders one document at a time per process anyway, so this costs no throughput.
_render_lock = threading.Lock()


class PrintError(RuntimeError):
    """A print template could not be rendered to PDF."""


def font_path() -> str:
    """The configured CJK font file: config ``PRINT_FONT``, env ``PRINT_FONT``, or WenQuanYi."""
    configured = current_app.config.get("PRINT_FONT") or os.environ.get("PRINT_FONT")
    return str(configured or DEFAULT_FONT_PATH)


def _register_truetype(path: str) -> str | None:
    """Register a TrueType font (subfont 0 of a .ttc); None when the file is missing or unusable."""
    if not Path(path).is_file():
        log.warning("print font %s not found: falling back to the CID font %s", path, CID_FONT)
        return None
    # One name per file, so a second font configured later does not replace the first.
    name = f"CJK-{Path(path).stem}-{hashlib.sha1(path.encode()).hexdigest()[:6]}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (TTFError, OSError) as exc:  # e.g. PostScript-outline CJK fonts ReportLab refuses
        log.warning("print font %s unusable (%s): falling back to %s", path, exc, CID_FONT)
        return None
    return name


def _register_cid() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def cjk_font(path: str | None = None) -> str:
    """The ReportLab name of the CJK font for ``path``, registering it on first use."""
    path = path or font_path()
    with _register_lock:
        if path not in _registered:
            _registered[path] = _register_truetype(path)
        name = _registered[path]
        if name is None:
            if CID_FONT not in _registered:
                _registered[CID_FONT] = _register_cid()
            name = CID_FONT
    return name


def zh_date(value: date | datetime | None, time: bool = False) -> str:
    """``2024年11月5日`` (with ``14:30`` when ``time``), in Asia/Shanghai for aware datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(SHANGHAI) if value.tzinfo else value
        text = f"{local.year}年{local.month}月{local.day}日"
        return f"{text} {local:%H:%M}" if time else text
    return f"{value.year}年{value.month}月{value.day}日"


def render_html(template: str, **context: object) -> str:
    """The print template as HTML (for checking layout in a browser)."""
    return render_template(f"print/{template}", zh_date=zh_date, **context)


def render_pdf(template: str, **context: object) -> bytes:
    """Render ``templates/print/<template>`` with ``context`` to an A4 PDF."""
    html = render_html(template, **context)
    font = cjk_font()
    out = io.BytesIO()
    with _render_lock:
        pisa_default.DEFAULT_FONT[FAMILY] = font
        try:
            result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
        except Exception as exc:
            raise PrintError(f"{template}: xhtml2pdf failed: {exc}") from exc
    if result.err:
        problems = "; ".join(
            f"line {line}: {message}" for kind, line, message, _ in result.log
            if kind == pisa_default.PML_ERROR
        )
        raise PrintError(f"{template}: xhtml2pdf reported {result.err} error(s): {problems}")
    return out.getvalue()


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF answered inline, never kept by shared caches (print-outs carry personal data)."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
