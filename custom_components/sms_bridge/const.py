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
MAX_BACKOFF: Final = timedelta(hours=1)

# Recipient subentries.
SUBENTRY_RECIPIENT: Final = "recipient"
CONF_NUMBERS: Final = "numbers"
