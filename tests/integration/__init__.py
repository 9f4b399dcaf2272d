"""Tests of the Home Assistant integration against the gateway sandbox."""
