"""PAdES signatures on PDF licences: sign with an administration's key, verify offline."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from service.signing.keys import KeyMaterial

log = logging.getLogger(__name__)

# Room for the CMS container, in hex digits (twice its size in bytes). Passing it lets pyHanko
# skip the dummy signature it otherwise makes to measure the container: half the signing cost.
_MIN_RESERVED = 4096
_signers: dict[str, signers.SimpleSigner] = {}
_signers_lock = threading.Lock()


@dataclass
class SignatureReport:
    """What verification found: ``valid`` means intact, trusted and nothing appended."""

    signed: bool = False
    intact: bool = False
    valid: bool = False
    signer_name: str | None = None
    signed_at: datetime | None = None
    reason: str | None = None
    errors: list[str] = field(default_factory=list)
    signer_id: str | None = None
    location: str | None = None


def _off_running_loop(fn):
    """pyHanko's synchronous calls run their own event loop (``asyncio.run``), which fails in a
    thread that already runs one (a test driving a browser, an async server): there the call
    goes to a worker thread of its own."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return fn(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(fn, *args, **kwargs).result()
    return call


@_off_running_loop
def sign_pdf(
    pdf_bytes: bytes,
    signer_key_material: KeyMaterial,
    *,
    reason: str,
    location: str,
    name: str | None = None,
) -> bytes:
    """A copy of ``pdf_bytes`` with an invisible PAdES B-B signature appended as an update."""
    signer = _signer(signer_key_material)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=_free_field_name(writer),
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name or signer_key_material.subject_name,
    )
    out = signers.sign_pdf(
        writer,
        meta,
        signer=signer,
        bytes_reserved=_reserve(signer_key_material),
    )
    return out.getvalue()


@_off_running_loop
def verify_pdf(
    pdf_bytes: bytes, trust_roots: Iterable[x509.Certificate | bytes]
) -> SignatureReport:
    """Check every signature of ``pdf_bytes`` against ``trust_roots``; report on the last one.

    Validation is offline: ``allow_fetching=False``, so no OCSP or CRL is ever requested (the
    service has no internet access, and a verification page must not hang on the network),
    and ``revocation_mode="soft-fail"``, so missing revocation data is no error ("hard-fail"
    would reject every certificate that names a CRL or OCSP URL). Trust rests on the chain to
    ``trust_roots`` alone: whether a licence is still in force is the register's answer,
    reached through the verify code, not the signature's.
    """
    roots = [_to_asn1_cert(root) for root in trust_roots]
    if not roots:
        raise ValueError("verify_pdf needs at least one trust root")
    report = SignatureReport()
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a readable PDF"
        report.errors.append(f"unreadable PDF: {exc}")
        return report
    if not embedded:
        report.errors.append("the document is not signed")
        return report
    report.signed = True
    statuses = []
    for sig in embedded:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        try:
            statuses.append((sig, validate_pdf_signature(sig, context)))
        except Exception as exc:  # noqa: BLE001 - a malformed signature is reported, not raised
            report.errors.append(f"signature {sig.field_name}: cannot be validated: {exc}")
    if len(statuses) < len(embedded):
        return report
    last, last_status = statuses[-1]
    report.intact = all(status.intact for _, status in statuses)
    for sig, status in statuses:
        report.errors.extend(f"signature {sig.field_name}: {e}" for e in _problems(status))
    if last_status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        report.errors.append("the document was changed after it was signed")
    report.valid = not report.errors
    cert = last_status.signing_cert
    report.signer_name = _attr(cert, "common_name")
    report.signer_id = _attr(cert, "serial_number")
    report.signed_at = last_status.signer_reported_dt
    report.reason = _text(last.sig_object.get("/Reason"))
    report.location = _text(last.sig_object.get("/Location"))
    return report


def clear_signer_cache() -> None:
    """Forget loaded signers (after a key rotation, or between tests)."""
    with _signers_lock:
        _signers.clear()


def _signer(material: KeyMaterial) -> signers.SimpleSigner:
    with _signers_lock:
        signer = _signers.get(material.fingerprint)
        if signer is None:
            key_der = material.private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            signer = signers.SimpleSigner(
                signing_cert=_to_asn1_cert(material.certificate),
                signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                cert_registry=SimpleCertificateStore.from_certs(
                    [_to_asn1_cert(c) for c in material.chain]
                ),
            )
            _signers[material.fingerprint] = signer
            log.info("signing key of %s loaded", material.admin_id)
    return signer


def _reserve(material: KeyMaterial) -> int:
    certs = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in material.chain)
    own = len(material.certificate.public_bytes(serialization.Encoding.DER))
    key_bytes = (material.private_key.key_size + 7) // 8
    return max(_MIN_RESERVED, 2 * (certs + own + 4 * key_bytes + 1024))


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    """``Signature1``, or the next free number when the document already has signature fields."""
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    n = 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _problems(status: PdfSignatureStatus) -> list[str]:
    if not status.intact:
        return ["the signed bytes were altered"]
    if not status.valid:
        return ["the signature value does not match the signer's key"]
    problems = []
    if status.revoked:
        problems.append("the signer's certificate is revoked")
    elif not status.trusted:
        indic = status.trust_problem_indic
        problems.append(f"the signer is not trusted ({indic.name if indic else 'no path'})")
    if not status.bottom_line and not problems:
        problems.append("the signature does not pass validation")
    return problems


def _to_asn1_cert(cert: x509.Certificate | bytes) -> asn1_x509.Certificate:
    if isinstance(cert, bytes):
        cert = (
            x509.load_pem_x509_certificate(cert)
            if cert.lstrip().startswith(b"-----")
            else x509.load_der_x509_certificate(cert)
        )
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _attr(cert: asn1_x509.Certificate, name: str) -> str | None:
    value = cert.subject.native.get(name)
    return str(value) if value else None


def _text(value: object) -> str | None:
    return str(value) if value is not None else None
