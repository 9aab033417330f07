"""Printing: Jinja print templates rendered to A4 PDF with embedded CJK fonts."""
from __future__ import annotations

from service.printing.pdf import PrintError, cjk_font, render_html, render_pdf, zh_date

__all__ = ["PrintError", "cjk_font", "render_html", "render_pdf", "zh_date"]
