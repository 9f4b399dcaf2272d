"""Constants of SMS Bridge: config keys (a contract, see README), options, defaults."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "sms_bridge"
LOGGER = logging.getLogger(__package__)

# Config entry data keys (DESIGN.md: users depend on these).
CONF_PROVIDER: Final = "provider"
CONF_BASE_URL: Final = "base_url"
CONF_CLIENT_NO: Final = "client_no"
CONF_CLIENT_PASS: Final = "client_pass"
CONF_SENDER: Final = "sender"
CONF_SECURE_CODE: Final = "secure_code"
CONF_API_KEY: Final = "api_key"
CONF_SECRET_KEY: Final = "secret_key"
CONF_BRANDNAME: Final = "brandname"
CONF_SMS_TYPE: Final = "sms_type"
CONF_CLIENT_ID: Final = "client_id"
CONF_CLIENT_SECRET: Final = "client_secret"
CONF_ENVIRONMENT: Final = "environment"
CONF_AUTH_KEY: Final = "auth_key"
CONF_SEND_URL: Final = "send_url"
CONF_REPORT_PARAM: Final = "report_param"
CONF_REPORT_VALUE: Final = "report_value"

PROVIDER_FIBO: Final = "fibo"
PROVIDER_ESMS: Final = "esms"
PROVIDER_FPT: Final = "fpt"
PROVIDER_SMSPAY: Final = "smspay"
PROVIDERS: Final = (PROVIDER_FIBO, PROVIDER_ESMS, PROVIDER_FPT, PROVIDER_SMSPAY)

ENVIRONMENT_PRODUCTION: Final = "production"
ENVIRONMENT_SANDBOX: Final = "sandbox"
DEFAULT_SMS_TYPE: Final = 2

# Every key whose value is a secret: redacted from diagnostics, never logged.
SECRET_KEYS: Final = frozenset(
    {
        CONF_CLIENT_PASS,
        CONF_SECURE_CODE,
        CONF_API_KEY,
        CONF_SECRET_KEY,
        CONF_CLIENT_SECRET,
        CONF_AUTH_KEY,
        CONF_SEND_URL,
        CONF_REPORT_VALUE,
        "webhook_id",
    }
)

# Options.
OPT_SENDER: Final = "sender"
OPT_ENCODING: Final = "encoding"
OPT_POLL_MINUTES: Final = "poll_minutes"
OPT_BALANCE_UNIT: Final = "balance_unit"
OPT_CONCURRENCY: Final = "concurrency"
OPT_CHECK_SOURCE: Final = "check_source_ip"
#: Balance threshold in the balance's own unit (VND or SMS credits); unset: no low-balance sensor.
OPT_LOW_BALANCE: Final = "low_balance"

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

# Phone regions: numbers without a country code are read in the gateway's home country.
REGIONS: Final = {
    PROVIDER_FIBO: "VN",
    PROVIDER_ESMS: "VN",
    PROVIDER_FPT: "VN",
    PROVIDER_SMSPAY: "BG",
}
