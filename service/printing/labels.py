"""Address prints (信封打印): A4 label sheets and DL envelopes, drawn with ReportLab.

Labels and envelopes have exact geometry (a label sheet is cut on the printer's die lines), so
they are drawn on a ReportLab canvas in millimetres rather than laid out by xhtml2pdf; Chinese
text uses the same CJK font as every print (:func:`service.printing.pdf.cjk_font`) and wraps
with ReportLab's CJK line breaking. The addresses are read as they are drawn; ReportLab keeps
each finished page compressed (one or two kilobytes) until the file is saved.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from service.printing.pdf import cjk_font

LAYOUTS = {"labels": "A4 标签纸（每页 14 张）", "envelopes": "DL 信封（220×110 mm）"}
DL = (220 * mm, 110 * mm)
# A4 sheet of 2 × 7 labels of 99.1 × 38.1 mm (the common 14-up sheet)
LABEL_W, LABEL_H = 99.1 * mm, 38.1 * mm
COLUMNS, ROWS = 2, 7
LEFT, TOP, GAP = 4.65 * mm, 15.15 * mm, 2.5 * mm
PER_SHEET = COLUMNS * ROWS


@dataclass(frozen=True)
class Address:
    postcode: str
    address: str
    name: str
    contact: str  # 联系人 and phone, one line


def _paragraph(text: str, font: str, size: float, leading: float | None = None) -> Paragraph:
    style = ParagraphStyle("address", fontName=font, fontSize=size, leading=leading or size * 1.25,
                           wordWrap="CJK")
    return Paragraph(escape(text), style)


def _draw_block(canvas: Canvas, text: str, font: str, size: float, x: float, top: float,
                width: float, max_height: float) -> float:
    """Wrap ``text`` into ``width`` below ``top``; returns the y under it. Text that does not
    fit ``max_height`` is drawn smaller rather than cut."""
    while True:
        para = _paragraph(text, font, size)
        _, height = para.wrap(width, max_height)
        if height <= max_height or size <= 6:
            para.drawOn(canvas, x, top - height)
            return top - height
        size -= 0.5


def _spaced_postcode(canvas: Canvas, code: str, font: str, x: float, y: float, size: float) -> None:
    canvas.setFont(font, size)
    canvas.drawString(x, y, " ".join(code or "      "))


def label_sheets(addresses: Iterable[Address], out: BinaryIO, title: str,
                 progress: Callable[[int], None] | None = None) -> int:
    """Draw the addresses on A4 label sheets into ``out``; returns the number of pages."""
    font = cjk_font()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    page_w, page_h = A4
    pages = done = 0
    source = iter(addresses)
    while sheet := list(islice(source, PER_SHEET)):
        for n, item in enumerate(sheet):
            row, column = divmod(n, COLUMNS)
            x = LEFT + column * (LABEL_W + GAP)
            top = page_h - TOP - row * LABEL_H
            pad = 4 * mm
            _spaced_postcode(canvas, item.postcode, font, x + pad, top - pad - 10, 11)
            y = _draw_block(canvas, item.address, font, 9.5, x + pad, top - pad - 14,
                            LABEL_W - 2 * pad, 9 * mm)
            y = _draw_block(canvas, f"{item.name}  收", font, 11.5, x + pad, y - 1.5 * mm,
                            LABEL_W - 2 * pad, 10 * mm)
            if item.contact:
                _draw_block(canvas, item.contact, font, 8, x + pad, y - 1 * mm,
                            LABEL_W - 2 * pad, 4 * mm)
        canvas.showPage()
        pages += 1
        done += len(sheet)
        if progress:
            progress(done)
    if pages == 0:
        canvas.setFont(font, 12)
        canvas.drawString(20 * mm, page_h - 30 * mm, "没有可打印的地址。")
        canvas.showPage()
        pages = 1
    canvas.save()
    return pages


def envelopes(addresses: Iterable[Address], out: BinaryIO, title: str, sender: str,
              progress: Callable[[int], None] | None = None) -> int:
    """Draw one DL envelope per address into ``out``: the six postcode boxes top left, the
    address and the addressee, the sender bottom right; returns the number of pages."""
    font = cjk_font()
    canvas = Canvas(out, pagesize=DL, pageCompression=1)
    canvas.setTitle(title)
    width, height = DL
    pages = 0
    for item in addresses:
        box_w, box_h, box_gap = 8 * mm, 10 * mm, 2 * mm
        x0, top = 12 * mm, height - 10 * mm
        canvas.setLineWidth(0.6)
        canvas.setStrokeColorRGB(0.75, 0.1, 0.1)
        for n in range(6):
            canvas.rect(x0 + n * (box_w + box_gap), top - box_h, box_w, box_h)
        canvas.setFont(font, 16)
        for n, digit in enumerate((item.postcode or "")[:6]):
            canvas.drawCentredString(x0 + n * (box_w + box_gap) + box_w / 2, top - box_h + 2.8 * mm,
                                     digit)
        canvas.setDash(2, 2)
        canvas.rect(width - 32 * mm, height - 32 * mm, 22 * mm, 24 * mm)  # 贴邮票处
        canvas.setDash()
        canvas.setFont(font, 7)
        canvas.drawCentredString(width - 21 * mm, height - 21 * mm, "贴邮票处")
        y = _draw_block(canvas, item.address, font, 12, 22 * mm, height - 30 * mm, 140 * mm, 14 * mm)
        y = _draw_block(canvas, f"{item.name}  收", font, 16, 40 * mm, y - 6 * mm, 150 * mm, 16 * mm)
        if item.contact:
            _draw_block(canvas, item.contact, font, 9, 40 * mm, y - 2 * mm, 150 * mm, 5 * mm)
        canvas.setStrokeColorRGB(0, 0, 0)
        _draw_block(canvas, f"寄件：{sender}", font, 9, width - 110 * mm, 16 * mm, 100 * mm, 8 * mm)
        canvas.showPage()
        pages += 1
        if progress:
            progress(pages)
    if pages == 0:
        canvas.setFont(font, 12)
        canvas.drawString(20 * mm, height / 2, "没有可打印的地址。")
        canvas.showPage()
        pages = 1
    canvas.save()
    return pages
