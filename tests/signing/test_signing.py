"""service.signing on its own: keys, PAdES signing and verification, QR codes, verify codes.

No app and no database: the project conftest's autouse ``_isolated`` fixture (which builds the
app) is overridden below, so these run with or without it.
"""

from __future__ import annotations

import base64
import io
import multiprocessing
import socket
import stat
import statistics
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.graphics import renderPDF
from svglib.svglib import svg2rlg
from xhtml2pdf import pisa

from service.signing import (
    VERIFY_CODE_ALPHABET,
    VERIFY_CODE_LENGTH,
    FileKeyStore,
    KeyStoreError,
    LocalCA,
    MissingKeyError,
    is_verify_code,
    keystore_from_settings,
    new_verify_code,
    qr_png_data_uri,
    qr_svg,
    sign_pdf,
    verify_pdf,
)

NANJING = ("320100", "南京市卫生健康委员会")
SUZHOU = ("320500", "苏州市卫生健康委员会")
MARKER = b"LICENCE-MARKER-0001"
VERIFY_URL = "https://yizheng.example.cn/v/0123456789abcdefghjkmnpqrs"


@pytest.fixture(autouse=True)
def _isolated() -> None:
    """Replace the project's app-and-database fixture: nothing here needs either."""


@pytest.fixture(scope="module")
def licence_pdf() -> bytes:
    """A two-page PDF from xhtml2pdf with an embedded QR image and an uncompressed marker."""
    rows = "".join(f"<tr><td>{i}</td><td>Item {i}</td><td>{i * 7}</td></tr>" for i in range(90))
    html = (
        f"<html><body><h1>Licence</h1><img src='{qr_png_data_uri(VERIFY_URL, 3)}'/>"
        f"<table>{rows}</table></body></html>"
    )
    out = io.BytesIO()
    assert not pisa.CreatePDF(html, dest=out).err
    # A trailing comment: bytes inside the signed range that no parser needs.
    return out.getvalue() + b"\n%" + MARKER + b"\n"


@pytest.fixture
def ca(tmp_path: Path) -> LocalCA:
    return LocalCA(tmp_path / "pki")


def _sign(pdf: bytes, store: LocalCA | FileKeyStore, admin: tuple[str, str] = NANJING) -> bytes:
    return sign_pdf(pdf, store.key_for(*admin), reason="电子证照签发", location="南京")


def test_signed_pdf_is_valid_intact_and_names_the_administration(
    ca: LocalCA, licence_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = _sign(licence_pdf, ca)
    assert signed.startswith(licence_pdf)  # an incremental update: the original bytes stay

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("verification tried to reach the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    report = verify_pdf(signed, ca.trust_roots())
    assert (report.signed, report.intact, report.valid) == (True, True, True), report.errors
    assert report.signer_name == "南京市卫生健康委员会"
    assert report.signer_id == "320100"
    assert report.reason == "电子证照签发"
    assert report.signed_at is not None
    assert b"/ETSI.CAdES.detached" in signed


def test_unsigned_pdf_reports_not_signed(ca: LocalCA, licence_pdf: bytes) -> None:
    report = verify_pdf(licence_pdf, ca.trust_roots())
    assert not report.signed and not report.valid
    assert report.errors == ["the document is not signed"]


@pytest.mark.parametrize("where", ["page content stream", "trailing comment"])
def test_flipping_one_signed_byte_breaks_integrity(
    ca: LocalCA, licence_pdf: bytes, where: str
) -> None:
    signed = bytearray(_sign(licence_pdf, ca))
    if where == "trailing comment":
        at = signed.index(MARKER) + 5
    else:
        at = signed.index(b"stream", signed.index(b"/Length")) + 40
    assert at < len(licence_pdf)  # inside the first ByteRange segment: the original file
    signed[at] ^= 0x01
    report = verify_pdf(bytes(signed), ca.trust_roots())
    assert report.signed
    assert not report.intact and not report.valid
    assert any("altered" in e for e in report.errors)


def test_update_appended_after_signing_is_not_valid(ca: LocalCA, licence_pdf: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(_sign(licence_pdf, ca)))
    writer.root["/Lang"] = generic.TextStringObject("zh-CN")  # any later change will do
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), ca.trust_roots())
    assert report.intact and not report.valid
    assert "the document was changed after it was signed" in report.errors


def test_key_from_another_ca_is_not_trusted(
    ca: LocalCA, tmp_path: Path, licence_pdf: bytes
) -> None:
    rogue = LocalCA(tmp_path / "rogue")  # same administration name, different root
    report = verify_pdf(_sign(licence_pdf, rogue), ca.trust_roots())
    assert report.intact and not report.valid
    assert report.signer_name == "南京市卫生健康委员会"  # a name anyone can put in a certificate
    assert any("not trusted" in e for e in report.errors)


def test_administrations_get_different_certificates(ca: LocalCA) -> None:
    nanjing, suzhou = ca.key_for(*NANJING), ca.key_for(*SUZHOU)
    assert nanjing.fingerprint != suzhou.fingerprint
    cert = suzhou.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SUZHOU[1]
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == SUZHOU[1]
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "CN"
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == SUZHOU[0]
    assert cert.issuer == ca.ca_cert.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign


def test_local_ca_reuses_keys_and_protects_them(tmp_path: Path) -> None:
    first = LocalCA(tmp_path / "pki").key_for(*NANJING)
    again = LocalCA(tmp_path / "pki")
    assert again.key_for(*NANJING).fingerprint == first.fingerprint
    for key_file in (again.ca_key_path, again.admins_dir / "320100.key.pem"):
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not list((tmp_path / "pki").rglob("*.tmp"))


def test_renamed_administration_keeps_its_key(ca: LocalCA) -> None:
    old = ca.key_for("320100", "南京市卫生局")
    new = ca.key_for(*NANJING)
    assert new.subject_name == NANJING[1] and new.fingerprint != old.fingerprint
    assert new.certificate.public_key() == old.certificate.public_key()


def _create_in_child(directory: str, barrier, results) -> None:  # noqa: ANN001
    barrier.wait()
    results.put(LocalCA(directory).key_for(*NANJING).fingerprint)


def test_concurrent_processes_create_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [
        ctx.Process(target=_create_in_child, args=(str(tmp_path / "pki"), barrier, results))
        for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    fingerprints = {results.get(timeout=30) for _ in procs}
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    assert len(fingerprints) == 1
    assert fingerprints == {LocalCA(tmp_path / "pki").key_for(*NANJING).fingerprint}


def _production_dir(ca: LocalCA, tmp_path: Path, passphrase: bytes) -> Path:
    """Copy one LocalCA key into a production layout, encrypted with ``passphrase``."""
    keys = tmp_path / "keys"
    keys.mkdir()
    material = ca.key_for(*NANJING)
    (keys / "320100.key.pem").write_bytes(material.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    ))
    (keys / "320100.cert.pem").write_bytes(
        material.certificate.public_bytes(serialization.Encoding.PEM)
    )
    return keys


def test_file_keystore_signs_with_encrypted_production_keys(
    ca: LocalCA, tmp_path: Path, licence_pdf: bytes
) -> None:
    keys = _production_dir(ca, tmp_path, b"s3cret")
    store = keystore_from_settings(
        "files", keys_dir=keys, chain_file=ca.ca_cert_path, passphrase="s3cret"
    )
    assert isinstance(store, FileKeyStore)
    report = verify_pdf(_sign(licence_pdf, store), store.trust_roots())
    assert report.valid, report.errors
    with pytest.raises(KeyStoreError, match="南京市卫生健康委员会"):
        FileKeyStore(keys, ca.ca_cert_path, "wrong").key_for(*NANJING)


def test_file_keystore_refuses_a_missing_key(ca: LocalCA, tmp_path: Path) -> None:
    store = FileKeyStore(_production_dir(ca, tmp_path, b"pw"), ca.ca_cert_path, b"pw")
    with pytest.raises(MissingKeyError, match=r"苏州市卫生健康委员会 \(320500\).*320500\.key\.pem"):
        store.key_for(*SUZHOU)
    assert not (tmp_path / "keys" / "320500.key.pem").exists()  # production never creates


def test_keystore_from_settings_checks_its_arguments(tmp_path: Path) -> None:
    assert isinstance(keystore_from_settings("local", directory=tmp_path / "pki"), LocalCA)
    with pytest.raises(ValueError, match="unknown signing mode"):
        keystore_from_settings("hsm")
    with pytest.raises(ValueError, match="chain file"):
        keystore_from_settings("files", keys_dir=tmp_path)
    with pytest.raises(KeyStoreError, match="invalid administration id"):
        LocalCA(tmp_path / "pki").key_for("../etc", "x")


def test_signing_cost_is_well_under_200_ms(ca: LocalCA, licence_pdf: bytes) -> None:
    material = ca.key_for(*NANJING)
    sign_pdf(licence_pdf, material, reason="r", location="l")  # loads the signer once
    times = []
    for _ in range(20):
        start = time.perf_counter()
        sign_pdf(licence_pdf, material, reason="r", location="l")
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.2


def _decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_png_qr_code_decodes_to_the_url() -> None:
    uri = qr_png_data_uri(VERIFY_URL, scale=4)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert _decode(image) == [VERIFY_URL]
    assert zxingcpp.read_barcodes(image)[0].ec_level == "M"


def test_svg_qr_code_decodes_to_the_url() -> None:
    svg = qr_svg(VERIFY_URL, title="扫码核验")
    assert svg.startswith("<svg") and "<?xml" not in svg
    drawing = svg2rlg(io.BytesIO(svg.encode()))
    page = pdfium.PdfDocument(renderPDF.drawToString(drawing))[0]
    assert _decode(page.render(scale=3).to_pil()) == [VERIFY_URL]


def test_verify_codes_are_unique_and_well_formed() -> None:
    codes = [new_verify_code() for _ in range(10_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == VERIFY_CODE_LENGTH and set(c) <= set(VERIFY_CODE_ALPHABET) for c in codes)
    assert len(VERIFY_CODE_ALPHABET) ** VERIFY_CODE_LENGTH >= 2**128
    assert not set("ilou") & set(VERIFY_CODE_ALPHABET)
    assert is_verify_code(codes[0]) and not is_verify_code(codes[0][:-1] + "i")
