"""Electronic licences (电子证照): PAdES signatures, key material and verification QR codes.

A shared service low in the layering: it imports no other ``service.*`` package, reads no
environment and no database; callers hand it paths, bytes and the administration's id and name.

Why PAdES: the signature lives inside the PDF (ISO 32000 + ETSI EN 319 142, SubFilter
``ETSI.CAdES.detached``), so any PDF reader shows who signed and whether a byte changed
since, without our service; it is appended as an incremental update, so the printed licence
is byte-for-byte what was rendered.

Why one key per issuing administration: a licence is issued by an administration, not by the
software. Its certificate names the administration (CN and O, serialNumber = its id), so
the reader's signature panel says "南京市卫生健康委员会", and one compromised or retired key
concerns one administration only.

The embedded CA (``LocalCA``) exists so development, demos and tests sign for real without
any setup: it creates a root and issues each administration's certificate on first use. It
is not a trust service: nobody outside trusts its root, its keys sit unencrypted (mode 0600)
on the application host, and it publishes no revocation data. Production uses
``FileKeyStore`` with keys and certificates issued by a recognised CA, and never creates keys.

The QR code on a licence carries a URL with an unguessable code (``new_verify_code``): a
holder of the paper copy can reach the register's entry, which says whether the licence is
still in force, a thing no signature made at issuance can say.
"""

from service.signing.keys import (
    FileKeyStore,
    KeyMaterial,
    KeyStore,
    KeyStoreError,
    LocalCA,
    MissingKeyError,
    keystore_from_settings,
)
from service.signing.pades import SignatureReport, clear_signer_cache, sign_pdf, verify_pdf
from service.signing.qr import (
    VERIFY_CODE_ALPHABET,
    VERIFY_CODE_LENGTH,
    is_verify_code,
    new_verify_code,
    qr_png_data_uri,
    qr_svg,
)

__all__ = [
    "VERIFY_CODE_ALPHABET",
    "VERIFY_CODE_LENGTH",
    "FileKeyStore",
    "KeyMaterial",
    "KeyStore",
    "KeyStoreError",
    "LocalCA",
    "MissingKeyError",
    "SignatureReport",
    "clear_signer_cache",
    "is_verify_code",
    "keystore_from_settings",
    "new_verify_code",
    "qr_png_data_uri",
    "qr_svg",
    "sign_pdf",
    "verify_pdf",
]
