"""SMS text rules: GSM-7 or UCS-2, segment counts, and plain text in Latin letters.

Plain text removes Vietnamese diacritics and transliterates Bulgarian Cyrillic by the official
system (the Streamlined System of the Law on Transliteration, 2009), so that it fits GSM-7.
"""
# The transliteration table is Cyrillic on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import re
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

#: The Law on Transliteration's table, lower case ("ѝ" is "и" with a grave accent).
BULGARIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "ѝ": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
}  # fmt: skip
#: The law's one exception: the name of the state keeps its established form.
_BULGARIA = re.compile(r"(?<!\w)българия(?!\w)", re.IGNORECASE)


def is_gsm7(text: str) -> bool:
    """Whether every character fits the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def segment_count(text: str) -> int:
    """How many SMS segments the text takes: 160/153 GSM-7 septets or 70/67 UCS-2 units.

    The parts of a long message hold whole characters (3GPP TS 23.040 9.2.3.24): an extension
    character (ESC and its code) or an emoji (a UTF-16 surrogate pair) never straddles two
    parts, so a part may end a unit short and the text may need one part more than its length
    divided by 153 or 67.
    """
    if is_gsm7(text):
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, multi = GSM7_SINGLE, GSM7_MULTI
    else:
        sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, multi = UCS2_SINGLE, UCS2_MULTI
    if sum(sizes) <= single:
        return 1
    parts, room = 1, multi
    for size in sizes:
        if size > room:
            parts, room = parts + 1, multi
        room -= size
    return parts


def strip_diacritics(text: str) -> str:
    """Vietnamese (and other Latin) text without its diacritics: "Điều hòa" -> "Dieu hoa"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def _in_capitals(text: str, index: int) -> bool:
    """Whether the capital at `index` stands in a word in capitals ("ЩЕ") rather than a name.

    The next letter decides; the last letter of a word asks the one before it.
    """
    after = text[index + 1] if index + 1 < len(text) else ""
    if after.isalpha():
        return after.isupper()
    before = text[index - 1] if index > 0 else ""
    return before.isalpha() and before.isupper()


def _ends_word(text: str, index: int) -> bool:
    return index >= len(text) or not text[index].isalpha()


def _bulgarian_letter(text: str, index: int) -> str:
    """One letter in Latin: "ия" ends a word as "ia"; capitals as the word is written."""
    char = text[index]
    lower = char.lower()
    latin = BULGARIAN[lower]
    if (
        lower == "я"
        and index > 0
        and text[index - 1].lower() == "и"
        and _ends_word(text, index + 1)
    ):
        latin = "a"
    if char == lower:
        return latin
    return latin.upper() if _in_capitals(text, index) else latin.capitalize()


def _keep_case(source: str, latin: str) -> str:
    if source.isupper():
        return latin.upper()
    return latin.capitalize() if source[0].isupper() else latin


def transliterate_bulgarian(text: str) -> str:
    """Bulgarian Cyrillic in Latin letters, the official way: "Здравей" -> "Zdravey".

    Other text is left as it is.
    """
    text = _BULGARIA.sub(lambda match: _keep_case(match.group(), "bulgaria"), text)
    return "".join(
        _bulgarian_letter(text, index) if char.lower() in BULGARIAN else char
        for index, char in enumerate(text)
    )


def plain_text(text: str) -> str:
    """The text in plain Latin letters for a GSM-7 SMS: Bulgarian transliterated, no diacritics.

    Bulgarian goes first: decomposition would turn its "й" into "и" plus a breve.
    """
    return strip_diacritics(transliterate_bulgarian(unicodedata.normalize("NFC", text)))
