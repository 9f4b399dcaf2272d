"""Tests of the gateway clients."""
