"""One step, no form: the entry gets a fresh webhook id, shown in the result for the bench."""

from __future__ import annotations

from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_WEBHOOK_ID


class NoopConfigFlow(ConfigFlow, domain="bench_noop"):
    """Add the no-op webhook."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the entry at once."""
        webhook_id = webhook.async_generate_id()
        return self.async_create_entry(
            title="Benchmark no-op",
            data={CONF_WEBHOOK_ID: webhook_id},
            description_placeholders={CONF_WEBHOOK_ID: webhook_id},
        )
