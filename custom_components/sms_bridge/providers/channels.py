"""Channels a message can take (SMS, Zalo ZNS, Zalo first then SMS) and Zalo's templates.

A Zalo ZNS message is a template registered with the gateway under an Official Account (OA):
the sender picks the template and fills its parameters, never writes the text. Re-exported from
`base`; nothing here knows a gateway's wire format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import re


class Channel(StrEnum):
    """The way a message goes, or (in a report) the way it went."""

    SMS = "sms"
    ZALO = "zalo"  # a Zalo ZNS template message
    ZALO_SMS = "zalo_sms"  # Zalo first; SMS when Zalo fails (eSMS's multichannel message)
    VIBER = "viber"  # reports only: eSMS reports Viber messages sent from its website


#: Zalo's parameter kinds (eSMS's RequireType).
TEXT = "type_text"
NUMBER = "type_number"  # digits, at most 12
DATE = "type_date"  # dd/MM/yyyy
CTA_URL = "type_cta_url"

_NUMBER = re.compile(r"\d{1,12}")
_DATE = re.compile(r"(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])/\d{4}")


@dataclass(frozen=True, slots=True)
class ZaloParam:
    """One variable of a ZNS template."""

    #: The variable's name: the key of V6's TempData.
    name: str
    #: Its place among the template's variables (ParamLevel): multichannel's Params go in order.
    order: int
    #: The longest value Zalo takes (Limit); None when not stated.
    max_length: int | None
    #: type_text, type_number, type_date or type_cta_url (RequireType).
    kind: str
    required: bool = True


class ZaloParamError(ValueError):
    """Values that do not fit a template. `param` names the variable, `problem` says what.

    `problem` is one of "unknown", "missing", "too_long", "not_a_number", "not_a_date".
    """

    def __init__(self, param: str, problem: str) -> None:
        super().__init__(f"Zalo template parameter {param!r}: {problem.replace('_', ' ')}")
        self.param = param
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ZaloContent:
    """What a Zalo message says: its OA, its template, and the values in the template's order."""

    oa_id: str
    template_id: str
    #: (name, value) pairs, in the template's order (multichannel sends the values by position).
    params: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        """Refuse a content no gateway could send: no OA or template, a variable given twice."""
        if not self.oa_id.strip() or not self.template_id.strip():
            raise ValueError("a Zalo message needs its OA id and template id")
        names = [name for name, _ in self.params]
        if len(set(names)) != len(names):
            raise ValueError("a Zalo template variable is given twice")

    @property
    def values(self) -> list[str]:
        """The values alone, by position."""
        return [value for _, value in self.params]


@dataclass(frozen=True, slots=True)
class ZaloTemplate:
    """A ZNS template of an OA, as the gateway lists it."""

    template_id: str
    name: str
    #: Sorted by `order`.
    params: tuple[ZaloParam, ...]
    #: ENABLE (usable), PENDING_REVIEW, REJECT, DISABLE, DELETE; None when the list omits it.
    status: str | None = None

    def content(self, oa_id: str, values: Mapping[str, str]) -> ZaloContent:
        """The content of a message with these values, checked and put in the template's order.

        An optional variable left out is sent empty (multichannel's Params are positional).
        Raises ZaloParamError for a name the template lacks, a required one missing or empty, a
        value over its length, a number that is not 1-12 digits, a date not dd/MM/yyyy.
        """
        known = {param.name for param in self.params}
        for name in values:
            if name not in known:
                raise ZaloParamError(name, "unknown")
        ordered: list[tuple[str, str]] = []
        for param in self.params:
            value = str(values.get(param.name, "")).strip()
            if not value:
                if param.required:
                    raise ZaloParamError(param.name, "missing")
            elif param.max_length is not None and len(value) > param.max_length:
                raise ZaloParamError(param.name, "too_long")
            elif param.kind == NUMBER and not _NUMBER.fullmatch(value):
                raise ZaloParamError(param.name, "not_a_number")
            elif param.kind == DATE and not _DATE.fullmatch(value):
                raise ZaloParamError(param.name, "not_a_date")
            ordered.append((param.name, value))
        return ZaloContent(oa_id, self.template_id, tuple(ordered))


@dataclass(frozen=True, slots=True)
class ZaloAccount:
    """A Zalo Official Account registered with the gateway."""

    oa_id: str
    name: str
