"""What every eSMS.vn call shares: result codes and their errors, keys, JSON answers, prices.

`EsmsBase` holds the account and the three ways of calling eSMS (a send, a plain call, an
estimate); `esms_zalo.EsmsZalo` adds the Zalo calls and `esms.EsmsProvider` the rest.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
import json
from typing import Any, Final

from yarl import URL

from .base import Provider
from .errors import (
    AuthenticationError,
    InvalidRecipientError,
    IpNotAllowedError,
    MaybeSentError,
    ProviderError,
    RefusedError,
    UnexpectedResponseError,
)
from .http import RawResponse
from .parsing import lower_keys

DEFAULT_HOST: Final = "https://rest.esms.vn"
SUCCESS: Final = "100"
#: eSMS never states a currency: its prices and balance are VND (ESMS-CHANNELS.md section 5).
CURRENCY: Final = "VND"

#: eSMS result codes, in English (PROVIDERS.md section 2, ESMS-CHANNELS.md section 10). Used as
#: error reasons: the gateway's own ErrorMessage is never used, so nothing it echoes can reach a
#: log or a screen.
CODE_REASONS: Final[dict[str, str]] = {
    "99": "eSMS refused the request: the number is blocked or the request is invalid",
    "101": "eSMS refused the API key or secret key",
    "102": "eSMS has no price list for this account",
    "103": "eSMS account balance is too low",
    "104": "eSMS does not know this brandname for the account",
    "105": "eSMS does not know this message id",
    "108": "eSMS refused the phone number",
    "118": "eSMS does not support this message type (SmsType)",
    "120": "eSMS refused the request: too many numbers",
    "124": "eSMS refused a duplicate RequestId (already sent within 24 hours)",
    "140": "eSMS does not allow requests from this IP address",
    "143": "eSMS account is not active",
    "146": "eSMS refused the text: it does not match a registered customer-care template",
    "201": "eSMS refused the text: it contains a blocked keyword",
    "300": "eSMS refused the request: SmsType is missing",
    # The Zalo calls' own (ESMS-CHANNELS.md section 10).
    "110": "eSMS refused the request: its data is invalid",
    "115": "eSMS refused the hashed phone number",
    "177": "eSMS refused the number: its telco is not registered for this brandname",
    "204": "eSMS does not know this Zalo Official Account (OAID)",
    "687": "eSMS refused the request: over 500 numbers",
    "789": "eSMS refused the Zalo template: it is not configured for this Official Account",
    "790": "eSMS refused the Zalo template or its parameters",
    "791": "eSMS refused the Zalo message: the OAID or the template id is missing",
    "799": "eSMS refused the Zalo Official Account: inactive, wrong or not on this account",
    "801": "eSMS answered that the over-quota Zalo message was scheduled",
    "802": "eSMS does not allow over-quota Zalo messages for this Official Account",
    "852": "eSMS refused the Zalo user id: longer than 20 characters",
    "853": "eSMS refused the Zalo message: the Zalo user id is missing",
}
UNKNOWN_REFUSAL: Final = "eSMS refused the message"
UNKNOWN_ZALO_CODE: Final = "eSMS answered a code its documents do not give: it may have sent it"

#: Codes that are not a plain refusal: which error class they raise. Every code but 100 refuses
#: the request (eSMS returns an SMSID only with 100), except 124: that RequestId was already
#: taken, so the message it names may well have gone out.
CODE_ERRORS: Final[dict[str, type[ProviderError]]] = {
    "101": AuthenticationError,
    "140": IpNotAllowedError,
    "99": InvalidRecipientError,
    "108": InvalidRecipientError,
    "124": MaybeSentError,
}
#: Zalo sends, on top: the Zalo calls' code lists differ from page to page, so a code none of
#: them gives may have come with a sent message (`zalo_refusal`); and 801 reads "scheduled" on
#: one page, "cannot be scheduled" on another (we never ask for its mode 3).
ZALO_SEND_ERRORS: Final[dict[str, type[ProviderError]]] = {**CODE_ERRORS, "801": MaybeSentError}


def refusal(code: str) -> ProviderError:
    """Build the typed error for an eSMS result code other than 100."""
    error_class = CODE_ERRORS.get(code, RefusedError)
    return error_class(CODE_REASONS.get(code, UNKNOWN_REFUSAL), code=code)


def zalo_refusal(code: str) -> ProviderError:
    """The typed error of a Zalo send's code: a code no document gives may have been sent."""
    if code not in CODE_REASONS:
        return MaybeSentError(UNKNOWN_ZALO_CODE, code=code)
    return ZALO_SEND_ERRORS.get(code, RefusedError)(CODE_REASONS[code], code=code)


def code_of(value: Any) -> str | None:
    """Read a result code as a string, from "100" or 100."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def read_price(value: Any) -> Decimal | None:
    """A TotalPrice (a JSON number or a string), or None when absent or unreadable."""
    if value is None or isinstance(value, bool) or not str(value).strip():
        return None
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return price if price.is_finite() else None


def national_phone(phone: str) -> str:
    """Write the number as eSMS wants it: 0xxxxxxxxx for Vietnam, digits without '+' elsewhere."""
    digits = phone.strip().lstrip("+")
    if phone.strip().startswith("+84"):
        return "0" + digits[2:]
    return digits


class EsmsBase(Provider):
    """The account's keys and how each kind of eSMS call is made and read."""

    _api_key: str
    _secret_key: str
    _brandname: str
    _sms_type: int
    _sandbox: bool

    def _keys(self) -> dict[str, Any]:
        """The account's keys, as every call carries them."""
        return {"ApiKey": self._api_key, "SecretKey": self._secret_key}

    async def _accepted(self, path: str, payload: dict[str, Any], *, zalo: bool) -> str:
        """POST a send, never repeated; the SMSID of an accepted one, else its typed error."""
        raw = await self._request("POST", self._url(DEFAULT_HOST, path), sending=True, json=payload)
        data = self._json(raw)
        code = code_of(data.get("coderesult"))
        if code is None:
            raise UnexpectedResponseError("eSMS answered without a result code")
        if code != SUCCESS:
            raise zalo_refusal(code) if zalo else refusal(code)
        message_id = data.get("smsid")
        if message_id is None or not str(message_id).strip():
            raise UnexpectedResponseError("eSMS accepted the message without an SMSID")
        return str(message_id).strip()

    async def _call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A plain POST (it sends nothing): its JSON, or the typed error of its code."""
        data = self._json(await self._request("POST", self._url(DEFAULT_HOST, path), json=payload))
        code = code_of(data.get("coderesult", data.get("coderesponse")))
        if code is None:
            raise UnexpectedResponseError("eSMS answered without a result code")
        if code != SUCCESS:
            raise refusal(code)
        return data

    async def _estimate_price(self, method: str, url: str | URL, **kwargs: Any) -> Decimal | None:
        """An estimate's TotalPrice; None for an unreadable answer or any code but 100.

        101 (the keys) raises AuthenticationError; a gateway out of reach, TransientError.
        """
        raw = await self._request(method, url, **kwargs)
        try:
            data = self._json(raw)
        except UnexpectedResponseError:
            return None
        code = code_of(data.get("coderesult"))
        if code == "101":
            raise refusal(code)
        price = read_price(data.get("totalprice")) if code == SUCCESS else None
        return price if price is not None and price >= 0 else None

    @staticmethod
    def _json(raw: RawResponse) -> dict[str, Any]:
        """Read the answer's JSON object, keys lower-cased; anything else is unexpected."""
        try:
            data = json.loads(raw.body)
        except ValueError:
            raise UnexpectedResponseError(
                "eSMS answered something that is not JSON", code=f"HTTP {raw.status}"
            ) from None
        if not isinstance(data, dict):
            raise UnexpectedResponseError(
                "eSMS answered JSON that is not an object", code=f"HTTP {raw.status}"
            )
        return lower_keys(data)
