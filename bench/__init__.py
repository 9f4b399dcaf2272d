"""scripts/bench: SMS Bridge's cost measured from outside, against baselines in the same run.

A real Home Assistant process, the gateway sandbox in this process, one SMS Bridge entry per
gateway made through the config flow, and a no-op webhook in the same Home Assistant. Only what a
user or a gateway can use: the REST and websocket APIs, webhook requests shaped like each
gateway's reports, and the files under `.storage/` read as opaque bytes. See README.md,
"Performance".
"""
