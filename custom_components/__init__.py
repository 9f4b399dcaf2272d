"""Home Assistant custom integrations of this repository (HACS installs sms_bridge/)."""
