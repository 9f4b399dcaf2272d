"""Constants of SMS Bridge: config keys (a contract, see README), options, defaults."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "sms_bridge"
LOGGER = logging.getLogger(__package__)

# Config entry data keys (DESIGN.md: users depend on these). Each gateway's own account keys are
# declared with its client (`Provider.account_fields`); these are the ones every entry has.
CONF_PROVIDER: Final = "provider"
CONF_BASE_URL: Final = "base_url"

# Options.
OPT_SENDER: Final = "sender"
OPT_ENCODING: Final = "encoding"
OPT_POLL_MINUTES: Final = "poll_minutes"
OPT_BALANCE_UNIT: Final = "balance_unit"
OPT_CONCURRENCY: Final = "concurrency"
OPT_CHECK_SOURCE: Final = "check_source_ip"
#: Below this balance (in the balance's unit) the low-balance problem sensor is on; unset: off.
OPT_LOW_BALANCE: Final = "low_balance"
#: Another SMS Bridge entry that sends what this one surely could not.
OPT_BACKUP: Final = "backup_entry_id"
#: A final `failed` report resends the message once through the backup.
OPT_RESEND_FAILED: Final = "resend_failed"
#: Messages per rolling hour / day (0: no limit).
OPT_MAX_PER_HOUR: Final = "max_per_hour"
OPT_MAX_PER_DAY: Final = "max_per_day"
#: Minutes in which the same text to the same number goes out once (0: off).
OPT_DUPLICATE_WINDOW: Final = "duplicate_window"
#: Minutes after a send without any report before the reports_missing repair (0: never).
OPT_REPORTS_WINDOW: Final = "reports_window"
#: What one SMS segment costs, where the gateway's reports state no price (unset: unknown).
OPT_PRICE_PER_SEGMENT: Final = "price_per_segment"
#: The currency of prices and costs (ISO 4217); default by the gateway's country.
OPT_CURRENCY: Final = "currency"
#: The most the account may spend in a calendar month, in its currency (0 or unset: no limit).
OPT_MAX_COST_PER_MONTH: Final = "max_cost_per_month"
#: The eSMS account's Zalo Official Account (id) that Zalo messages come from.
OPT_ZALO_OA: Final = "zalo_oa"

ENCODING_ASCII: Final = "ascii"
ENCODING_UNICODE: Final = "unicode"
ENCODING_AUTO: Final = "auto"
ENCODINGS: Final = (ENCODING_AUTO, ENCODING_ASCII, ENCODING_UNICODE)

# Fibo's balance-unit option: the stored values are translation keys, so lower case.
UNIT_CREDITS: Final = "credits"
UNIT_VND_OPTION: Final = "vnd"  # entries before version 1.2 stored "VND"
UNIT_VND: Final = "VND"  # the balance sensor's unit of measurement

DEFAULT_ENCODING: Final = ENCODING_AUTO
DEFAULT_POLL_MINUTES: Final = 10
DEFAULT_CONCURRENCY: Final = 5
DEFAULT_REPORTS_WINDOW: Final = 60
DEFAULT_DUPLICATE_WINDOW: Final = 5
MAX_BACKOFF: Final = timedelta(hours=1)

#: Each region's currency where the account's options name none (DESIGN.md: VND, BGN).
DEFAULT_CURRENCY: Final = {"VN": "VND", "BG": "BGN"}

# Recipient subentries.
SUBENTRY_RECIPIENT: Final = "recipient"
CONF_NUMBERS: Final = "numbers"
