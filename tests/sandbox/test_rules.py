"""The sandbox's own rules, checked against their sources (3GPP TS 23.038/23.040, seed 004)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
import unicodedata

import pytest

from sandbox.rules import (
    ESC,
    GSM7_DEFAULT,
    GSM7_EXTENSION,
    VIETNAM,
    VIETNAMESE_BARE,
    ads_may_go_out,
    approved_at,
    encode,
    fold,
    in_vietnam,
    read_schedule_time,
    schedule_time,
    segments,
    takes_orders,
    utf16_units,
    without_marks,
)

# --- GSM-7 tables (TS 23.038 6.2.1, 6.2.1.1) ------------------------------------------------------


def test_default_alphabet_has_its_128_codes() -> None:
    """127 characters on codes 0x00-0x7F, all but ESC (0x1B), each on one code."""
    assert len(GSM7_DEFAULT) == 127
    assert sorted(GSM7_DEFAULT.values()) == [code for code in range(128) if code != ESC]


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("@", 0x00),
        ("£", 0x01),
        ("$", 0x02),
        ("Ç", 0x09),
        ("\n", 0x0A),
        ("\r", 0x0D),
        ("å", 0x0F),
        ("\N{GREEK CAPITAL LETTER DELTA}", 0x10),
        ("_", 0x11),
        ("\N{GREEK CAPITAL LETTER XI}", 0x1A),
        ("É", 0x1F),
        (" ", 0x20),
        ("¤", 0x24),
        ("0", 0x30),
        ("?", 0x3F),
        ("¡", 0x40),
        ("A", 0x41),
        ("§", 0x5F),
        ("¿", 0x60),
        ("a", 0x61),
        ("à", 0x7F),
    ],
)
def test_default_alphabet_codes(char: str, code: int) -> None:
    """Spot checks against the table of TS 23.038 6.2.1."""
    assert GSM7_DEFAULT[char] == code


def test_extension_table() -> None:
    """TS 23.038 6.2.1.1: the ten characters reached through ESC, none in the default table."""
    assert GSM7_EXTENSION == {
        "\f": 0x0A,
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
    assert not set(GSM7_EXTENSION) & set(GSM7_DEFAULT)


@pytest.mark.parametrize("char", ["`", "ç", "ả", "đ", "°", "\N{CYRILLIC SMALL LETTER ZHE}", "😀"])
def test_characters_outside_gsm7_make_the_text_ucs2(char: str) -> None:
    """One character GSM-7 lacks (even ASCII's backtick) sends the whole text as UCS-2."""
    assert encode(f"Hello {char}").alphabet == "UCS-2"


# --- segment counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "count"),
    [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_160_alone_153_per_part(length: int, count: int) -> None:
    """160 septets go alone; beyond, parts of 153 (7 septets go to the concatenation header)."""
    text = "a" * length
    assert encode(text).alphabet == "GSM-7"
    assert segments(text) == count


def test_gsm7_parts_are_153_long() -> None:
    """The parts of a 400-character text: 153, 153, 94."""
    assert [len(part) for part in encode("x" * 400).parts()] == [153, 153, 94]


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_extension_characters_count_two(char: str) -> None:
    """Each extension character is ESC + its code: 80 of them fill one SMS, one more makes two."""
    assert encode(char).length == 2
    assert segments(char * 80) == 1
    assert segments(char * 80 + "a") == 2
    assert segments("a" * 159 + char) == 2


def test_an_escape_is_not_split_from_its_character() -> None:
    """306 septets fit two parts of 153 arithmetically, but € would straddle them: three parts."""
    text = "a" * 152 + "€" + "a" * 152
    encoded = encode(text)
    assert encoded.length == 306
    assert encoded.parts() == ["a" * 152, "€" + "a" * 151, "a"]
    assert segments(text) == 3
    assert segments("a" * 151 + "€" + "a" * 153) == 2  # € ends the first part: no straddle


def test_seed_004_quota_example() -> None:
    """Seed 004 (Quota): "a message of 200 characters (equal to 2 SMS)"."""
    assert segments("Mung sinh nhat shopee, khuyen mai len den 70% gia tri don hang. " * 4) == 2
    assert segments("x" * 200) == 2


@pytest.mark.parametrize(
    ("length", "count"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_70_alone_67_per_part(length: int, count: int) -> None:
    """UCS-2: 70 units alone, parts of 67 (6 octets of header = 3 units)."""
    text = "ả" * length
    assert encode(text).alphabet == "UCS-2"
    assert segments(text) == count


def test_vietnamese_text() -> None:
    """A Vietnamese alert (marks, đ, °) is UCS-2, one unit a letter."""
    text = "Cảnh báo: tủ đông số 2 đã lên -5°C, kiểm tra ngay!"
    encoded = encode(text)
    assert (encoded.alphabet, encoded.length, segments(text)) == ("UCS-2", len(text), 1)
    assert segments(text * 2) == 2  # 100 units
    assert segments(without_marks(text).replace("°", " ") * 3) == 1  # GSM-7 once plain: 150


def test_emoji_count_two_utf16_units() -> None:
    """A character beyond U+FFFF is a surrogate pair: two units, as RFC 2781 encodes it."""
    assert utf16_units("😀") == (0xD83D, 0xDE00)
    assert utf16_units("€") == (0x20AC,)
    for char in ("😀", "𝄞", "🇻", "\U0010ffff"):
        high, low = utf16_units(char)
        assert bytes.fromhex(f"{high:04x}{low:04x}") == char.encode("utf-16-be")
    assert encode("😀").length == 2
    assert segments("😀" * 35) == 1  # 70 units
    assert segments("😀" * 35 + "a") == 2  # 71 units
    assert segments("Nhà có khách 🚪🔔") == 1


def test_a_surrogate_pair_is_not_split() -> None:
    """134 units would fit two parts of 67, but the pair would straddle them: three parts."""
    text = "ả" * 66 + "😀" + "ả" * 66
    assert encode(text).length == 134
    assert [len(part) for part in encode(text).parts()] == [66, 66, 1]
    assert segments(text) == 3


# --- Vietnamese without marks ---------------------------------------------------------------------


def test_vietnamese_table_is_the_alphabet() -> None:
    """12 vowels x 5 tones, ă â ê ô ơ ư bare, and đ: 67 letters, in both cases."""
    assert len(VIETNAMESE_BARE) == 2 * 67
    for marked, bare in VIETNAMESE_BARE.items():
        case = "CAPITAL" if marked.isupper() else "SMALL"
        # Unicode's own name says which letter each one is written on: the table has no typo.
        assert unicodedata.name(marked).startswith(f"LATIN {case} LETTER {bare.upper()} WITH ")
        assert bare.isascii()


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("Điều hòa", "Dieu hoa"),
        ("đ Đ", "d D"),
        ("Tiếng Việt có dấu", "Tieng Viet co dau"),
        ("Cường độ ưởng Ỷ", "Cuong do uong Y"),
        ("NGƯỜI ĐẸP", "NGUOI DEP"),
        ("Здравей, Sofia", "Здравей, Sofia"),  # other scripts are left alone
    ],
)
def test_without_marks(text: str, bare: str) -> None:
    """The marks go, đ/Đ become d/D; the letters stay in their case."""
    assert without_marks(text) == bare
    assert without_marks(unicodedata.normalize("NFD", text)) == bare  # typed decomposed


def test_a_whole_text_becomes_ascii() -> None:
    """A long Vietnamese text with every tone: plain ASCII afterwards."""
    text = (
        "Bảo vệ tòa nhà: cửa kho số 3 đã mở lúc 22 giờ. Nhiệt độ phòng máy vượt ngưỡng, "
        "hãy kiểm tra điều hòa và quạt. Trân trọng, Ban quản lý Ỷ Ỹ Ỵ Ử Ữ Ự."
    )
    assert without_marks(text).isascii()


def test_fold() -> None:
    """Lower case without marks: how FPT's keyword filter compares."""
    assert fold("Sòng bạc CASINO") == "song bac casino"


# --- FPT's advertising hours (seed 004 3.4.1) -----------------------------------------------------

MONDAY = datetime(2026, 11, 23, tzinfo=VIETNAM)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Vietnam-time moment `day` days after Monday 2026-11-23."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def test_vietnam_is_utc_plus_7_all_year() -> None:
    """No daylight saving: +07:00 in January and in July."""
    for month in (1, 7):
        assert datetime(2026, month, 1, tzinfo=VIETNAM).utcoffset() == timedelta(hours=7)
    assert in_vietnam(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == at(0, 9)
    assert in_vietnam(datetime(2026, 11, 23, 9, 0)) == at(0, 9)  # naive: Vietnam time


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        (time(7, 59, 59), False),
        (time(8, 0), True),
        (time(11, 29), True),
        (time(11, 29, 59), True),
        (time(11, 30), False),
        (time(12, 30), False),
        (time(13, 29), False),
        (time(13, 30), True),
        (time(19, 59), True),
        (time(20, 0), False),
        (time(20, 1), False),
        (time(0, 0), False),
    ],
)
@pytest.mark.parametrize("day", range(7))
def test_sending_windows(when: time, allowed: bool, day: int) -> None:
    """08:00-11:30 and 13:30-20:00, Monday to Sunday alike; ends are outside (strict)."""
    moment = at(day, when.hour, when.minute, when.second)
    assert ads_may_go_out(moment) is allowed


def test_sending_windows_read_vietnam_time() -> None:
    """09:00 in Vietnam is 02:00 UTC: allowed; 09:00 UTC is 16:00 in Vietnam: allowed too."""
    assert ads_may_go_out(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    assert not ads_may_go_out(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # 20:00 in Vietnam


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (at(0, 8, 29), False),
        (at(0, 8, 29, 59), False),
        (at(0, 8, 30), True),
        (at(0, 12, 0), True),
        (at(0, 16, 29, 59), True),
        (at(0, 16, 30), False),  # "đến 16h30": the end is outside (strict)
        (at(0, 16, 31), False),
        (at(4, 16, 29), True),  # Friday
        (at(5, 10, 0), False),  # Saturday
        (at(6, 10, 0), False),  # Sunday
    ],
)
def test_order_hours(when: datetime, open_: bool) -> None:
    """Orders 08:30-16:30, Monday to Friday."""
    assert takes_orders(when) is open_


@pytest.mark.parametrize(
    ("ordered", "approval", "approved"),
    [
        (at(0, 9), timedelta(hours=3), at(0, 12)),
        (at(0, 9), timedelta(hours=2), at(0, 11)),  # the short end of "2-3h"
        (at(0, 13, 30), timedelta(hours=3), at(0, 16, 30)),  # ends exactly at closing
        (at(0, 15), timedelta(hours=3), at(1, 10)),  # 1.5 h today, 1.5 h tomorrow
        (at(0, 7), timedelta(hours=3), at(0, 11, 30)),  # counted from 08:30
        (at(0, 17), timedelta(hours=3), at(1, 11, 30)),
        (at(4, 16), timedelta(hours=3), at(7, 11)),  # Friday -> Monday
        (at(5, 10), timedelta(hours=3), at(7, 11, 30)),  # Saturday -> Monday
        (at(0, 17), timedelta(0), at(1, 8, 30)),  # no time to take, still an opening to wait for
        (at(0, 9), timedelta(hours=16), at(2, 9)),  # 7.5 h + 7.5 h + 1 h
    ],
)
def test_approval_takes_order_hours(
    ordered: datetime, approval: timedelta, approved: datetime
) -> None:
    """Approval runs only while orders are taken; the default is the long end, 3 hours."""
    assert approved_at(ordered, approval) == approved
    if approval == timedelta(hours=3):
        assert approved_at(ordered) == approved


def test_approval_reads_vietnam_time() -> None:
    """An order at 02:00 UTC is 09:00 in Vietnam."""
    assert approved_at(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == at(0, 12)


def test_negative_approval_is_an_error() -> None:
    """A negative duration is a mistake of the caller."""
    with pytest.raises(ValueError, match="negative"):
        approved_at(at(0, 9), timedelta(minutes=-1))


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2021-06-18 09:00", datetime(2021, 6, 18, 9, 0, tzinfo=VIETNAM)),  # the document's own
        ("2026-11-23 13:30", at(0, 13, 30)),
        ("2021-6-18 9:00", None),
        ("2021-06-18 09:00:00", None),
        ("2021-06-18T09:00", None),
        ("18/06/2021 09:00", None),
        ("2021-13-18 09:00", None),
        ("2021-06-18 24:00", None),
        (" 2021-06-18 09:00", None),
        (None, None),
        (202106180900, None),
    ],
)
def test_schedule_time(value: object, parsed: datetime | None) -> None:
    """ScheduleTime is exactly "yyyy-mm-dd HH:ii", Vietnam time."""
    assert read_schedule_time(value) == parsed
    if parsed is not None:
        assert schedule_time(parsed) == value
        assert schedule_time(parsed.astimezone(UTC)) == value
