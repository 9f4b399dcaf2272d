"""Tests against a real Home Assistant process (tools/hass.py), as a user and a gateway reach it."""
