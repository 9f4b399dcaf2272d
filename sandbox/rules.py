"""The rules the imitated gateways apply to texts and times, written from their sources.

The sandbox checks the client, so it must not borrow the client's code: this module is written
again from the documents, in its own shape (tests/sandbox/test_independence.py keeps it so).
Where a document can be read two ways, the sandbox takes the reading that refuses more, so that
a client that passes against the sandbox also passes against the gateway.

Sources, rule by rule:
- GSM 7-bit default alphabet (`GSM7_DEFAULT`) and its extension table (`GSM7_EXTENSION`, each
  character sent as ESC + code: two septets): 3GPP TS 23.038 section 6.2.1 and 6.2.1.1.
- Part sizes: a short message carries 140 octets of user data (3GPP TS 23.040 section 9.2.3.24),
  160 septets or 70 UCS-2 units; a concatenated part gives 6 octets of them to its User Data
  Header (section 9.2.3.24.1), leaving 153 septets or 67 units.
- Parts hold whole characters: an escape sequence is not split from its character, nor a UTF-16
  surrogate pair from its partner, or a part would not decode on its own (TS 23.040 9.2.3.24.8:
  "a UCS2 character must not be split in the middle"; Android's SMS fragmenter and Twilio's
  segment calculator cut texts this way too).
- UCS-2 units are UTF-16 code units: a character beyond U+FFFF is a surrogate pair (RFC 2781
  section 2.1), so an emoji counts two.
- Vietnamese letters without their marks (`fold`): the Vietnamese alphabet's twelve vowels
  (a ă â e ê i o ô ơ u ư y), each with its five tone marks (huyền, sắc, hỏi, ngã, nặng), and
  đ/Đ, which become their bare Latin letters: the "không dấu" text of Fibo's serviceType 0
  (seed 001) and the spelling FPT's keyword filter must see through (seed 004, code 6).
- FPT's advertising hours: seed 004 section 3.4.1 (`ADS_SENDING_WINDOWS`, `ORDER_HOURS`,
  `ORDER_DAYS`, `APPROVAL_HOURS`); Vietnam time is UTC+7 all year (no daylight saving); the
  ScheduleTime format "yyyy-mm-dd HH:ii" is section 3.4.3's.

The sandbox's reading where seed 004 is silent (strict, see above): a window's end is not part
of it (sending at 11:30 or 20:00 is blocked; an order at 16:30 waits for the next working day),
approval takes the longer of "2-3h" and runs only while orders are taken, and public holidays
are not known (a holiday counts as a working day).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
import re
from typing import Final, Literal
import unicodedata

# --- GSM 7-bit and UCS-2 (3GPP TS 23.038, TS 23.040) ----------------------------------------------

ESC: Final = 0x1B
#: TS 23.038 6.2.1, the default alphabet by code, 16 to a line (0x00-0x0F first). 0x1B is the
#: escape to the extension table, no character of its own; "\n" is LF (0x0A), "\r" CR (0x0D).
_DEFAULT_BY_CODE: Final = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\N{GREEK CAPITAL LETTER DELTA}_\N{GREEK CAPITAL LETTER PHI}"
    "\N{GREEK CAPITAL LETTER GAMMA}\N{GREEK CAPITAL LETTER LAMDA}"
    "\N{GREEK CAPITAL LETTER OMEGA}\N{GREEK CAPITAL LETTER PI}\N{GREEK CAPITAL LETTER PSI}"
    "\N{GREEK CAPITAL LETTER SIGMA}\N{GREEK CAPITAL LETTER THETA}"
    "\N{GREEK CAPITAL LETTER XI}\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
#: Character -> its code in the default alphabet.
GSM7_DEFAULT: Final[dict[str, int]] = {
    char: code for code, char in enumerate(_DEFAULT_BY_CODE) if code != ESC
}
#: TS 23.038 6.2.1.1: character -> its code in the extension table, sent after ESC.
GSM7_EXTENSION: Final[dict[str, int]] = {
    "\f": 0x0A,  # page break
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}

Alphabet = Literal["GSM-7", "UCS-2"]
#: Units (septets, UTF-16 code units) in a message sent alone, and in each concatenated part.
ALONE: Final[dict[Alphabet, int]] = {"GSM-7": 160, "UCS-2": 70}
PER_PART: Final[dict[Alphabet, int]] = {"GSM-7": 153, "UCS-2": 67}


def gsm7_septets(char: str) -> tuple[int, ...] | None:
    """The septets that send `char` in GSM-7 (ESC + code from the extension), None if none do."""
    if char in GSM7_DEFAULT:
        return (GSM7_DEFAULT[char],)
    if char in GSM7_EXTENSION:
        return (ESC, GSM7_EXTENSION[char])
    return None


def utf16_units(char: str) -> tuple[int, ...]:
    """The UTF-16 code units of one character: a surrogate pair above U+FFFF (RFC 2781 2.1)."""
    code = ord(char)
    if code <= 0xFFFF:
        return (code,)
    offset = code - 0x10000
    return (0xD800 | (offset >> 10), 0xDC00 | (offset & 0x3FF))


@dataclass(frozen=True)
class Encoded:
    """A text as a gateway sends it: its alphabet and each character's code units."""

    text: str
    alphabet: Alphabet
    units: tuple[tuple[int, ...], ...]

    @property
    def length(self) -> int:
        """Septets (GSM-7) or UTF-16 code units (UCS-2) in the whole text."""
        return sum(len(char) for char in self.units)

    def parts(self) -> list[str]:
        """The text cut into the parts that go out, each holding whole characters."""
        if self.length <= ALONE[self.alphabet]:
            return [self.text]
        room = PER_PART[self.alphabet]
        parts: list[str] = []
        start, used = 0, 0
        for index, char in enumerate(self.units):
            if used + len(char) > room:
                parts.append(self.text[start:index])
                start, used = index, 0
            used += len(char)
        parts.append(self.text[start:])
        return parts


def encode(text: str) -> Encoded:
    """GSM-7 when every character has septets, else UCS-2 (TS 23.038 section 4, DCS)."""
    septets = [gsm7_septets(char) for char in text]
    if all(units is not None for units in septets):
        return Encoded(text, "GSM-7", tuple(units for units in septets if units is not None))
    return Encoded(text, "UCS-2", tuple(utf16_units(char) for char in text))


def segments(text: str) -> int:
    """How many SMS the text goes out as (and is charged as)."""
    return len(encode(text).parts())


# --- Vietnamese without its marks -----------------------------------------------------------------

#: Each bare Latin letter and the Vietnamese letters written on it: a vowel, then the vowel with
#: huyền, sắc, hỏi, ngã, nặng (grave, acute, hook above, tilde, dot below); then the next vowel.
_VIETNAMESE_ON: Final = {
    "a": "aàáảãạ" "ăằắẳẵặ" "âầấẩẫậ",
    "e": "eèéẻẽẹ" "êềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọ" "ôồốổỗộ" "ơờớởỡợ",
    "u": "uùúủũụ" "ưừứửữự",
    "y": "yỳýỷỹỵ",
    "d": "đ",
}  # fmt: skip
#: Every Vietnamese letter with a mark, lower and upper case -> its bare letter.
VIETNAMESE_BARE: Final[dict[str, str]] = {
    marked_case: bare_case
    for bare, letters in _VIETNAMESE_ON.items()
    for marked in letters
    if marked != bare
    for marked_case, bare_case in ((marked, bare), (marked.upper(), bare.upper()))
}
_TO_BARE: Final = str.maketrans(VIETNAMESE_BARE)


def without_marks(text: str) -> str:
    """Vietnamese written without its marks: "Điều hòa" -> "Dieu hoa" (other text kept).

    Composed first, so text typed as letter + combining mark folds the same way.
    """
    return unicodedata.normalize("NFC", text).translate(_TO_BARE)


def fold(text: str) -> str:
    """Lower case without Vietnamese marks: how a keyword filter compares texts."""
    return without_marks(text).lower()


# --- FPT's advertising hours (seed 004 section 3.4.1) ---------------------------------------------

#: Vietnam time: UTC+7 all year.
VIETNAM: Final = timezone(timedelta(hours=7), "ICT")
#: "Buổi sáng 08h00 - 11h30, buổi chiều 13h30 - 20h00: được phép gửi tin QC", every day of the
#: week (Monday to Sunday); outside them advertising SMS are blocked. [start, end).
ADS_SENDING_WINDOWS: Final = ((time(8, 0), time(11, 30)), (time(13, 30), time(20, 0)))
#: "Thời gian tiếp nhận đơn hàng của nhà mạng: từ 08h30 đến 16h30": [start, end) ...
ORDER_HOURS: Final = (time(8, 30), time(16, 30))
#: ... "các ngày làm việc trong tuần (từ thứ 2 - tới thứ 6)": Monday to Friday (date.weekday()).
ORDER_DAYS: Final = frozenset({0, 1, 2, 3, 4})
#: "Thời gian duyệt tin nhắn QC: 2-3h".
APPROVAL_HOURS: Final = (timedelta(hours=2), timedelta(hours=3))
#: ScheduleTime "yyyy-mm-dd HH:ii" (section 3.4.3): zero-padded, minutes, no zone.
SCHEDULE_TIME: Final = "%Y-%m-%d %H:%M"
_SCHEDULE_SHAPE: Final = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def in_vietnam(when: datetime) -> datetime:
    """`when` on Vietnam's clock; a time without a zone is read as Vietnam time already."""
    return when.replace(tzinfo=VIETNAM) if when.tzinfo is None else when.astimezone(VIETNAM)


def read_schedule_time(value: object) -> datetime | None:
    """A ScheduleTime as a Vietnam-time moment; None unless it is exactly "yyyy-mm-dd HH:ii"."""
    if not isinstance(value, str) or not _SCHEDULE_SHAPE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, SCHEDULE_TIME).replace(tzinfo=VIETNAM)
    except ValueError:  # a month 13, a 25th hour
        return None


def schedule_time(when: datetime) -> str:
    """`when` written as FPT writes a ScheduleTime / SendingTime."""
    return in_vietnam(when).strftime(SCHEDULE_TIME)


def ads_may_go_out(when: datetime) -> bool:
    """Whether an advertising SMS going out at `when` passes the carriers (any day)."""
    clock = in_vietnam(when).timetz().replace(tzinfo=None)
    return any(start <= clock < end for start, end in ADS_SENDING_WINDOWS)


def _order_hours_from(day: date) -> Iterator[tuple[datetime, datetime]]:
    """Each working day's order-taking hours, from `day` on."""
    while True:
        if day.weekday() in ORDER_DAYS:
            yield (
                datetime.combine(day, ORDER_HOURS[0], VIETNAM),
                datetime.combine(day, ORDER_HOURS[1], VIETNAM),
            )
        day += timedelta(days=1)


def takes_orders(when: datetime) -> bool:
    """Whether the carriers take an advertising order at `when`."""
    moment = in_vietnam(when)
    opens, closes = next(_order_hours_from(moment.date()))
    return opens <= moment < closes


def approved_at(ordered: datetime, approval: timedelta = APPROVAL_HOURS[1]) -> datetime:
    """When an order placed at `ordered` is approved: `approval` of order-taking time later."""
    if approval < timedelta(0):
        raise ValueError("an approval cannot take negative time")
    moment, left = in_vietnam(ordered), approval
    for opens, closes in _order_hours_from(moment.date()):
        begin = max(moment, opens)
        if begin >= closes:
            continue
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    raise AssertionError("unreachable: working days never end")  # pragma: no cover
