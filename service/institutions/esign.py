"""E-licences (电子证照): the licence PDF signed (PAdES) with the issuing administration's key,
from the key store the settings name (a local CA in the embedded default, key files in
production; see docs/signing.md)."""
from __future__ import annotations

import functools

from flask import current_app

from service.registry.reference import Administration
from service.signing import KeyStore, keystore_from_settings, sign_pdf

SIGN_REASON = "电子证照签发"


@functools.cache
def _store(mode: str, directory: str | None, keys_dir: str | None, chain_file: str | None,
           passphrase: str | None) -> KeyStore:
    return keystore_from_settings(mode, directory=directory, keys_dir=keys_dir,
                                  chain_file=chain_file, passphrase=passphrase)


def keystore() -> KeyStore:
    c = current_app.config
    return _store(c.get("SIGNING_MODE", "local"), c.get("SIGNING_CA_DIR"), c.get("SIGNING_KEYS_DIR"),
                  c.get("SIGNING_CHAIN_FILE"), c.get("SIGNING_KEY_PASSPHRASE"))


def sign_licence(pdf: bytes, issuer: Administration) -> bytes:
    """The issuer's signature, keyed by its division code (stable across databases)."""
    key = keystore().key_for(issuer.division_code, issuer.name)
    return sign_pdf(pdf, key, reason=SIGN_REASON, location=issuer.name)
