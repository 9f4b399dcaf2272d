"""Tests of the gateway sandbox."""
