"""SMS text rules: GSM-7 or UCS-2, segment counts, and plain text without Vietnamese diacritics."""

from __future__ import annotations

import unicodedata

# GSM 03.38 basic character set, and its extension table (each extension char costs 2 septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D"})


def is_gsm7(text: str) -> bool:
    """Whether every character fits the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _ucs2_units(text: str) -> int:
    """UTF-16 code units: characters outside the BMP (emoji) take two."""
    return len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    """How many SMS segments the text takes: 160/153 GSM-7 septets or 70/67 UCS-2 units."""
    if is_gsm7(text):
        length = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi = GSM7_SINGLE, GSM7_MULTI
    else:
        length = _ucs2_units(text)
        single, multi = UCS2_SINGLE, UCS2_MULTI
    if length <= single:
        return 1
    return -(-length // multi)


def strip_diacritics(text: str) -> str:
    """Vietnamese (and other Latin) text without its diacritics: "Điều hòa" -> "Dieu hoa"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)
