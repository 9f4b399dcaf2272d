"""SMS text rules: which alphabet, how many segments, plain text for Vietnamese and Bulgarian."""
# Bulgarian test texts are Cyrillic on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from custom_components.sms_bridge.providers.text import (
    is_gsm7,
    plain_text,
    segment_count,
    strip_diacritics,
    transliterate_bulgarian,
)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters cost two septets
        ("€" * 81, 2),
        ("ă" * 70, 1),
        ("ă" * 71, 2),
        ("ă" * 134, 2),
        ("ă" * 135, 3),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
        ("Здравей" * 10, 1),
        ("Здравей" * 10 + "!", 2),
    ],
)
def test_segment_count_boundaries(text: str, segments: int) -> None:
    """GSM-7 fits 160 then 153 a segment; UCS-2 70 then 67."""
    assert segment_count(text) == segments


def test_is_gsm7() -> None:
    """Plain Latin, GSM's accented letters and the extension table are GSM-7; Vietnamese is not."""
    assert not is_gsm7("nhiet do 12°C")  # the degree sign is not GSM-7
    assert is_gsm7("Freezer alarm: 12 C, é ü [] {} €")
    assert not is_gsm7("Cảnh báo")


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Điều hòa nhiệt độ tủ đông đã vượt ngưỡng", "Dieu hoa nhiet do tu dong da vuot nguong"),
        ("ĐẶNG VĂN LÂM", "DANG VAN LAM"),
        ("Cảnh báo: cửa mở!", "Canh bao: cua mo!"),
        ("already plain 123", "already plain 123"),
    ],
)
def test_strip_diacritics(text: str, plain: str) -> None:
    """Every Vietnamese letter, đ/Đ included, comes out as plain ASCII."""
    assert strip_diacritics(text) == plain
    assert strip_diacritics(text).isascii()


# The Law on Transliteration (2009), article 4: its example for each letter of the table.
LAW_EXAMPLES = [
    ("Атанас", "Atanas"),
    ("Борис", "Boris"),
    ("Враца", "Vratsa"),
    ("Габрово", "Gabrovo"),
    ("Добрич", "Dobrich"),
    ("Елена", "Elena"),
    ("Жеравна", "Zheravna"),
    ("Згориград", "Zgorigrad"),
    ("Искър", "Iskar"),
    ("Йовков", "Yovkov"),
    ("Каварна", "Kavarna"),
    ("Ловеч", "Lovech"),
    ("Момчил", "Momchil"),
    ("Несебър", "Nesebar"),
    ("Охрид", "Ohrid"),
    ("Пловдив", "Plovdiv"),
    ("Русе", "Ruse"),
    ("Самоков", "Samokov"),
    ("Търговище", "Targovishte"),
    ("Учиндол", "Uchindol"),
    ("Филипополис", "Filipopolis"),
    ("Хасково", "Haskovo"),
    ("Цар Калоян", "Tsar Kaloyan"),
    ("Чепеларе", "Chepelare"),
    ("Шумен", "Shumen"),
    ("Щастливец", "Shtastlivets"),
    ("Бълбук", "Balbuk"),
    ("Кьосев", "Kyosev"),
    ("Юрий", "Yuriy"),
    ("Ямбол", "Yambol"),
    # "ия" at the end of a word is "ia"; elsewhere the table applies.
    ("София", "Sofia"),
    ("Мария", "Maria"),
    ("Илияна", "Iliyana"),
    ("Стара планина", "Stara planina"),
    # The name of the state keeps its established form (the law's exception).
    ("България", "Bulgaria"),
    ("Република България", "Republika Bulgaria"),
]


@pytest.mark.parametrize(("cyrillic", "latin"), LAW_EXAMPLES)
def test_law_examples(cyrillic: str, latin: str) -> None:
    """Every letter as the law's own table and examples write it."""
    assert transliterate_bulgarian(cyrillic) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Здравей", "Zdravey"),
        ("Щ", "Sht"),  # a capital alone is a name's initial
        ("Ще дойда", "Shte doyda"),
        ("ЩЕ ДОЙДА", "SHTE DOYDA"),  # a word in capitals stays in capitals
        ("ПЛОЩАД", "PLOSHTAD"),
        ("ЮЛИЯ", "YULIA"),
        ("БЪЛГАРИЯ", "BULGARIA"),
        ("Българията", "Balgariyata"),  # not the end of the word: only the state's name is kept
        ("ия", "ia"),
        ("история, Мария!", "istoria, Maria!"),
        ("ѝ", "i"),
        ("Аларма: фризер 2, -5 C", "Alarma: frizer 2, -5 C"),
        ("Hello 123", "Hello 123"),  # Latin text is left alone
    ],
)
def test_transliterate_bulgarian(cyrillic: str, latin: str) -> None:
    """Capitals follow the word: "Щ" -> "Sht" in a name, "SHT" in a word in capitals."""
    assert transliterate_bulgarian(cyrillic) == latin


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Здравей", "Zdravey"),
        ("България", "Bulgaria"),
        ("Температурата в хладилника е 12 градуса!", "Temperaturata v hladilnika e 12 gradusa!"),
        ("Điều hòa nhiệt độ tủ đông", "Dieu hoa nhiet do tu dong"),
        (
            "Kho 3 / Склад 3: cửa mở, вратата е отворена",
            "Kho 3 / Sklad 3: cua mo, vratata e otvorena",
        ),
        ("Й и й", "Y i y"),  # "й" is a letter of its own, not "и" with a breve
        ("\u0418\u0306 \u0438 \u0438\u0306", "Y i y"),  # also when it comes decomposed
    ],
)
def test_plain_text_is_gsm7(text: str, plain: str) -> None:
    """Plain text fits GSM-7, whichever of the two languages it was written in."""
    assert plain_text(text) == plain
    assert is_gsm7(plain_text(text))
