"""The gateway clients' typed errors: what a send, a check or a delivery report can end with."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ReplyKind(StrEnum):
    """The three answers a delivery-report webhook can give a gateway."""

    ACCEPTED = "accepted"
    BAD_SECRET = "bad_secret"  # noqa: S105 - a reply kind, not a password
    MALFORMED = "malformed"


class ProviderError(Exception):
    """Base of every gateway error. The message is English and never carries a secret.

    `maybe_sent` is True when, for a send, the SMS may have gone out all the same: such a send
    is never tried again, here or through another account, or someone could get it twice.
    """

    maybe_sent: bool = False

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(f"{reason} (code {code})" if code is not None else reason)
        self.reason = reason
        self.code = code


class AuthenticationError(ProviderError):
    """The gateway refused the credentials: the user must enter new ones."""


class IpNotAllowedError(ProviderError):
    """The gateway refused the caller's IP address (an allow-list on the gateway's side)."""


class RefusedError(ProviderError):
    """The gateway refused this request; sending it again would be refused again."""


class InvalidRecipientError(RefusedError):
    """The gateway refused the phone number."""


class TransientError(ProviderError):
    """A timeout, a connection error, a 5xx, a gateway saying "try later".

    With `maybe_sent` False the request surely never reached the gateway, or the gateway said it
    did not take it: the one case where a send is tried again.
    """

    def __init__(self, reason: str, *, code: str | None = None, maybe_sent: bool = False) -> None:
        super().__init__(reason, code=code)
        self.maybe_sent = maybe_sent


class MaybeSentError(ProviderError):
    """The gateway answered an error that does not say whether it took the message."""

    maybe_sent = True


class UnexpectedResponseError(ProviderError):
    """The gateway answered something we cannot read. For a send, whether it went out is unknown."""

    maybe_sent = True


class ReportError(Exception):
    """Base of delivery-report errors; `kind` says which reply the gateway gets."""

    kind: ClassVar[ReplyKind]


class BadSecretError(ReportError):
    """The report's secret (secure code, Authorization key, extra parameter) is missing or wrong."""

    kind = ReplyKind.BAD_SECRET


class MalformedReportError(ReportError):
    """The report lacks a required field or has one we cannot read."""

    kind = ReplyKind.MALFORMED


class InvalidConfigError(ValueError):
    """A config the gateway cannot use.

    `field` is the key at fault ("base": the whole form), `reason` the error's translation key.
    """

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
