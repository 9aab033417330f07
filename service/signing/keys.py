"""Signing keys and certificates per issuing administration: an embedded CA or key files.

Nothing here reads the environment: the caller passes directories and the passphrase in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

ADMIN_ID_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,64}")
CA_NAME = "Yizheng demo licence CA (not for production)"
CA_DAYS = 20 * 365
SIGNER_DAYS = 10 * 365
_CLOCK_SKEW = dt.timedelta(minutes=5)


class KeyStoreError(RuntimeError):
    """Key material could not be loaded or created."""


class MissingKeyError(KeyStoreError):
    """An administration has no signing key in the key store."""


@dataclass(frozen=True, eq=False)
class KeyMaterial:
    """One administration's private key, its certificate and the issuers up to the root."""

    admin_id: str
    private_key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the signing certificate, hex: identifies this key pair."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def subject_name(self) -> str:
        """The certificate's common name (the administration's name)."""
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.admin_id


class KeyStore(ABC):
    """Where signing keys come from; each administration's key is loaded once per process."""

    def __init__(self) -> None:
        self._cache: dict[str, KeyMaterial] = {}
        self._lock = threading.Lock()

    def key_for(self, admin_id: str, name: str) -> KeyMaterial:
        """The key material of administration ``admin_id`` (``name`` is its Chinese name)."""
        if not ADMIN_ID_PATTERN.fullmatch(admin_id or ""):
            raise KeyStoreError(f"invalid administration id {admin_id!r} for {name}")
        with self._lock:
            material = self._cache.get(admin_id)
            if material is None or not self._current(material, name):
                material = self._cache[admin_id] = self._load(admin_id, name)
        return material

    def _current(self, material: KeyMaterial, name: str) -> bool:
        return True

    @abstractmethod
    def _load(self, admin_id: str, name: str) -> KeyMaterial: ...

    @abstractmethod
    def trust_roots(self) -> list[x509.Certificate]:
        """Certificates that verification treats as trust anchors."""


class LocalCA(KeyStore):
    """Embedded demo CA in ``directory``: a root, then one key per administration on first use.

    EC P-256 throughout: 128-bit security like RSA-3072, but keys are generated in
    microseconds (first use happens inside a request), signatures and certificates are
    small, and every current PDF reader verifies ECDSA.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        super().__init__()
        self.directory = Path(directory)
        self.admins_dir = self.directory / "admins"
        self.ca_key_path = self.directory / "ca.key.pem"
        self.ca_cert_path = self.directory / "ca.cert.pem"
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.admins_dir.mkdir(mode=0o700, exist_ok=True)
        if not self.ca_cert_path.exists():
            with _file_lock(self.directory / ".lock"):
                if not self.ca_cert_path.exists():
                    self._create_root()
        self.ca_key = _load_key(self.ca_key_path.read_bytes(), None, "the demo CA")
        self.ca_cert = x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())

    def trust_roots(self) -> list[x509.Certificate]:
        """The demo root certificate."""
        return [self.ca_cert]

    def _current(self, material: KeyMaterial, name: str) -> bool:
        return material.subject_name == _x500(name)  # renamed: a new certificate, the same key

    def _create_root(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(CA_NAME, "Yizheng demo")
        cert = _certificate(subject, key.public_key(), subject, key, ca=True, days=CA_DAYS)
        # Key first, certificate last: an existing certificate means the pair is complete.
        _write_atomic(self.ca_key_path, _key_pem(key), 0o600)
        _write_atomic(self.ca_cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)

    def _load(self, admin_id: str, name: str) -> KeyMaterial:
        key_path = self.admins_dir / f"{admin_id}.key.pem"
        cert_path = self.admins_dir / f"{admin_id}.cert.pem"
        material = self._read(admin_id, key_path, cert_path)
        if material is not None and self._current(material, name):
            return material
        with _file_lock(self.directory / ".lock"):
            material = self._read(admin_id, key_path, cert_path)
            if material is not None and self._current(material, name):
                return material  # another process created it meanwhile
            key = material.private_key if material else ec.generate_private_key(ec.SECP256R1())
            if material is None:
                _write_atomic(key_path, _key_pem(key), 0o600)
            days = min(SIGNER_DAYS, (self.ca_cert.not_valid_after_utc - _now()).days)
            subject = _name(name, name, serial_number=admin_id)
            cert = _certificate(subject, key.public_key(), self.ca_cert, self.ca_key, days=days)
            _write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        return KeyMaterial(admin_id, key, cert, (self.ca_cert,))

    def _read(self, admin_id: str, key_path: Path, cert_path: Path) -> KeyMaterial | None:
        if not cert_path.exists():
            return None
        key = _load_key(key_path.read_bytes(), None, admin_id)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        _check_pair(key, cert, admin_id)
        return KeyMaterial(admin_id, key, cert, (self.ca_cert,))


class FileKeyStore(KeyStore):
    """Production keys: ``<keys_dir>/<admin_id>.key.pem`` and ``.cert.pem``; never creates keys."""

    def __init__(
        self,
        keys_dir: str | os.PathLike[str],
        chain_file: str | os.PathLike[str],
        passphrase: str | bytes | None = None,
    ) -> None:
        super().__init__()
        self.keys_dir = Path(keys_dir)
        self.chain_file = Path(chain_file)
        self._passphrase = passphrase.encode() if isinstance(passphrase, str) else passphrase
        if not self.keys_dir.is_dir():
            raise KeyStoreError(f"signing keys directory {self.keys_dir} does not exist")
        try:
            self.chain = tuple(x509.load_pem_x509_certificates(self.chain_file.read_bytes()))
        except (OSError, ValueError) as exc:
            raise KeyStoreError(f"cannot read certificate chain {self.chain_file}: {exc}") from exc

    def trust_roots(self) -> list[x509.Certificate]:
        """Self-signed certificates of the chain file, or the whole chain when none is."""
        roots = [c for c in self.chain if c.issuer == c.subject]
        return roots or list(self.chain)

    def _load(self, admin_id: str, name: str) -> KeyMaterial:
        key_path = self.keys_dir / f"{admin_id}.key.pem"
        cert_path = self.keys_dir / f"{admin_id}.cert.pem"
        for path in (key_path, cert_path):
            if not path.is_file():
                raise MissingKeyError(
                    f"no signing key for administration {name} ({admin_id}): {path} is missing;"
                    " keys are never created in production mode, install the key and certificate"
                )
        key = _load_key(key_path.read_bytes(), self._passphrase, f"{name} ({admin_id})")
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        except ValueError as exc:
            raise KeyStoreError(f"bad certificate {cert_path} for {name}: {exc}") from exc
        _check_pair(key, cert, f"{name} ({admin_id})")
        if not any(c.subject == cert.issuer for c in self.chain):
            raise KeyStoreError(
                f"certificate of {name} ({admin_id}) is issued by {cert.issuer.rfc4514_string()},"
                f" which is not in {self.chain_file}"
            )
        if cert.not_valid_after_utc <= _now():
            expired = f"{cert.not_valid_after_utc:%Y-%m-%d}"
            raise KeyStoreError(f"certificate of {name} ({admin_id}) expired on {expired}")
        return KeyMaterial(admin_id, key, cert, self.chain)


def keystore_from_settings(
    mode: str,
    *,
    directory: str | os.PathLike[str] | None = None,
    keys_dir: str | os.PathLike[str] | None = None,
    chain_file: str | os.PathLike[str] | None = None,
    passphrase: str | bytes | None = None,
) -> KeyStore:
    """The key store for ``mode``: ``"local"`` (needs ``directory``) or ``"files"`` (needs
    ``keys_dir`` and ``chain_file``; ``passphrase`` decrypts the keys)."""
    if mode == "local" and directory:
        return LocalCA(directory)
    if mode == "files" and keys_dir and chain_file:
        return FileKeyStore(keys_dir, chain_file, passphrase)
    if mode in ("local", "files"):
        needs = "the CA directory" if mode == "local" else "the keys directory and the chain file"
        raise ValueError(f"signing mode {mode!r} needs {needs}")
    raise ValueError(f"unknown signing mode {mode!r}: expected 'local' or 'files'")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _x500(name: str) -> str:
    """``name`` cut to the 64 UTF-8 bytes allowed in CN and O (21 or more Chinese characters)."""
    return name.strip().encode()[:64].decode(errors="ignore") or "?"


def _name(common_name: str, organisation: str, serial_number: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, _x500(common_name)),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _x500(organisation)),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
    ]
    if serial_number:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attrs)


def _certificate(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    issuer: x509.Name | x509.Certificate,
    issuer_key: SigningKey,
    *,
    days: int,
    ca: bool = False,
) -> x509.Certificate:
    """A root (``ca=True``, self-issued) or a signer certificate issued by ``issuer``."""
    now = _now()
    no = dict.fromkeys(("key_encipherment", "data_encipherment", "key_agreement"), False)
    usage = x509.KeyUsage(
        digital_signature=not ca, content_commitment=not ca,  # nonRepudiation
        key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False, **no,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if isinstance(issuer, x509.Certificate) else issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if isinstance(issuer, x509.Certificate):
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
        builder = builder.add_extension(aki, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _key_pem(key: SigningKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(data: bytes, passphrase: bytes | None, who: str) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (TypeError, ValueError) as exc:
        raise KeyStoreError(f"cannot load the signing key of {who}: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise KeyStoreError(f"signing key of {who} is neither EC nor RSA")
    return key


def _check_pair(key: SigningKey, cert: x509.Certificate, who: str) -> None:
    if key.public_key() != cert.public_key():
        raise KeyStoreError(f"signing key and certificate of {who} do not match")


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as out:
            os.fchmod(out.fileno(), mode)  # the umask may have narrowed the mode: set it exactly
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)  # readers see the old file or the whole new one, never a part
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
