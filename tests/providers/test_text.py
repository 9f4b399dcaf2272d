"""SMS text rules: which alphabet, how many segments, Vietnamese without diacritics."""

from __future__ import annotations

import pytest

from custom_components.sms_bridge.providers.text import is_gsm7, segment_count, strip_diacritics


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
