"""The sandbox's memory: accounts, sent messages, today's totals, injected faults, connections.

Outcomes are chosen by the recipient number's last digit, so tests and demos can pick them:
3 = the gateway refuses the number at send time, 4 = delivery fails, 5 = stays pending
(only an intermediate report), anything else = delivered. Zalo (eSMS's ZNS) on top: 6 = the
number is not on Zalo (Zalo error -114), 4 = Zalo fails too (1001, not reached in time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
import itertools
from typing import Any
import weakref

from .rules import VIETNAM


class Outcome(StrEnum):
    """What becomes of a message after the gateway accepts it."""

    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"


def refused_number(phone: str, account: Account | None = None) -> bool:
    """Numbers ending in 3 are refused by the gateway when sent to.

    An account with `refuses_3` off takes them: a backup that takes what the first refused.
    """
    return phone.strip().endswith("3") and (account is None or account.refuses_3)


def outcome_for(phone: str) -> Outcome:
    """The deterministic fate of an accepted message, from the number's last digit."""
    last = phone.strip()[-1:]
    if last == "4":
        return Outcome.FAILED
    if last == "5":
        return Outcome.PENDING
    return Outcome.DELIVERED


#: Zalo's error codes (its `error` in eSMS's error_info) for a ZNS that fails, by last digit.
ZALO_INACTIVE = -114  # "User is inactive, or reject the message, ..." (eSMS's sample)
ZALO_NOT_REACHED = 1001  # reached Zalo, not the phone in time (QueryZnsStatus's ErrorInfo)


def zalo_outcome(phone: str) -> tuple[Outcome, int | None]:
    """The fate of an accepted ZNS, and Zalo's error code when it fails, by the last digit.

    6: not on Zalo (-114); 4: fails like an SMS to it would (1001); 5: stays pending.
    """
    last = phone.strip()[-1:]
    if last == "6":
        return Outcome.FAILED, ZALO_INACTIVE
    if last == "4":
        return Outcome.FAILED, ZALO_NOT_REACHED
    return outcome_for(phone), None


@dataclass
class ZaloParamSpec:
    """A variable of a ZNS template, as eSMS's GetTemplate lists it (ZNSTempDetail)."""

    name: str
    order: int
    limit: int
    kind: str = "type_text"  # type_text, type_number (digits, <=12), type_date (dd/MM/yyyy)


@dataclass
class ZaloTemplateSpec:
    """A ZNS template registered for an OA."""

    template_id: int
    name: str
    params: list[ZaloParamSpec]
    #: The TypeId its reports carry and the SmsType GetTemplate lists it under: 24 or 25.
    type_id: str = "25"
    #: VND per message delivered (a failed ZNS costs 0, as in eSMS's sample).
    price: int = 300
    #: ENABLE sends; anything else (PENDING_REVIEW, REJECT, DISABLE) is refused with 790.
    status: str = "ENABLE"
    content: str = ""


@dataclass
class ZaloOA:
    """A Zalo Official Account registered with eSMS, and its templates by id."""

    oa_id: str
    name: str
    templates: dict[str, ZaloTemplateSpec] = field(default_factory=dict)


def default_zalo_oas() -> dict[str, ZaloOA]:
    """The built-in eSMS account's OA: two templates (sandbox/README.md lists them)."""
    order = ZaloTemplateSpec(
        200607,
        "Order confirmation",
        [
            ZaloParamSpec("customer_name", 1, 30),
            ZaloParamSpec("order_code", 2, 20),
            ZaloParamSpec("order_date", 3, 10, "type_date"),
        ],
        content="<p>Xin chào {{customer_name}}, đơn {{order_code}} ngày {{order_date}}.</p>",
    )
    otp = ZaloTemplateSpec(
        2056446,
        "Verification code",
        [ZaloParamSpec("otp", 1, 6, "type_number")],
        type_id="24",
        content="<p>Mã xác minh của bạn: {{otp}}</p>",
    )
    oa = ZaloOA("4097311281936189049", "SMS Bridge Demo", {"200607": order, "2056446": otp})
    return {oa.oa_id: oa}


@dataclass
class EsmsSettings:
    """eSMS knobs (sandbox/README.md)."""

    #: How reports add their parameters to a CallbackUrl that has a query already: "&", or a
    #: second "?" (eSMS's documents do not say which it does).
    callback_join: str = "&"


@dataclass
class CallbackTarget:
    """Where and how a gateway delivers reports for an account (its admin-page settings)."""

    url: str | None = None
    method: str = "GET"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Totals:
    """One day's counts, as Fibo's GetTotalMt reports them."""

    delivered: int = 0
    failed: int = 0
    pending: int = 0


@dataclass
class Account:
    """A gateway account. `secrets` holds its credentials by the gateway's own field names."""

    gateway: str
    secrets: dict[str, str]
    balance: int
    brandnames: set[str] = field(default_factory=set)
    price: int = 1
    callback: CallbackTarget = field(default_factory=CallbackTarget)
    #: Fibo's secure code / FPT's Authorization key, as typed on the gateway's admin page.
    report_secret: str | None = None
    totals: dict[date, Totals] = field(default_factory=dict)
    #: Whether numbers ending in 3 are refused (see `refused_number`).
    refuses_3: bool = True
    #: eSMS: the Zalo Official Accounts registered for the account, by OAID.
    zalo_oas: dict[str, ZaloOA] = field(default_factory=dict)

    def today(self) -> Totals:
        """Today's totals, created on first use."""
        return self.totals.setdefault(date.today(), Totals())


@dataclass
class SentMessage:
    """A message the sandbox accepted."""

    gateway: str
    message_id: str
    phone: str
    text: str
    segments: int
    account: Account
    outcome: Outcome
    sent_at: datetime = field(default_factory=datetime.now)
    callback_url: str | None = None
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fault:
    """A fault to inject into the next `count` matching requests (-1: every one).

    kind: latency (sleep `value` s, then answer), timeout (never answer until closed or `value`
    s), status (answer HTTP `value`), malformed (answer 200 with garbage), disconnect (drop the
    connection), answer_lost (the gateway handles the request, then its answer is lost: HTTP
    `value` instead, or dropped at "disconnect", "after_headers" or "mid_body"), late_answer,
    close_reused (a request on a connection that carried one before is dropped unread, as by a
    gateway that closed the idle connection), refuse (the gateway's own refusal with code
    `value`), expire_token (FPT: the presented token is expired). sandbox/README.md has details.
    """

    kind: str
    gateway: str | None = None
    value: Any = None
    count: int = 1
    path: str | None = None

    def matches(self, gateway: str, path: str, kinds: set[str]) -> bool:
        """Whether this fault applies to a request."""
        return (
            self.kind in kinds
            and self.count != 0
            and (self.gateway is None or self.gateway == gateway)
            and (self.path is None or self.path in path)
        )


@dataclass(frozen=True, slots=True)
class Arrival:
    """A request as it arrived, and the connection it came on."""

    #: None for a path no gateway serves (the control API, `/`).
    gateway: str | None
    method: str
    path: str
    #: Which connection: numbered from 1 in the order connections bring their first request.
    connection: int
    #: The request's place on its connection: 1 is the first (a fresh connection).
    order: int

    @property
    def fresh(self) -> bool:
        """Whether it came on a new connection (no request before it on that connection)."""
        return self.order == 1


@dataclass
class DeliveryAttempt:
    """One delivery-report request the sandbox made, and what came back."""

    gateway: str
    message_id: str
    attempt: int
    status: int | None
    body: str
    error: str | None = None


@dataclass
class AdsSettings:
    """FPT advertising knobs (sandbox/README.md): delays in seconds of the sandbox clock."""

    #: After create-campaign, the carriers decide (approve, or reject with a reason).
    approval_delay: float = 2.0
    #: Decide as seed 004 says instead: 3 hours of order-taking time (08:30-16:30, Monday to
    #: Friday) after the order (sandbox/rules.py `approved_at`); approval_delay is then unused.
    order_hours: bool = False
    #: After a campaign goes out, dlr-ads has its per-number CSV.
    results_delay: float = 2.0
    #: Enforce the sending windows (08:00-11:30, 13:30-20:00 Vietnam time): outside, blocked.
    windows: bool = True
    #: A message containing this word (any case, accents ignored) is rejected.
    reject_word: str = "casino"
    #: Seconds added to the real clock: the sandbox's "now" can be set for tests at any hour.
    clock_offset: float = 0.0

    def now(self) -> datetime:
        """The sandbox clock, in Vietnam time."""
        return datetime.now(VIETNAM) + timedelta(seconds=self.clock_offset)

    def set_now(self, when: datetime) -> None:
        """Move the sandbox clock so that it reads `when` now (it keeps running)."""
        self.clock_offset = (when - datetime.now(VIETNAM)).total_seconds()


@dataclass
class Campaign:
    """An FPT advertising campaign; its phase follows from the clock (sandbox/fpt_ads.py)."""

    code: str
    name: str
    brandname: str
    message: str
    schedule: datetime
    quota: int
    account: Account
    created_at: datetime
    #: Why the carriers reject it (decided at creation, told once approval time has come).
    rejection: str | None = None
    batch_id: str | None = None
    pushed_at: datetime | None = None
    #: Numbers in 84 form: accepted (counted, charged) and refused at push (bad, ending 3).
    phones: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def default_accounts() -> list[Account]:
    """The sandbox's built-in accounts; sandbox/README.md lists their credentials."""
    return [
        Account(
            "fibo",
            {"clientNo": "CL1609110001", "clientPass": "fibo-pass"},
            balance=1000,
            brandnames={"FIBO", "SMSBRIDGE"},
            report_secret="fibo-secure",
        ),
        Account(
            "esms",
            {"ApiKey": "ESMS-API-KEY", "SecretKey": "ESMS-SECRET-KEY"},
            balance=500_000,
            brandnames={"Baotrixemay", "SMSBRIDGE"},
            price=800,
            zalo_oas=default_zalo_oas(),
        ),
        Account(
            "fpt",
            {"client_id": "fpt-client-id", "client_secret": "fpt-client-secret"},
            balance=1000,
            brandnames={"FTI", "SMSBRIDGE"},
            report_secret="fpt-auth-key",
        ),
        Account(
            "smspay",
            {"user": "smspay-user", "pass": "smspay-pass"},
            balance=1000,
        ),
    ]


class SandboxState:
    """Everything the sandbox knows; tests may read and change it directly."""

    def __init__(self, *, dlr_delay: float = 0.05, ads: AdsSettings | None = None) -> None:
        self.dlr_delay = dlr_delay
        self.accounts: list[Account] = default_accounts()
        self.messages: dict[tuple[str, str], SentMessage] = {}
        self.faults: list[Fault] = []
        self.deliveries: list[DeliveryAttempt] = []
        #: Every request the gateways received: (gateway, method, path), for tests to count.
        self.requests: list[tuple[str, str, str]] = []
        #: Every request (control API too) with its connection, in order of arrival.
        self.arrivals: list[Arrival] = []
        #: Requests a `close_reused` fault dropped unread: no gateway handled them, and they are
        #: not in `requests`.
        self.closed_reused: list[Arrival] = []
        #: Open connections (their transports) -> (number, requests so far).
        self._connections: weakref.WeakKeyDictionary[object, tuple[int, int]] = (
            weakref.WeakKeyDictionary()
        )
        self._connection_numbers = itertools.count(1)
        #: Gateway requests being answered now, and the most there ever were at once.
        self.in_flight = 0
        self.max_in_flight = 0
        #: FPT's tokens: token -> (account, expiry as loop time).
        self.tokens: dict[str, tuple[Account, float]] = {}
        self.token_lifetime = 86400
        #: FPT's advertising: settings (kept by reset) and campaigns by CampaignCode.
        self.ads = ads or AdsSettings()
        self.esms = EsmsSettings()
        self.campaigns: dict[str, Campaign] = {}
        self._ids = itertools.count(491785)

    def next_id(self) -> int:
        """A fresh numeric message id (FPT, SMSPAY)."""
        return next(self._ids)

    def account(self, gateway: str, **secrets: str | None) -> Account | None:
        """The account of `gateway` whose credentials are exactly these, if any."""
        for account in self.accounts:
            if account.gateway == gateway and all(
                account.secrets.get(key) == value for key, value in secrets.items()
            ):
                return account
        return None

    def first_account(self, gateway: str) -> Account:
        """The gateway's built-in account."""
        return next(a for a in self.accounts if a.gateway == gateway)

    def arrive(
        self, connection: object | None, gateway: str | None, method: str, path: str
    ) -> Arrival:
        """Record a request; `connection` lives as long as its connection (None: gone already)."""
        number, count = (0, 0) if connection is None else self._connections.get(connection, (0, 0))
        number = number or next(self._connection_numbers)
        if connection is not None:
            self._connections[connection] = (number, count + 1)
        arrival = Arrival(gateway, method, path, connection=number, order=count + 1)
        self.arrivals.append(arrival)
        return arrival

    def take_fault(self, gateway: str, path: str, kinds: set[str]) -> Fault | None:
        """The first fault that applies, its count used up by one."""
        for fault in self.faults:
            if fault.matches(gateway, path, kinds):
                if fault.count > 0:
                    fault.count -= 1
                return fault
        return None

    def record(self, message: SentMessage, charge: int | None = None) -> None:
        """Remember an accepted message, charge the account and count it as pending.

        `charge` defaults to the account's price per segment times the segments.
        """
        self.messages[(message.gateway, message.message_id)] = message
        if charge is None:
            charge = message.segments * message.account.price
        message.account.balance -= charge
        message.account.today().pending += 1

    def settle(self, message: SentMessage) -> None:
        """Move a message's count from pending to its final outcome."""
        if message.outcome is Outcome.PENDING:
            return
        totals = message.account.today()
        totals.pending = max(0, totals.pending - 1)
        if message.outcome is Outcome.DELIVERED:
            totals.delivered += 1
        else:
            totals.failed += 1

    def reset(self) -> None:
        """Back to the built-in accounts (and OAs), no messages, no faults; connections anew."""
        self.__init__(dlr_delay=self.dlr_delay, ads=self.ads)  # type: ignore[misc]
