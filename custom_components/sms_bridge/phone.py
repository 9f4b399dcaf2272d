"""Phone numbers: parsed to E.164 in the gateway's home region, one clear error per bad number."""

from __future__ import annotations

from collections.abc import Iterable
import re

import phonenumbers

_SPLIT = re.compile(r"[,;\n]+")


class InvalidNumberError(ValueError):
    """A number that is not a valid phone number; `number` is as the user wrote it."""

    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


def split_numbers(value: str | Iterable[str]) -> list[str]:
    """Numbers from a list or a comma/semicolon/newline separated string, blanks dropped."""
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in _SPLIT.split(str(item)) if part.strip()]


def to_e164(number: str, region: str) -> str:
    """The number in E.164 form ("+84901234567"), reading it in `region` when it has no "+".

    Raises InvalidNumberError when it is not a possible, valid number.
    """
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise InvalidNumberError(number) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumberError(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def for_reading(number: str, region: str | None = None) -> str:
    """A number grouped for reading, in international form ("+84 912 345 678"); else as given."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
