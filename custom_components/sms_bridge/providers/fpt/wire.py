"""FPT's wire vocabulary, shared by the customer-care and the advertising calls.

Error codes and the errors they raise, the report status and carrier tables, the phone format,
and JSON helpers (PROVIDERS.md section 3; seed 004 section 5).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Final

from ..errors import (
    AuthenticationError,
    InvalidRecipientError,
    MaybeSentError,
    ProviderError,
    RefusedError,
    TransientError,
    UnexpectedResponseError,
)
from ..http import RawResponse
from ..models import DeliveryStatus, FailureReason
from ..parsing import as_int, lower_keys

#: FPT's error codes, in English (the document's section 5). The gateway's own
#: error_description (Vietnamese, free text) never becomes an error reason.
CODE_REASONS: Final[dict[int, str]] = {
    1001: "FPT refused the request as invalid",
    1002: "FPT does not allow this client",
    1003: "FPT denied access",
    1004: "FPT does not support the requested response type",
    1005: "FPT refused the requested scopes",
    1006: "FPT server error",
    1007: "FPT is temporarily unable to handle requests",
    1008: "FPT refused the client: wrong client id/secret, or this IP is not allowed",
    1009: "FPT refused the grant type as invalid",
    1010: "the FPT application lacks the scope for this request",
    1011: "FPT refused the access token as invalid",
    1012: "FPT says the access token was altered",
    1013: "the FPT access token expired",
    1014: "FPT refused the request's parameters",
    1015: "FPT does not support this grant type",
    1016: "FPT message quota exceeded",
    2501: "FPT refused a duplicate message (same message within 5 minutes)",
    1: "FPT refused a duplicate message (same message within 5 minutes)",
    2502: "FPT sending quota used up",
    2503: "FPT account has no sending quota configured",
    2504: "FPT brandname not activated or locked",
    54: "FPT brandname not activated or locked",
    2505: "the phone number is blocked",
    -11: "the phone number is blocked",
    2506: "FPT service error",
    2507: "FPT unknown error",
    2: "brandname not registered with the carrier",
    -8: "brandname not registered with the carrier",
    3: "carrier service error",
    4: "message longer than the carrier allows",
    -14: "message longer than the carrier allows",
    901: "message longer than the carrier allows",
    5: "message does not match a registered template",
    -20: "message does not match a registered template",
    55: "message does not match a registered template",
    6: "message contains a blocked keyword",
    -18: "message contains a blocked keyword",
    7: "Vietnamese (Unicode) characters in an encoded message (Viettel bank route)",
    8: "message could not be decoded (Viettel bank route)",
    53: "wrong phone number",
    -10: "wrong phone number",
    902: "wrong phone number",
}
UNKNOWN_REFUSAL: Final = "FPT refused the request"

#: Why a message failed, by the error code a failed report (or result row) carries.
FAILURE_REASONS: Final[dict[int, FailureReason]] = {
    **dict.fromkeys((2501, 1), FailureReason.DUPLICATE),
    **dict.fromkeys((2504, 54, 2, -8), FailureReason.REJECTED),  # the brandname
    **dict.fromkeys((5, -20, 55, 6, -18), FailureReason.REJECTED),  # template, keyword
    **dict.fromkeys((2505, -11), FailureReason.BLOCKED),
    **dict.fromkeys((4, -14, 901), FailureReason.TOO_LONG),
    **dict.fromkeys((7, 8), FailureReason.ENCODING),
    **dict.fromkeys((53, -10, 902), FailureReason.INVALID_NUMBER),
    **dict.fromkeys((3, 2506), FailureReason.CARRIER_ERROR),
}
_CODE = re.compile(r"-?\d+")


def failure_reason(error: str | None) -> FailureReason:
    """The reason a failed report's Error gives (its first number as FPT's code), if it says."""
    code = _CODE.search(error or "")
    if code is None:
        return FailureReason.NOT_DELIVERED
    return FAILURE_REASONS.get(int(code.group()), FailureReason.NOT_DELIVERED)


#: The access token was refused: a fresh token and one more try may succeed.
TOKEN_CODES: Final = frozenset({1011, 1012, 1013})
#: Codes that are not a plain refusal: which error class they raise.
CODE_ERRORS: Final[dict[int, type[ProviderError]]] = {
    1002: AuthenticationError,
    1003: AuthenticationError,
    1008: AuthenticationError,
    53: InvalidRecipientError,
    -10: InvalidRecipientError,
    902: InvalidRecipientError,
    2505: InvalidRecipientError,
    -11: InvalidRecipientError,
}
#: Server-side failures: a token request is safely repeated later, but for a push they do not
#: say whether FPT took the message (nor does a code the document does not list). Every other
#: listed code refuses the request before anything is sent.
AMBIGUOUS_CODES: Final = frozenset({1006, 1007, 2506, 2507})
#: Outside a push: FPT's server failing, worth asking again later.
TRANSIENT_CODES: Final = frozenset({1006, 1007})

#: DESIGN.md's status table for FPT's report `Status`; other values are failures.
STATUS_TABLE: Final[dict[int, DeliveryStatus]] = {
    2: DeliveryStatus.PENDING,
    -11: DeliveryStatus.PENDING,
    1: DeliveryStatus.DELIVERED,
    0: DeliveryStatus.FAILED,
}

#: The report's `Telco` values (and full names, in case), as carriers' names.
TELCOS: Final[dict[str, str]] = {
    "viettel": "Viettel",
    "vina": "Vinaphone",
    "vinaphone": "Vinaphone",
    "mobi": "Mobifone",
    "mobifone": "Mobifone",
    "htc": "Vietnamobile",
    "vnm": "Vietnamobile",
    "vietnamobile": "Vietnamobile",
    "beeline": "Gtel",
    "gtel": "Gtel",
    "itel": "Itel",
}

_DIGITS = re.compile(r"[0-9]{6,15}")


class TokenRejectedError(RefusedError):
    """FPT refused the access token (1011/1012/1013): a fresh token and one retry may help."""


def error_for(code: int, *, sending: bool = False) -> ProviderError:
    """The error to raise for an FPT error code (`sending`: the answer to a push)."""
    reason = CODE_REASONS.get(code, UNKNOWN_REFUSAL)
    if code in TOKEN_CODES:
        return TokenRejectedError(reason, code=str(code))
    if sending and (code in AMBIGUOUS_CODES or code not in CODE_REASONS):
        return MaybeSentError(reason, code=str(code))
    if code in TRANSIENT_CODES:
        return TransientError(reason, code=str(code))
    return CODE_ERRORS.get(code, RefusedError)(reason, code=str(code))


def wire_phone(phone: str) -> tuple[str, bool]:
    """The number as FPT wants it (digits, 84... for Vietnam) and whether it is Vietnamese."""
    value = re.sub(r"[\s\-.()]", "", phone)
    if value.startswith("+"):
        digits = value[1:]
    elif value.startswith("00"):
        digits = value[2:]
    elif value.startswith("0"):
        digits = "84" + value[1:]
    else:
        digits = value
    if not _DIGITS.fullmatch(digits):
        raise InvalidRecipientError("not a valid phone number")
    return digits, digits.startswith("84")


def text_value(value: Any) -> str | None:
    """A JSON scalar as text, None when absent, empty or a structure."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def identifier(value: Any) -> str | None:
    """A message id (a number or a string in FPT's JSON), None for anything else."""
    return (
        None if isinstance(value, bool) or not isinstance(value, (int, str)) else text_value(value)
    )


def number(value: Any) -> int | None:
    """A whole number (a number or a numeric string in FPT's JSON), None for anything else."""
    return None if isinstance(value, bool) or not isinstance(value, (int, str)) else as_int(value)


def telco_name(value: Any) -> str | None:
    """A carrier's name from FPT's `Telco` value; unknown values are kept as they are."""
    text = text_value(value)
    return TELCOS.get(text.lower(), text) if text else None


def loads(data: bytes) -> Any:
    """JSON from bytes, a UTF-8 byte-order mark tolerated; ValueError when it is not JSON."""
    try:
        return json.loads(data.removeprefix(codecs.BOM_UTF8))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def json_object(raw: RawResponse) -> dict[str, Any] | None:
    """The answer's JSON object with lower-cased keys, or None when it is not one."""
    try:
        data = loads(raw.body)
    except ValueError:
        return None
    return lower_keys(data) if isinstance(data, dict) else None


def raise_for_error(
    raw: RawResponse, fields: dict[str, Any] | None, *, sending: bool = False
) -> dict[str, Any]:
    """Raise the error an answer carries; return its fields when it carries none."""
    code = number(fields.get("error")) if fields is not None else None
    if code is not None:
        raise error_for(code, sending=sending)
    if fields is None or raw.status != 200:
        raise UnexpectedResponseError(
            "FPT answered something unreadable", code=f"HTTP {raw.status}"
        )
    return fields
