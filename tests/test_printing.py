"""Prints with Chinese text (seed 001): the online service notice, fonts, page footers."""
from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from service.core.extensions import db
from service.institutions.face import Institution
from service.printing import PrintError, render_pdf, zh_date
from service.printing import pdf as printing
from service.registry.reference import Administration

NOTICE = "verification_notice.html"
COUNTER = "朝阳区政务服务大厅二层卫生健康委窗口（霄云路霄云里1号）"
HOURS = "工作日，上午09:00-12:00，下午13:30-17:00"


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def institution(ctx: None, demo) -> Institution:
    return db.session.get(Institution, demo.institution["inst.chaoyang1"])


def notice_context(institution: Institution, renewal: bool = False) -> dict:
    return {
        "institution": institution,
        "authority": Administration(name="北京市朝阳区卫生健康委员会", counter_address=COUNTER,
                                    office_hours=HOURS),
        "business_number": "京朝卫校〔2024〕0123",
        "approved_at": datetime(2024, 11, 4, 16, 30, tzinfo=UTC), "renewal": renewal,
        "printed_at": datetime(2024, 11, 6, 1, 0, tzinfo=UTC),
    }


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_the_notice_prints_the_institution_in_chinese(institution: Institution) -> None:
    assert institution.registration_number
    printing.cjk_font()  # registration is a one-off per process; time the print itself
    started = time.perf_counter()
    pdf = render_pdf(NOTICE, **notice_context(institution))
    print(f"verification notice: {(time.perf_counter() - started) * 1000:.0f} ms, {len(pdf)} bytes")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = text_of(pdf)
    for expected in ("医疗机构校验网上审核指导服务完成通知单", "通知单", institution.name,
                     institution.registration_number, "北京市朝阳区卫生健康委员会", "京朝卫校〔2024〕0123",
                     "2024年11月5日",  # approved at 00:30 in Beijing
                     "《医疗机构执业许可证》副本原件", "本通知单（加盖本单位公章）", "单位公章",
                     COUNTER, HOURS, "第 1 页 共 1 页"):
        assert expected in text, expected
    assert "有效期延续申请书" not in text and "行政许可申请表" not in text
    if Path(printing.DEFAULT_FONT_PATH).is_file():
        # the TrueType font is embedded (a subset, hence the "ABCDEF+" prefix), not the CID one
        assert any("+" in name for name in fonts_of(pdf)), fonts_of(pdf)
        assert "/STSong-Light" not in fonts_of(pdf)


def test_a_renewing_institution_is_told_to_bring_the_renewal_forms(
        institution: Institution) -> None:
    text = text_of(render_pdf(NOTICE, **notice_context(institution, renewal=True)))
    for expected in ("行政许可申请表", "《医疗机构执业许可证》有效期延续申请书",
                     "正、副本原件", "本通知单（加盖本单位公章）", institution.name):
        assert expected in text, expected


def test_without_a_font_file_the_cid_font_still_prints_extractable_chinese(
        app: Flask, institution: Institution, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PRINT_FONT", "/nonexistent/no-such-font.ttc")
    pdf = render_pdf(NOTICE, **notice_context(institution))
    assert "/STSong-Light" in fonts_of(pdf)
    text = text_of(pdf)
    assert institution.name in text and "通知单" in text and institution.registration_number in text


def test_a_file_that_is_no_font_falls_back_too(
        app: Flask, ctx: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"not a font at all" * 10)
    monkeypatch.setitem(app.config, "PRINT_FONT", str(fake))
    assert printing.cjk_font() == printing.CID_FONT


def test_fonts_are_registered_once(ctx: None) -> None:
    first = printing.cjk_font()
    assert printing.cjk_font() == first
    assert list(printing._registered).count(printing.font_path()) == 1


def test_long_prints_number_their_pages(
        app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "{% extends 'print/base.html' %}{% block title %}人员名录{% endblock %}" \
           "{% block content %}{% for i in range(120) %}<p>第{{ i }}行 医师 张三</p>{% endfor %}" \
           "{% endblock %}"
    loader = ChoiceLoader([DictLoader({"print/_long.html": body}), app.jinja_env.loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    pdf = render_pdf("_long.html", authority_name="北京市卫生健康委员会")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert f"第 {n} 页 共 {len(pages)} 页" in page.extract_text()


def test_errors_reported_by_xhtml2pdf_raise(
        ctx: None, institution: Institution, monkeypatch: pytest.MonkeyPatch) -> None:
    class Failed:
        err = 1
        log = [("error", 7, "broken table", "<table>")]

    monkeypatch.setattr(printing.pisa, "CreatePDF", lambda *a, **k: Failed())
    with pytest.raises(PrintError, match="broken table"):
        render_pdf(NOTICE, **notice_context(institution))


def test_dates_are_written_the_chinese_way() -> None:
    assert zh_date(datetime(2024, 12, 31, 17, 5, tzinfo=UTC)) == "2025年1月1日"
    assert zh_date(datetime(2024, 3, 5, 9, 0, tzinfo=UTC), time=True) == "2024年3月5日 17:00"
    assert zh_date(date(2024, 3, 5)) == "2024年3月5日"
    assert zh_date(None) == ""
