"""QR codes pointing at a licence's public verification page, and the codes in their URLs."""

from __future__ import annotations

import functools
import secrets

import segno

# Crockford's base32 in lower case: no i, l, o or u, so a code read aloud or typed from
# paper cannot be mistaken; 32 symbols give exactly 5 bits each.
VERIFY_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
VERIFY_CODE_LENGTH = 26  # 26 x 5 = 130 bits from `secrets`
QUIET_ZONE = 4  # modules of white border, the minimum ISO/IEC 18004 asks for


def _qr(url: str) -> segno.QRCode:
    # Level M (15% of the symbol may be damaged) and no silent boost, so sizes are predictable.
    return segno.make_qr(url, error="m", boost_error=False)


def qr_svg(url: str, scale: int = 4, title: str | None = None) -> str:
    """Inline ``<svg>`` for HTML pages (no XML declaration), black on a transparent ground."""
    return _qr(url).svg_inline(scale=scale, border=QUIET_ZONE, title=title, svgclass="qr-code")


@functools.lru_cache(maxsize=1024)
def qr_png_data_uri(url: str, scale: int = 4) -> str:
    """``data:image/png;base64,...`` for xhtml2pdf's ``<img src>``, which cannot draw SVG.
    Kept for the latest licences: a licence is printed again and again (正本, 副本, reprints)
    and its code never changes, so its symbol is encoded once."""
    return _qr(url).png_data_uri(scale=scale, border=QUIET_ZONE)


def new_verify_code() -> str:
    """A fresh public verification code: 26 characters, 130 random bits, URL-safe."""
    return "".join(secrets.choice(VERIFY_CODE_ALPHABET) for _ in range(VERIFY_CODE_LENGTH))


def is_verify_code(value: str) -> bool:
    """Whether ``value`` has the shape of a verification code (checks no register)."""
    return len(value) == VERIFY_CODE_LENGTH and all(c in VERIFY_CODE_ALPHABET for c in value)
