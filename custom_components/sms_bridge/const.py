"""Constants of the SMS Bridge integration."""

from typing import Final

DOMAIN: Final = "sms_bridge"
